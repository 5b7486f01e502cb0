import {
  ASSERTION_GRANT_SECRET,
  type ClientRecord,
  clientAuthenticationOf,
  machineGrantIdOf,
  type StoredClientSecret,
  secretIsValid,
} from './clients';
import type { GrantRecord, RevocationReason } from './grants';

/**
 * The rules of registering and removing an OAuth client, shared by the admin CLI and the admin console.
 */

/** The longest client name: it is shown on the consent page and in lists. */
export const MAX_CLIENT_NAME_LENGTH = 200;

/** How long the previous secret keeps working after a rotation unless told otherwise: time to update Okta. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;

/** Why `name` (already trimmed) cannot be a client's name, or undefined when it can. */
export function clientNameProblem(name: string): string | undefined {
  if (name === '') return 'Enter a name';
  if (name.length > MAX_CLIENT_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    return `The name must be at most ${MAX_CLIENT_NAME_LENGTH} characters, without control characters`;
  }
  return undefined;
}

/** Where a machine client's grants (one per secret, RFC 6749 §4.4) are ended. */
export interface MachineGrantEnder {
  endMachineGrant(
    grant: Pick<GrantRecord, 'grantId' | 'tenantId' | 'clientId' | 'subject' | 'scope' | 'createdAt'>,
    end: 'now' | number,
    at: string,
    reason: RevocationReason,
  ): Promise<void>;
}

/**
 * Ends the grants of a machine client's secrets: each at once, except the current secret's, which lasts until
 * `keptUntil` (a rotation's overlap). Grants of secrets that have issued no token yet are written ended too, so
 * that a token request racing the change cannot start one afterwards.
 */
export async function endMachineGrants(
  grants: MachineGrantEnder,
  client: ClientRecord,
  secrets: readonly Pick<StoredClientSecret, 'hash' | 'expiresAt'>[],
  now: Date,
  keptUntil: number | 'now',
): Promise<void> {
  const tenantId = client.tenantId;
  // A machine client always belongs to one tenant (a multi-tenant client is an authorization-code client).
  if (tenantId === undefined) return;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const current = secrets
    .filter((secret) => secretIsValid({ createdAt: '', ...secret }, nowSeconds))
    .sort((a, b) => (b.expiresAt ?? Number.POSITIVE_INFINITY) - (a.expiresAt ?? Number.POSITIVE_INFINITY))[0];
  for (const secret of secrets) {
    const end = secret === current && keptUntil !== 'now' && keptUntil > nowSeconds ? keptUntil : 'now';
    await grants.endMachineGrant(
      {
        grantId: machineGrantIdOf(client.clientId, secret),
        tenantId,
        clientId: client.clientId,
        subject: client.clientId,
        scope: 'scim',
        createdAt: now.toISOString(),
      },
      end,
      now.toISOString(),
      end === 'now' ? 'client-secret-ended' : 'admin',
    );
  }
}

export interface SecretRotationStores {
  readonly clients: {
    getWithSecretHashes(
      clientId: string,
    ): Promise<{ readonly client: ClientRecord; readonly secretHashes: readonly StoredClientSecret[] } | undefined>;
    rotateSecret(
      clientId: string,
      overlapSeconds: number,
      now: Date,
      newSecretLifetimeSeconds?: number,
    ): Promise<{ clientSecret: string; previousSecretExpiresAt: number }>;
  };
  readonly grants: MachineGrantEnder;
}

/**
 * A new secret for a client, the current one kept for `overlapSeconds`; a machine client's grants follow its
 * secrets (the dropped secrets' grants end now, the kept one's with the overlap). `no-secret` for a client that
 * authenticates with a signed JWT and so has no secret to rotate.
 */
export async function rotateClientSecret(
  stores: SecretRotationStores,
  clientId: string,
  overlapSeconds: number,
  now: Date,
  newSecretLifetimeSeconds?: number,
): Promise<'no-secret' | { clientSecret: string; previousSecretExpiresAt: number }> {
  const before = await stores.clients.getWithSecretHashes(clientId);
  if (before && clientAuthenticationOf(before.client) !== 'client_secret') return 'no-secret';
  const rotated = await stores.clients.rotateSecret(clientId, overlapSeconds, now, newSecretLifetimeSeconds);
  if (before?.client.kind === 'client_credentials') {
    await endMachineGrants(stores.grants, before.client, before.secretHashes, now, rotated.previousSecretExpiresAt);
  }
  return rotated;
}

export interface ClientRemovalStores {
  readonly clients: {
    getWithSecretHashes(
      clientId: string,
    ): Promise<{ readonly secretHashes: readonly StoredClientSecret[] } | undefined>;
    delete(clientId: string): Promise<ClientRecord | undefined>;
  };
  readonly grants: MachineGrantEnder & {
    /** Every tenant's grants without a tenant: a multi-tenant client's grants are in many. */
    list(tenantId?: string): Promise<readonly GrantRecord[]>;
    revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean>;
  };
  readonly now?: () => Date;
}

/**
 * Deletes a client and revokes every active grant it holds (RFC 9700 §4.14.2), so its refresh tokens fail at
 * once and its access tokens when the grant status is next checked; a machine client's secrets' grants are ended
 * too, including those of secrets that never got a token. Undefined for an unknown client.
 */
export async function deleteClientRevokingGrants(
  stores: ClientRemovalStores,
  clientId: string,
): Promise<{ tenantId?: string; revokedGrants: number } | undefined> {
  const secrets = (await stores.clients.getWithSecretHashes(clientId))?.secretHashes ?? [];
  const deleted = await stores.clients.delete(clientId);
  if (!deleted) return undefined;
  const now = stores.now?.() ?? new Date();
  const at = now.toISOString();
  let revokedGrants = 0;
  for (const grant of await stores.grants.list(deleted.tenantId)) {
    if (grant.clientId !== clientId || grant.status !== 'active') continue;
    if (await stores.grants.revokeIfExists(grant.grantId, at, 'client-deleted')) revokedGrants += 1;
  }
  if (deleted.kind === 'client_credentials') {
    const ended = deleted.assertionCredential ? [ASSERTION_GRANT_SECRET] : secrets;
    await endMachineGrants(stores.grants, deleted, ended, now, 'now');
  }
  return { tenantId: deleted.tenantId, revokedGrants };
}
