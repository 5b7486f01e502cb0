import type { AssertionCredential } from './client-assertion';
import { hashesEqual, newOpaqueToken, opaqueTokenHash } from './opaque-tokens';

/**
 * OAuth clients: confidential, one tenant each (Okta's connection to one tenant). A client has at most two
 * valid secrets at once, so a secret can be rotated without downtime (AS-E6). Secrets are 256-bit random
 * values kept only as SHA-256 (RFC 6819 §5.1.4.1.3), and checked here; storage only keeps them.
 */
/**
 * The longest client id a request may name. Ours are UUIDs (36 characters); the bound keeps any other value,
 * at up to 4 bytes a character, far inside DynamoDB's 2048-byte partition key, so it is refused as bad input
 * instead of failing in the database.
 */
export const MAX_CLIENT_ID_LENGTH = 256;

export interface ClientSecretInfo {
  readonly createdAt: string;
  /** Epoch seconds after which the secret is refused; absent for the current secret. */
  readonly expiresAt?: number;
}

/** A client as everyone but the secret check sees it: its secrets described, never their hashes. */
export interface ClientRecord {
  readonly clientId: string;
  readonly tenantId: string;
  readonly name: string;
  /** Compared to the authorization request's `redirect_uri` by exact string equality. */
  readonly redirectUris: readonly string[];
  readonly createdAt: string;
  readonly secrets: readonly ClientSecretInfo[];
  /** Keys it signs client assertions with (RFC 7523); such a client has no secret and authenticates only so. */
  readonly assertionCredential?: AssertionCredential;
}

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

/** Stands in for the secrets of an unknown client, so that it costs the same hash and comparison (AS-E5). */
/**
 * A secret rotation: a new secret, and the client's current valid secret (the one that lasts longest) kept until
 * the earlier of its own expiry and `overlapSeconds` from now; an older secret is dropped.
 */
export function rotatedSecrets(
  stored: readonly StoredClientSecret[],
  overlapSeconds: number,
  now: Date,
): { clientSecret: string; secrets: StoredClientSecret[]; previousSecretExpiresAt: number } {
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
    { hash: opaqueTokenHash(clientSecret), createdAt: now.toISOString() },
  ];
  return { clientSecret, secrets, previousSecretExpiresAt };
}

const UNKNOWN_CLIENT_SECRETS: readonly StoredClientSecret[] = [{ hash: opaqueTokenHash(''), createdAt: '' }];

/**
 * The client when `clientSecret` is one of its valid secrets, else undefined. Every stored secret is compared
 * in constant time, and an unknown client takes the same steps as a wrong secret, so the two cannot be told
 * apart by timing (AS-E1, AS-E5).
 */
export async function authenticateClientSecret(
  source: ClientSecretSource,
  clientId: string,
  clientSecret: string,
  now: Date,
): Promise<ClientRecord | undefined> {
  const found = await source.getWithSecretHashes(clientId);
  const presented = opaqueTokenHash(clientSecret);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let matched = false;
  for (const secret of found?.secretHashes ?? UNKNOWN_CLIENT_SECRETS) {
    if (hashesEqual(presented, secret.hash) && secretIsValid(secret, nowSeconds)) matched = true;
  }
  return matched ? found?.client : undefined;
}
