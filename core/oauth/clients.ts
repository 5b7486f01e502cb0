import type { AssertionCredential } from './client-assertion';
import { hashesEqual, newOpaqueToken, opaqueTokenHash } from './opaque-tokens';

/**
 * OAuth clients, one tenant each (Okta's or Entra's connection to one tenant). A confidential client has at
 * most two valid secrets at once, so a secret can be rotated without downtime (AS-E6). Secrets are 256-bit
 * random values kept only as SHA-256 (RFC 6819 §5.1.4.1.3), and checked here; storage only keeps them. A
 * public client (RFC 6749 §2.1) has no secret at all and proves itself with PKCE instead.
 */
/**
 * The longest client id a request may name. Ours are UUIDs (36 characters); the bound keeps any other value,
 * at up to 4 bytes a character, far inside DynamoDB's 2048-byte partition key, so it is refused as bad input
 * instead of failing in the database.
 */
export const MAX_CLIENT_ID_LENGTH = 256;

/** Every client id this service issues is a UUID in RFC 9562 §4's text form (random, or derived from a form). */
const CLIENT_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A client id a request presents, as the logs and the activity log may name it: only a value shaped like one of
 * ours. A caller that puts its secret (or a token) where the client id goes must not find it in the logs, and a
 * value of any other shape names no client anyway.
 */
export const loggableClientId = (presented: string): string | undefined =>
  CLIENT_ID_SHAPE.test(presented) ? presented : undefined;

export interface ClientSecretInfo {
  readonly createdAt: string;
  /**
   * Epoch seconds from which the secret is refused: the end of a rotation's overlap, or the expiry the admin
   * gave it; absent for a secret that does not expire.
   */
  readonly expiresAt?: number;
}

/**
 * What a client may do at the token endpoint, as the RFC 7591 §2 `grant_types` it holds. There are two kinds:
 * - an authorization-code client (Okta): `authorization_code` and `refresh_token`, with redirect URIs and an
 *   admin's consent per grant;
 * - a machine client (Entra): `client_credentials` only (RFC 6749 §4.4), no redirect URI and no consent, since
 *   the admin who creates it approves it.
 * A client record written before kinds existed has no grant types and is an authorization-code client.
 */
export type ClientKind = 'authorization_code' | 'client_credentials';
export type ClientGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export const GRANT_TYPES_OF_KIND: Readonly<Record<ClientKind, readonly ClientGrantType[]>> = {
  authorization_code: ['authorization_code', 'refresh_token'],
  client_credentials: ['client_credentials'],
};

/**
 * The access-token lifetime a machine client may be given: Entra expects 60 minutes to 6 hours and checks it in
 * its credential test; the default is the shortest.
 */
export const MIN_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 6 * 3600;
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = MIN_ACCESS_TOKEN_LIFETIME_SECONDS;

/**
 * The expiry a client secret may be given: at least a day (a shorter one is a typo, not a policy) and at most
 * three years (Entra's gallery rules ask for secrets that end after 1–3 years).
 */
export const MIN_SECRET_LIFETIME_SECONDS = 86_400;
export const MAX_SECRET_LIFETIME_SECONDS = 3 * 365 * 86_400;

/** A client as everyone but the secret check sees it: its secrets described, never their hashes. */
export interface ClientRecord {
  readonly clientId: string;
  /**
   * The tenant the client connects to; absent for a multi-tenant client (the one client of an app in Okta's
   * catalogue, OIN), whose every grant belongs to the organization of the admin who approves it
   * (core/oauth/authorization-tenant.ts).
   */
  readonly tenantId?: string;
  readonly name: string;
  readonly kind: ClientKind;
  /** Compared to the authorization request's `redirect_uri` by exact string equality; none for a machine client. */
  readonly redirectUris: readonly string[];
  /** A machine client's access-token lifetime (MIN…MAX_ACCESS_TOKEN_LIFETIME_SECONDS); absent for a code client. */
  readonly accessTokenLifetimeSeconds?: number;
  readonly createdAt: string;
  readonly secrets: readonly ClientSecretInfo[];
  /** Keys it signs client assertions with (RFC 7523); such a client has no secret and authenticates only so. */
  readonly assertionCredential?: AssertionCredential;
  /**
   * A public client (RFC 6749 §2.1, RFC 7591 §2 `token_endpoint_auth_method` `none`): an authorization-code
   * client with no secret, which names itself by `client_id` alone and must use PKCE with S256 on every
   * authorization (RFC 9700 §2.1.1); its refresh tokens rotate on every use (RFC 9700 §4.14.2).
   */
  readonly publicClient?: true;
}

/** What registering a public client is given: an authorization-code client of one tenant, without a secret. */
export interface NewPublicClient {
  readonly tenantId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
}

export const isPublicClient = (client: Pick<ClientRecord, 'publicClient'>): boolean => client.publicClient === true;

/**
 * How a client authenticates at the token endpoint, as RFC 7591 §2 `token_endpoint_auth_method` names it:
 * one of its secrets (Basic or in the body), a signed JWT, or nothing (a public client).
 */
