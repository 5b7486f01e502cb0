import { randomBytes, randomUUID } from 'node:crypto';
import { GRANT_STATUS_CACHE_ENTRIES, GRANT_STATUS_CACHE_MS } from './grant-status';
import { OPAQUE_TOKEN_BYTES, opaqueTokenHash } from './opaque-tokens';

/**
 * Long-lived SCIM bearer tokens: the "Secret Token" of Entra's custom app, and what OneLogin, JumpCloud,
 * Rippling and most other IdPs send as `Authorization: Bearer <token>` (RFC 6750 §2.1). A tenant's admin
 * creates one; it is shown once and only its SHA-256 is stored, like a client secret (RFC 6819 §5.1.4.1.3).
 *
 * Every token is `scimtok_` followed by 43 base64url characters (256 random bits), so a secret scanner can
 * recognise a leaked one with SCIM_TOKEN_PATTERN, and the resource server tells it from a JWT by its prefix.
 */
export const SCIM_TOKEN_PREFIX = 'scimtok_';
const SCIM_TOKEN_BODY_LENGTH = Math.ceil((OPAQUE_TOKEN_BYTES * 8) / 6);
export const SCIM_TOKEN_PATTERN = new RegExp(`^${SCIM_TOKEN_PREFIX}[A-Za-z0-9_-]{${SCIM_TOKEN_BODY_LENGTH}}$`);

/**
 * Unexpired, unrevoked tokens a tenant may hold at once: one per connected IdP and one more for a rotation.
 * A long-lived credential that nobody tracks is a liability, so more are refused.
 */
export const MAX_ACTIVE_SCIM_TOKENS_PER_TENANT = 5;

/**
 * The shortest and longest lifetime a token may be given; by default it does not expire, which is what Entra
 * asks for (an expired token quarantines its provisioning job).
 */
export const MIN_SCIM_TOKEN_LIFETIME_SECONDS = 60;
export const MAX_SCIM_TOKEN_LIFETIME_SECONDS = 3650 * 86400;

/** Within how many seconds a revoked token is refused everywhere: the bound of the token cache below. */
export const SCIM_TOKEN_REVOCATION_BOUND_SECONDS = GRANT_STATUS_CACHE_MS / 1000;

/** How long a revoked or expired token stays listed (and remembered as such) before its item expires. */
export const SCIM_TOKEN_RETENTION_SECONDS = 90 * 24 * 3600;

export type ScimTokenStatus = 'active' | 'revoked';

export interface ScimTokenRecord {
  /** The public name of the token in lists, logs and `token revoke`; never enough to use it. */
  readonly tokenId: string;
  /** base64url(SHA-256(token)): the storage key. */
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly name: string;
  readonly createdAt: string;
  /** Epoch seconds after which the token is refused; absent for a token that does not expire. */
  readonly validUntil?: number;
  readonly status: ScimTokenStatus;
  readonly revokedAt?: string;
  /** When a SCIM request last used the token, to within SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS. */
  readonly lastUsedAt?: string;
}

/**
 * How stale a token's last-used time may be: it is written at most once per interval per token (and per
 * function instance), not on every request, so provisioning bursts cost no writes.
 */
export const SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS = 3600;

/** Where the tokens are kept. */
export interface ScimTokenStorePort {
  get(tokenHash: string): Promise<ScimTokenRecord | undefined>;
  /** Every token of the tenant, revoked and expired ones included, oldest first. */
  listForTenant(tenantId: string): Promise<ScimTokenRecord[]>;
  /** Stores a new token; `retainUntil` is when its item may be deleted (epoch seconds), if ever. */
  put(record: ScimTokenRecord, retainUntil: number | undefined): Promise<void>;
  /** Marks the token revoked (keeping a first revocation's time); whether it existed. */
  markRevoked(tokenHash: string, at: string, retainUntil: number): Promise<boolean>;
  /**
   * Sets the token's last-used time to `at`, only if the token exists and its last-used time is absent or
   * before `staleBefore` (ISO 8601 strings compare in time order); whether it was written.
   */
  recordUse(tokenHash: string, at: string, staleBefore: string): Promise<boolean>;
}

export const scimTokenIsActive = (token: ScimTokenRecord, nowSeconds: number): boolean =>
  token.status === 'active' && (token.validUntil === undefined || token.validUntil > nowSeconds);

export type ScimTokenIssue =
  | { readonly ok: true; readonly token: string; readonly record: ScimTokenRecord }
  | { readonly ok: false; readonly reason: 'too-many-tokens'; readonly limit: number };

/**
 * A new token for the tenant, unless it already holds MAX_ACTIVE_SCIM_TOKENS_PER_TENANT active ones. The count
 * and the write are two steps: only the operator's `token create` issues tokens, and two of them run at once
 * for one tenant could both pass, leaving the tenant one over the limit until one is revoked.
 */
