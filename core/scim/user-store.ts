import type { LookupKey } from './filter';
import type { UserRecord } from './user-record';

/**
 * What the SCIM core needs from storage, per tenant. Every write is atomic and conditional: the userName
 * uniqueness and lookup keys change in the same transaction as the user, and updates and deletes only apply
 * to the version that was read. Besides the errors named here, any method may raise the storage errors of
 * core/storage-errors.ts: StorageThrottledError, StorageUnavailableError, and, on create and update,
 * StorageLimitError for a user storage cannot hold (nothing is written then).
 */
export interface UserStore {
  /** One strongly consistent read. */
  get(tenantId: string, id: string): Promise<UserRecord | undefined>;
  /** @throws UserNameTakenError */
  create(tenantId: string, record: UserRecord): Promise<void>;
  /** Writes `next` only if the stored version is still `previous.version`. @throws VersionConflictError, UserNameTakenError */
  update(tenantId: string, previous: UserRecord, next: UserRecord): Promise<void>;
  /** Deletes the user and frees its userName, only if the stored version is still `record.version`. @throws VersionConflictError */
  delete(tenantId: string, record: UserRecord): Promise<void>;
  /** Every user one of the keys names (possibly more than a filter matches; never fewer), by key items only. */
  findByKeys(tenantId: string, keys: readonly LookupKey[]): Promise<UserRecord[]>;
  /** Every user of the tenant, in creation order: for filters and sorts no key can answer. */
  readAll(tenantId: string): Promise<UserRecord[]>;
  /** Users `startIndex` … `startIndex + count - 1` (1-based) in creation order, and how many there are. */
  indexPage(
    tenantId: string,
    startIndex: number,
    count: number,
  ): Promise<{ records: UserRecord[]; totalResults: number }>;
  /** Up to `count` users created after the user `afterId` (or from the first), in creation order. */
  pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: UserRecord[]; more: boolean; totalResults: number }>;
}

/** Another user of the tenant already has this userName (compared case-insensitively). */
export class UserNameTakenError extends Error {
  override readonly name = 'UserNameTakenError';
}

/** The user changed (or disappeared) since it was read. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
}
