import type { GrantRecord, RevocationReason } from '../oauth/grants';
import type { UserRecord } from '../scim/user-record';
import { type UserStore, VersionConflictError } from '../scim/user-store';
import type { AuditEntry } from './access-model';
import type { AccessSource, GroupMapping } from './group-access';
import type { AdminRecord, AdminSummary, BrandRecord, RoleRecord, TenantRecord } from './records';

/**
 * What the access model needs from storage. The store keeps and finds; every decision (who may be demoted,
 * what a deletion sweeps, what the audit trail says) is the service's. Every write and its audit entry are
 * one atomic write.
 */

/** Another tenant already has this name (compared by `tenantNameKey`). */
export class TenantNameTakenError extends Error {
  override readonly name = 'TenantNameTakenError';
}

/** The tenant named by a write does not exist. */
export class TenantMissingError extends Error {
  override readonly name = 'TenantMissingError';
}

/** The tenant already has an admin account with this email, or a role with this key. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
}

export interface TenantStore {
  /** With `uniqueName`, the name is claimed in the same write. @throws TenantNameTakenError */
  createTenant(record: TenantRecord, options: { readonly uniqueName: boolean }): Promise<void>;
  get(tenantId: string): Promise<TenantRecord | undefined>;
  /** Every tenant, oldest first (for the admin tools, not for request paths). */
  list(): Promise<TenantRecord[]>;
  /** @throws TenantMissingError, AlreadyExistsError */
  putAdmin(record: AdminRecord): Promise<void>;
  findAdminByEmail(tenantId: string, email: string): Promise<AdminRecord | undefined>;
  listAdmins(tenantId: string): Promise<AdminSummary[]>;
  /** Points the account at `userId` if it still has `expectedUserId`, remembering the old id; whether it did. */
  relinkAdmin(tenantId: string, email: string, expectedUserId: string, userId: string): Promise<boolean>;
  deleteAdmin(tenantId: string, email: string): Promise<AdminSummary | undefined>;
}

/** A fact a user's access change is written together with; if it no longer holds, nothing is written. */
export type AccessCondition =
  | { readonly kind: 'brand-usable'; readonly brandId: string }
  | { readonly kind: 'role-usable'; readonly roleKey: string }
  | { readonly kind: 'holds-role'; readonly userId: string; readonly role: string };

export type ConditionalWrite =
  | { readonly written: true }
  | { readonly written: false; readonly conflict: 'version' }
  /** `index` is the position of the failed condition. */
  | { readonly written: false; readonly conflict: 'condition'; readonly index: number };

/** The outcome of a user write whose only expected failure is that the record's version has moved on. */
export async function versionChecked(write: () => Promise<unknown>): Promise<ConditionalWrite> {
  try {
    await write();
    return { written: true };
  } catch (error) {
    if (error instanceof VersionConflictError) return { written: false, conflict: 'version' };
    throw error;
  }
}

export interface AccessStore {
  /** SCIM's own port on the same users, for reads. */
  readonly users: UserStore;
  /** The same users, with each creation written together with the audit entry `entryOf` makes for it. */
  recordingUsers(entryOf: (record: UserRecord) => AuditEntry): UserStore;
  tenantExists(tenantId: string): Promise<boolean>;

  /** @throws TenantMissingError */
  putBrand(tenantId: string, brand: BrandRecord, audit: AuditEntry): Promise<void>;
  /** The brands not being deleted, in no particular order. */
  listBrands(tenantId: string): Promise<BrandRecord[]>;
  /** Marks the brand as being deleted (nobody can be given it from then on); undefined if there is none. */
  markBrandDeleting(tenantId: string, brandId: string): Promise<BrandRecord | undefined>;
  /** Ids of the users whose list holds the brand. */
  usersListingBrand(tenantId: string, brandId: string): Promise<string[]>;
  removeBrand(tenantId: string, brandId: string, audit: AuditEntry): Promise<void>;
  /** Names `current` `name` if it is still there, not being deleted, and still named as in `current`; whether it did. */
  renameBrand(tenantId: string, current: BrandRecord, name: string, audit: AuditEntry): Promise<boolean>;