export async function issueScimToken(
  store: ScimTokenStorePort,
  request: { readonly tenantId: string; readonly name: string; readonly lifetimeSeconds?: number },
  now: Date,
): Promise<ScimTokenIssue> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const active = (await store.listForTenant(request.tenantId)).filter((token) => scimTokenIsActive(token, nowSeconds));
  if (active.length >= MAX_ACTIVE_SCIM_TOKENS_PER_TENANT) {
    return { ok: false, reason: 'too-many-tokens', limit: MAX_ACTIVE_SCIM_TOKENS_PER_TENANT };
  }
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(OPAQUE_TOKEN_BYTES).toString('base64url')}`;
  const validUntil = request.lifetimeSeconds === undefined ? undefined : nowSeconds + request.lifetimeSeconds;
  const record: ScimTokenRecord = {
    tokenId: randomUUID(),
    tokenHash: opaqueTokenHash(token),
    tenantId: request.tenantId,
    name: request.name,
    createdAt: now.toISOString(),
    ...(validUntil === undefined ? {} : { validUntil }),
    status: 'active',
  };
  await store.put(record, validUntil === undefined ? undefined : validUntil + SCIM_TOKEN_RETENTION_SECONDS);
  return { ok: true, token, record };
}

/** Revokes the tenant's token `tokenId`; the revoked record, or undefined when the tenant has no such token. */
export async function revokeScimToken(
  store: ScimTokenStorePort,
  tenantId: string,
  tokenId: string,
  now: Date,
): Promise<ScimTokenRecord | undefined> {
  const token = (await store.listForTenant(tenantId)).find((candidate) => candidate.tokenId === tokenId);
  if (!token) return undefined;
  const at = now.toISOString();
  const retainUntil = Math.floor(now.getTime() / 1000) + SCIM_TOKEN_RETENTION_SECONDS;
  if (!(await store.markRevoked(token.tokenHash, at, retainUntil))) return undefined;
  return { ...token, status: 'revoked', revokedAt: token.revokedAt ?? at };
}

export type ScimTokenCheck =
  | { readonly ok: true; readonly token: ScimTokenRecord }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'unknown' | 'revoked' | 'expired';
      /** The refused token's public id and tenant, when it is one of ours. */
      readonly token?: ScimTokenRecord;
    };

export interface ScimTokenVerifier {
  verify(presented: string, nowMs: number): Promise<ScimTokenCheck>;
  /** Forgets every cached token, so the next check reads storage. */
  forget(): void;
}

/**
 * Checks a presented SCIM token with at most one storage read per token per GRANT_STATUS_CACHE_MS, the bound
 * a revoked grant's access tokens have, so a revoked token stops within the same time. Unknown tokens are
 * cached too, so repeating one costs no more reads; a malformed token costs none. Expiry is checked against
 * the clock on every call, cached or not.
 */
export function cachedScimTokens(source: () => Pick<ScimTokenStorePort, 'get'>): ScimTokenVerifier {
  const cache = new Map<string, { token: ScimTokenRecord | undefined; checkedAt: number }>();
  const lookUp = async (tokenHash: string, nowMs: number) => {
    const cached = cache.get(tokenHash);
    if (cached && nowMs - cached.checkedAt < GRANT_STATUS_CACHE_MS) return cached.token;
    const token = await source().get(tokenHash);
    cache.delete(tokenHash);
    cache.set(tokenHash, { token, checkedAt: nowMs });
    if (cache.size > GRANT_STATUS_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    return token;
  };
  return {
    async verify(presented, nowMs) {
      if (!SCIM_TOKEN_PATTERN.test(presented)) return { ok: false, reason: 'malformed' };
      const token = await lookUp(opaqueTokenHash(presented), nowMs);
      if (!token) return { ok: false, reason: 'unknown' };
      if (token.status !== 'active') return { ok: false, reason: 'revoked', token };
      if (!scimTokenIsActive(token, Math.floor(nowMs / 1000))) return { ok: false, reason: 'expired', token };
      return { ok: true, token };
    },
    forget: () => cache.clear(),
  };
}

/**
 * The last-used write of a verified token, when it is due: when the stored time (as last read) is older than
 * SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS and this instance has not tried within the interval. The write itself
 * is conditional on the stored time, so instances racing each other write once per interval between them.
 */
export function lastUseRecorder(store: () => Pick<ScimTokenStorePort, 'recordUse'>) {
  const intervalMs = SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS * 1000;
  const attempted = new Map<string, number>();
  return async (token: ScimTokenRecord, nowMs: number): Promise<'recorded' | 'not-due' | 'already-recorded'> => {
    const staleBeforeMs = nowMs - intervalMs;
    const storedMs = token.lastUsedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(token.lastUsedAt);
    const attemptedMs = attempted.get(token.tokenHash) ?? Number.NEGATIVE_INFINITY;
    if (storedMs > staleBeforeMs || attemptedMs > staleBeforeMs) return 'not-due';
    attempted.delete(token.tokenHash);
    attempted.set(token.tokenHash, nowMs);
    if (attempted.size > GRANT_STATUS_CACHE_ENTRIES) attempted.delete(attempted.keys().next().value as string);
    const written = await store().recordUse(
      token.tokenHash,
      new Date(nowMs).toISOString(),
      new Date(staleBeforeMs).toISOString(),
    );
    return written ? 'recorded' : 'already-recorded';
  };
}