export type ClientAuthentication = 'client_secret' | 'private_key_jwt' | 'none';

export const clientAuthenticationOf = (
  client: Pick<ClientRecord, 'publicClient' | 'assertionCredential'>,
): ClientAuthentication =>
  isPublicClient(client) ? 'none' : client.assertionCredential !== undefined ? 'private_key_jwt' : 'client_secret';

/** What `create` is given; the store adds the id, the creation time and the first secret. */
export type NewClient =
  | {
      /** Absent for a multi-tenant client, which only the operator registers. */
      readonly tenantId?: string;
      readonly name: string;
      readonly kind?: 'authorization_code';
      readonly redirectUris: readonly string[];
      readonly secretLifetimeSeconds?: number;
    }
  | {
      readonly tenantId: string;
      readonly name: string;
      readonly kind: 'client_credentials';
      readonly accessTokenLifetimeSeconds?: number;
      readonly secretLifetimeSeconds?: number;
    };

/**
 * A machine client that authenticates with a signed JWT (RFC 7523) instead of a secret: the settings of a
 * `client_credentials` client, and where its keys come from.
 */
export type NewAssertionClient = Omit<Extract<NewClient, { kind: 'client_credentials' }>, 'secretLifetimeSeconds'> & {
  readonly assertionCredential: AssertionCredential;
};

/** Whether the client serves every tenant (Okta's catalogue, OIN) rather than one. */
export const isMultiTenantClient = (client: Pick<ClientRecord, 'tenantId'>): boolean => client.tenantId === undefined;

export const clientAllowsGrant = (client: Pick<ClientRecord, 'kind'>, grantType: string): boolean =>
  (GRANT_TYPES_OF_KIND[client.kind] as readonly string[]).includes(grantType);

const within = (value: number | undefined, min: number, max: number): boolean =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= max);

const SECRET_LIFETIME_PROBLEM = 'A secret expires after 1 day at the earliest and 3 years at the latest';

/** Why a secret lifetime is refused, or undefined when it is acceptable (or not given). */
export const secretLifetimeProblem = (seconds: number | undefined): string | undefined =>
  within(seconds, MIN_SECRET_LIFETIME_SECONDS, MAX_SECRET_LIFETIME_SECONDS) ? undefined : SECRET_LIFETIME_PROBLEM;

/** Why a new client's settings are refused (for the admin), or undefined when they are acceptable. */
export function newClientProblem(client: NewClient): string | undefined {
  const secretProblem = secretLifetimeProblem(client.secretLifetimeSeconds);
  if (secretProblem) return secretProblem;
  if (client.kind === 'client_credentials') {
    if (
      !within(client.accessTokenLifetimeSeconds, MIN_ACCESS_TOKEN_LIFETIME_SECONDS, MAX_ACCESS_TOKEN_LIFETIME_SECONDS)
    ) {
      return 'A machine client’s access tokens live between 60 minutes and 6 hours';
    }
  } else if (client.redirectUris.length === 0) {
    return 'An authorization-code client needs at least one redirect URI';
  }
  return undefined;
}

/**
 * The client record and first secret of a new client (the stores' shared rule): `kind` defaults to
 * authorization code, a machine client has no redirect URI and the default token lifetime unless given one,
 * and the secret expires `secretLifetimeSeconds` after creation when that is given. Throws on settings
 * `newClientProblem` refuses.
 */
export function newClientRecord(
  client: NewClient,
  clientId: string,
  now: Date,
): { record: Omit<ClientRecord, 'secrets'>; clientSecret: string; secret: StoredClientSecret } {
  const problem = newClientProblem(client);
  if (problem) throw new RangeError(problem);
  const createdAt = now.toISOString();
  const clientSecret = newOpaqueToken();
  const secret: StoredClientSecret = {
    hash: opaqueTokenHash(clientSecret),
    createdAt,
    ...(client.secretLifetimeSeconds === undefined
      ? {}
      : { expiresAt: Math.floor(now.getTime() / 1000) + client.secretLifetimeSeconds }),
  };
  const common = {
    clientId,
    ...(client.tenantId === undefined ? {} : { tenantId: client.tenantId }),
    name: client.name,
    createdAt,
  };
  const record: Omit<ClientRecord, 'secrets'> =
    client.kind === 'client_credentials'
      ? {
          ...common,
          kind: 'client_credentials',
          redirectUris: [],
          accessTokenLifetimeSeconds: client.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
        }
      : { ...common, kind: 'authorization_code', redirectUris: [...client.redirectUris] };
  return { record, clientSecret, secret };
}

/**
 * The record of a new public client (the stores' shared rule): the settings of an authorization-code client,
 * checked the same way, and no secret. Throws on settings `newClientProblem` refuses.
 */
export function newPublicClientRecord(
  client: NewPublicClient,
  clientId: string,
  now: Date,
): Omit<ClientRecord, 'secrets'> {
  const { record } = newClientRecord({ ...client, kind: 'authorization_code' }, clientId, now);
  return { ...record, publicClient: true };
}