  /** @throws TenantMissingError, AlreadyExistsError (a role with that key) */
  putRole(tenantId: string, role: RoleRecord, audit: AuditEntry): Promise<void>;
  /** A custom role not being deleted, by key. */
  findRole(tenantId: string, key: string): Promise<RoleRecord | undefined>;
  /** The custom roles not being deleted, in no particular order. */
  listRoles(tenantId: string): Promise<RoleRecord[]>;
  markRoleDeleting(tenantId: string, key: string): Promise<RoleRecord | undefined>;
  unmarkRoleDeleting(tenantId: string, key: string): Promise<void>;
  removeRole(tenantId: string, key: string, audit: AuditEntry): Promise<void>;
  /**
   * Marks the role as being renamed to `to` (nobody can be given it from then on), unless it already is
   * being renamed: the role, the name it is being renamed to (the earlier one if so), and the rename's id
   * (made here by the first mark); undefined if there is no such role.
   */
  markRoleRenaming(
    tenantId: string,
    key: string,
    to: string,
  ): Promise<{ role: RoleRecord; to: string; renameId: string } | undefined>;
  /** Lifts the mark of a rename to `to` (a refused rename); nothing if the role is not being renamed to `to`. */
  unmarkRoleRenaming(tenantId: string, key: string, to: string): Promise<void>;
  /**
   * Creates `role` as the new name of a role being renamed, with the rename's id: nothing changes if this
   * rename created it already (run again). Not audited: the rename is, when it finishes.
   * @throws AlreadyExistsError (another role has the new key)
   */
  putRenamedRole(tenantId: string, role: RoleRecord, renameId: string): Promise<void>;
  /**
   * Ends the rename of the role `fromKey` to `role` with the audit entry, in one write: the old role goes (or,
   * for the same key, takes the new name) if it is still being renamed to `role.name`; false when it is not
   * (the rename was finished meanwhile).
   */
  finishRoleRename(tenantId: string, fromKey: string, role: RoleRecord, audit: AuditEntry): Promise<boolean>;
  /** The users holding exactly this role name. */
  usersWithRole(tenantId: string, role: string): Promise<{ id: string; userName: string }[]>;

  /**
   * Writes `next`'s access if the stored version is still `previous.version` and every condition holds. Without
   * `audit` (nothing changed but the version), nothing is recorded.
   */
  writeAccess(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    conditions: readonly AccessCondition[],
    audit: AuditEntry | undefined,
  ): Promise<ConditionalWrite>;
  /** Writes `next`'s attributes (same userName, same emails) if the stored version is still `previous.version`. */
  writeProfile(tenantId: string, previous: UserRecord, next: UserRecord, audit: AuditEntry): Promise<ConditionalWrite>;
  /** Replaces an admin account's password hash; false when there is no such account. */
  writeAdminPassword(tenantId: string, email: string, passwordHash: string, audit: AuditEntry): Promise<boolean>;
  /** Records an entry on its own (for changes kept in another store). */
  record(tenantId: string, audit: AuditEntry): Promise<void>;
  /** The latest entries about a user, or (without `userId`) about the tenant's brands and roles, newest first. */
  changes(tenantId: string, userId: string | undefined, limit: number): Promise<AuditEntry[]>;
}

/** The sign-in lock-out of the admin sign-in page (RFC 6819 §5.1.4.2.3), as far as admins may lift it. */
export interface SignInLockouts {
  /** Forgets the failed sign-ins counted against this account, so it may sign in again at once. */
  clear(account: AdminSummary): Promise<void>;
}

/** The tenant's grants (approved connections), as far as removing an admin needs them. */
export interface TenantGrants {
  list(tenantId: string): Promise<readonly GrantRecord[]>;
  /** Whether there was such a grant (revoking a revoked one changes nothing). */
  revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean>;
}

/**
 * A recomputation of users' access that has not finished: which users (everyone, or one group's members),
 * and the last user done, so that running it again continues after that user.
 */
export interface RecomputeJob {
  readonly scope: 'all' | 'group';
  readonly groupId?: string;
  /** The last user recomputed (creation order for `all`, user-id order for `group`). */
  readonly after?: string;
  readonly reason: string;
  readonly actor: string;
  readonly startedAt: string;
}

/** A tenant's access source and its pending recomputation. */
export interface AccessSettings {
  readonly source: AccessSource;
  readonly job?: RecomputeJob;
}

/**
 * Where groups give access: the tenant's access source and its group mappings, kept in the tenant's partition
 * of the users table next to the groups (the SCIM routes read them on every membership change).
 */
export interface GroupAccessStore {
  settings(tenantId: string): Promise<AccessSettings>;
  /** Sets the source and the job (or none), with the audit entry, in one write. */
  writeSettings(tenantId: string, settings: AccessSettings, audit?: AuditEntry): Promise<void>;
  mapping(tenantId: string, groupId: string): Promise<GroupMapping | undefined>;
  /** Every mapping of the tenant (at most MAX_GROUP_MAPPINGS). */
  mappings(tenantId: string): Promise<GroupMapping[]>;
  /** Writes or replaces a mapping, and the audit entry, in one write. */
  putMapping(tenantId: string, mapping: GroupMapping, audit: AuditEntry): Promise<void>;
  /** Removes a mapping, with the audit entry; false when there was none. */
  removeMapping(tenantId: string, groupId: string, audit: AuditEntry): Promise<boolean>;
}

/** The writes a recomputation of users' access makes, and the reads it needs (a part of AccessStore). */
export type AccessWrites = Pick<AccessStore, 'users' | 'writeAccess' | 'usersWithRole' | 'record'>;
