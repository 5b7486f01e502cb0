import type { GrantRecord } from './grants';

/**
 * Whether the grant of a verified access token is still active, as the resource server (SCIM) sees it
 * (AS-H6). Access tokens are JWTs checked without storage, so revocation reaches them only through this
 * check; reading the grant on every call would cost a read per SCIM request, so a status is trusted for
 * GRANT_STATUS_CACHE_MS. A revoked grant's tokens therefore stop within that time (the promise is 60 seconds),
 * at the cost of one grants-table read per grant per container per window. A grant past its `expiresAt` is no
 * longer active either (checked on every call, cached or not): a machine client's grant ends with its secret.
 */
export const GRANT_STATUS_CACHE_MS = 30_000;
/** Statuses kept per container: the oldest is forgotten first. */
export const GRANT_STATUS_CACHE_ENTRIES = 1000;

/** Where a grant's status is read. */
export interface GrantStatusSource {
  get(grantId: string): Promise<Pick<GrantRecord, 'status' | 'tenantId' | 'expiresAt'> | undefined>;
}

/** The port the resource server asks. */
export interface GrantStatus {
  /** Whether the grant is active and belongs to `tenantId` (a token naming another tenant's grant is not). */
  isActive(grantId: string, tenantId: string, nowMs: number): Promise<boolean>;
  /** Forgets every status, so the next check reads storage. */
  forget(): void;
}

export function cachedGrantStatus(source: () => GrantStatusSource): GrantStatus {
  const cache = new Map<string, { active: boolean; tenantId: string; endsAtMs: number; checkedAt: number }>();
  return {
    async isActive(grantId, tenantId, nowMs) {
      const cached = cache.get(grantId);
      if (cached && nowMs - cached.checkedAt < GRANT_STATUS_CACHE_MS) {
        return cached.active && nowMs < cached.endsAtMs && cached.tenantId === tenantId;
      }
      const grant = await source().get(grantId);
      const active = grant?.status === 'active';
      const endsAtMs = grant?.expiresAt === undefined ? Number.POSITIVE_INFINITY : grant.expiresAt * 1000;
      cache.delete(grantId);
      cache.set(grantId, { active, tenantId: grant?.tenantId ?? '', endsAtMs, checkedAt: nowMs });
      if (cache.size > GRANT_STATUS_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      return active && nowMs < endsAtMs && grant?.tenantId === tenantId;
    },
    forget: () => cache.clear(),
  };
}