/** A stored client's kind: a record from before kinds existed is an authorization-code client. */
export const storedClientKind = (kind: unknown): ClientKind =>
  kind === 'client_credentials' ? 'client_credentials' : 'authorization_code';

export interface StoredClientSecret extends ClientSecretInfo {
  /** base64url(SHA-256(secret)). */
  readonly hash: string;
}

/** The read side of the client store. */
export interface ClientDirectory {
  get(clientId: string): Promise<ClientRecord | undefined>;
}

/** What the secret check reads: the client with the hashes of its secrets. */
export interface ClientSecretSource {
  getWithSecretHashes(
    clientId: string,
  ): Promise<{ readonly client: ClientRecord; readonly secretHashes: readonly StoredClientSecret[] } | undefined>;
}

export const secretIsValid = (secret: ClientSecretInfo, nowSeconds: number): boolean =>
  secret.expiresAt === undefined || secret.expiresAt > nowSeconds;

/**
 * A secret rotation: a new secret (expiring `newSecretLifetimeSeconds` from now when that is given), and the
 * client's current valid secret (the one that lasts longest) kept until the earlier of its own expiry and
 * `overlapSeconds` from now; an older secret is dropped.
 */
export function rotatedSecrets(
  stored: readonly StoredClientSecret[],
  overlapSeconds: number,
  now: Date,
  newSecretLifetimeSeconds?: number,
): { clientSecret: string; secrets: StoredClientSecret[]; previousSecretExpiresAt: number } {
  const secretProblem = secretLifetimeProblem(newSecretLifetimeSeconds);
  if (secretProblem) throw new RangeError(secretProblem);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const current = [...stored]
    .filter((secret) => secretIsValid(secret, nowSeconds))
    .sort((a, b) => (b.expiresAt ?? Number.POSITIVE_INFINITY) - (a.expiresAt ?? Number.POSITIVE_INFINITY))[0];
  const previousSecretExpiresAt = Math.min(current?.expiresAt ?? Number.POSITIVE_INFINITY, nowSeconds + overlapSeconds);
  const clientSecret = newOpaqueToken();
  const secrets: StoredClientSecret[] = [
    ...(current && previousSecretExpiresAt > nowSeconds
      ? [{ hash: current.hash, createdAt: current.createdAt, expiresAt: previousSecretExpiresAt }]
      : []),
    {
      hash: opaqueTokenHash(clientSecret),
      createdAt: now.toISOString(),
      ...(newSecretLifetimeSeconds === undefined ? {} : { expiresAt: nowSeconds + newSecretLifetimeSeconds }),
    },
  ];
  return { clientSecret, secrets, previousSecretExpiresAt };
}

/** Stands in for the secrets of an unknown client, so that it costs the same hash and comparison (AS-E5). */
const UNKNOWN_CLIENT_SECRETS: readonly StoredClientSecret[] = [{ hash: opaqueTokenHash(''), createdAt: '' }];

/**
 * The client named `clientId` (when it exists) and the valid secret `clientSecret` matched (when one did).
 * Every stored secret is compared in constant time, and an unknown client takes the same steps as a wrong
 * secret, so the two cannot be told apart by timing (AS-E1, AS-E5).
 */
export async function matchClientSecret(
  source: ClientSecretSource,
  clientId: string,
  clientSecret: string,
  now: Date,
): Promise<{ readonly client?: ClientRecord; readonly secret?: StoredClientSecret }> {
  const found = await source.getWithSecretHashes(clientId);
  const presented = opaqueTokenHash(clientSecret);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let matched: StoredClientSecret | undefined;
  for (const secret of found?.secretHashes ?? UNKNOWN_CLIENT_SECRETS) {
    if (hashesEqual(presented, secret.hash) && secretIsValid(secret, nowSeconds)) matched = secret;
  }
  return { ...(found ? { client: found.client } : {}), ...(found && matched ? { secret: matched } : {}) };
}

/** The client when `clientSecret` is one of its valid secrets, else undefined (see matchClientSecret). */
export async function authenticateClientSecret(
  source: ClientSecretSource,
  clientId: string,
  clientSecret: string,
  now: Date,
): Promise<ClientRecord | undefined> {
  const { client, secret } = await matchClientSecret(source, clientId, clientSecret, now);
  return secret ? client : undefined;
}

/**
 * The grant every access token a machine client gets with one of its secrets is issued under: one per secret,
 * its id derived from the client and the secret's hash (never the hash itself), so that the token endpoint
 * and the admin tools name the same grant without coordinating. Ending the secret (rotation, deletion) ends
 * the grant, and the resource server's grant check then stops the secret's tokens (core/oauth/grant-status.ts).
 */
/**
 * What stands for the secret in the grant of a machine client that authenticates with client assertions (it has
 * no secret): one grant per such client, ended when the client is deleted.
 */
export const ASSERTION_GRANT_SECRET = { hash: 'client-assertion' } as const;

export const machineGrantIdOf = (clientId: string, secret: Pick<StoredClientSecret, 'hash'>): string =>
  `${clientId}.${opaqueTokenHash(`machine-grant:${secret.hash}`).slice(0, 22)}`;
