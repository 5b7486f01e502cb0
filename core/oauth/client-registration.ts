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

export interface ClientRemovalStores {
  readonly clients: { delete(clientId: string): Promise<{ readonly tenantId: string } | undefined> };
  readonly grants: {
    list(tenantId: string): Promise<readonly GrantRecord[]>;
    revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean>;
  };
  readonly now?: () => Date;
}

/**
 * Deletes a client and revokes every active grant it holds (RFC 9700 §4.14.2), so its refresh tokens fail at
 * once and its access tokens when the grant status is next checked. Undefined for an unknown client.
 */
export async function deleteClientRevokingGrants(
  stores: ClientRemovalStores,
  clientId: string,
): Promise<{ tenantId: string; revokedGrants: number } | undefined> {
  const deleted = await stores.clients.delete(clientId);
  if (!deleted) return undefined;
  const at = (stores.now?.() ?? new Date()).toISOString();
  let revokedGrants = 0;
  for (const grant of await stores.grants.list(deleted.tenantId)) {
    if (grant.clientId !== clientId || grant.status !== 'active') continue;
    if (await stores.grants.revokeIfExists(grant.grantId, at, 'client-deleted')) revokedGrants += 1;
  }
  return { tenantId: deleted.tenantId, revokedGrants };
}
