import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../core/access/access-model';
import { DEFAULT_ACCESS_SOURCE, type GroupMapping } from '../../core/access/group-access';
import {
  type AccessCondition,
  type AccessSettings,
  type AccessStore,
  AlreadyExistsError,
  type ConditionalWrite,
  type GroupAccessStore,
  type SignInLockouts,
  TenantMissingError,
  TenantNameTakenError,
  type TenantStore,
  versionChecked,
} from '../../core/access/ports';
import {
  type AdminRecord,
  type AdminSummary,
  type BrandRecord,
  normalizeEmail,
  type RoleRecord,
  type TenantRecord,
  tenantNameKey,
} from '../../core/access/records';
import type { UserRecord } from '../../core/scim/user-record';
import { VersionConflictError } from '../../core/scim/user-store';
import { MemoryClientStore } from './client-store';
import { MemoryUserStore } from './user-store';

/**
 * The access model's ports in memory, for the future web console's previews and for fast tests of the rules.
 * Each write checks and applies in one synchronous step (nothing is awaited in between), which is what the
 * DynamoDB adapters get from conditional writes and transactions.
 */
interface Marked<T> {
  readonly record: T;
  deleting: boolean;
  /** A role being renamed: the new name. */
  renamingTo?: string;
  /** A role being renamed, or created by a rename not yet finished: the rename's id. */
  renameId?: string;
}

interface TenantData {
  readonly record: TenantRecord;
  readonly admins: Map<string, AdminRecord>;
  readonly brands: Map<string, Marked<BrandRecord>>;
  readonly roles: Map<string, Marked<RoleRecord>>;
  readonly audit: AuditEntry[];
}

/** What the users table keeps of a tenant's access from groups (it outlives nothing either). */
interface GroupAccessData {
  settings?: AccessSettings;
  readonly mappings: Map<string, GroupMapping>;
}

class MemoryData {
  readonly tenants = new Map<string, TenantData>();
  readonly claimedNames = new Set<string>();
  readonly lockedAccounts = new Set<string>();
  readonly users = new MemoryUserStore();
  readonly groupAccess = new Map<string, GroupAccessData>();

  tenant(tenantId: string): TenantData | undefined {
    return this.tenants.get(tenantId);
  }

  requireTenant(tenantId: string): TenantData {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) throw new TenantMissingError();
    return tenant;
  }

  /** Audit entries live with the users; a tenant's trail outlives nothing it describes. */
  audit(tenantId: string): AuditEntry[] {
    return this.tenant(tenantId)?.audit ?? this.orphanAudit(tenantId);
  }

  private readonly orphans = new Map<string, AuditEntry[]>();

  private orphanAudit(tenantId: string): AuditEntry[] {
    let entries = this.orphans.get(tenantId);
    if (!entries) {
      entries = [];
      this.orphans.set(tenantId, entries);
    }
    return entries;
  }
}

const summary = ({ passwordHash: _hash, ...rest }: AdminRecord): AdminSummary => structuredClone(rest);

class MemoryTenantStore implements TenantStore {
  constructor(private readonly data: MemoryData) {}

  async createTenant(record: TenantRecord, options: { readonly uniqueName: boolean }): Promise<void> {
    const nameKey = tenantNameKey(record.name);
    if (options.uniqueName && this.data.claimedNames.has(nameKey)) throw new TenantNameTakenError();
    if (options.uniqueName) this.data.claimedNames.add(nameKey);
    this.data.tenants.set(record.tenantId, {
      record: structuredClone(record),
      admins: new Map(),
      brands: new Map(),
      roles: new Map(),
      audit: [],
    });
  }

  async get(tenantId: string): Promise<TenantRecord | undefined> {
    const tenant = this.data.tenant(tenantId);
    return tenant && structuredClone(tenant.record);
  }

  async list(): Promise<TenantRecord[]> {
    return [...this.data.tenants.values()]
      .map((tenant) => structuredClone(tenant.record))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId));
  }

  async putAdmin(record: AdminRecord): Promise<void> {
    const tenant = this.data.requireTenant(record.tenantId);
    const key = normalizeEmail(record.email);
    if (tenant.admins.has(key)) throw new AlreadyExistsError();
    tenant.admins.set(key, structuredClone(record));
  }

  async findAdminByEmail(tenantId: string, email: string): Promise<AdminRecord | undefined> {
    const admin = this.data.tenant(tenantId)?.admins.get(normalizeEmail(email));
    return admin && structuredClone(admin);
  }

  async listAdmins(tenantId: string): Promise<AdminSummary[]> {
    return [...(this.data.tenant(tenantId)?.admins.values() ?? [])].map(summary);
  }

  async relinkAdmin(tenantId: string, email: string, expectedUserId: string, userId: string): Promise<boolean> {
    const admins = this.data.tenant(tenantId)?.admins;
    const admin = admins?.get(normalizeEmail(email));
    if (!admins || admin?.userId !== expectedUserId) return false;
    admins.set(normalizeEmail(email), {
      ...admin,
      userId,
      formerUserIds: [...(admin.formerUserIds ?? []), expectedUserId],
    });
    return true;
  }

  async deleteAdmin(tenantId: string, email: string): Promise<AdminSummary | undefined> {
    const admins = this.data.tenant(tenantId)?.admins;
    const admin = admins?.get(normalizeEmail(email));
    if (!admin) return undefined;
    admins?.delete(normalizeEmail(email));
    return summary(admin);
  }
}

class MemoryAccessStore implements AccessStore {
  constructor(private readonly data: MemoryData) {}

  get users(): MemoryUserStore {
    return this.data.users;
  }

  recordingUsers(entryOf: (record: UserRecord) => AuditEntry): MemoryUserStore {
    return this.data.users.withCreateCompanion((tenantId, record) => this.append(tenantId, entryOf(record)));
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    return this.data.tenant(tenantId) !== undefined;
  }

  async putBrand(tenantId: string, brand: BrandRecord, audit: AuditEntry): Promise<void> {
    const tenant = this.data.requireTenant(tenantId);
    if (tenant.brands.has(brand.brandId)) throw new AlreadyExistsError();
    tenant.brands.set(brand.brandId, { record: structuredClone(brand), deleting: false });
    this.append(tenantId, audit);
  }

  async listBrands(tenantId: string): Promise<BrandRecord[]> {
    return usable(this.data.tenant(tenantId)?.brands);
  }

  async markBrandDeleting(tenantId: string, brandId: string): Promise<BrandRecord | undefined> {
    return mark(this.data.tenant(tenantId)?.brands, brandId);
  }

  async usersListingBrand(tenantId: string, brandId: string): Promise<string[]> {
    return this.data.users
      .all(tenantId)
      .filter((user) => user.access.brands.includes(brandId))
      .map((user) => user.id);
  }

  async removeBrand(tenantId: string, brandId: string, audit: AuditEntry): Promise<void> {
    this.data.tenant(tenantId)?.brands.delete(brandId);
    this.append(tenantId, audit);
  }

  async renameBrand(tenantId: string, current: BrandRecord, name: string, audit: AuditEntry): Promise<boolean> {
    const brands = this.data.tenant(tenantId)?.brands;
    const brand = brands?.get(current.brandId);
    if (!brands || !brand || brand.deleting || brand.record.name !== current.name) return false;
    brands.set(current.brandId, { record: { ...brand.record, name }, deleting: false });
    this.append(tenantId, audit);
    return true;
  }

  async putRole(tenantId: string, role: RoleRecord, audit: AuditEntry): Promise<void> {
    const tenant = this.data.requireTenant(tenantId);
    if (tenant.roles.has(role.key)) throw new AlreadyExistsError();
    tenant.roles.set(role.key, { record: structuredClone(role), deleting: false });
    this.append(tenantId, audit);
  }

  async findRole(tenantId: string, key: string): Promise<RoleRecord | undefined> {
    const role = this.data.tenant(tenantId)?.roles.get(key);
    return role && !role.deleting ? structuredClone(role.record) : undefined;
  }

  async listRoles(tenantId: string): Promise<RoleRecord[]> {
    return usable(this.data.tenant(tenantId)?.roles);
  }

  async markRoleDeleting(tenantId: string, key: string): Promise<RoleRecord | undefined> {
    return mark(this.data.tenant(tenantId)?.roles, key);
  }

  async unmarkRoleDeleting(tenantId: string, key: string): Promise<void> {
    const role = this.data.tenant(tenantId)?.roles.get(key);
    if (role) role.deleting = false;
  }

  async removeRole(tenantId: string, key: string, audit: AuditEntry): Promise<void> {
    this.data.tenant(tenantId)?.roles.delete(key);
    this.append(tenantId, audit);
  }

  async markRoleRenaming(
    tenantId: string,
    key: string,
    to: string,
  ): Promise<{ role: RoleRecord; to: string; renameId: string } | undefined> {
    const role = this.data.tenant(tenantId)?.roles.get(key);
    if (!role) return undefined;
    if (role.renamingTo === undefined) {
      role.renamingTo = to;
      role.renameId = randomUUID();
    }
    return { role: structuredClone(role.record), to: role.renamingTo, renameId: role.renameId ?? '' };
  }

  async unmarkRoleRenaming(tenantId: string, key: string, to: string): Promise<void> {
    const role = this.data.tenant(tenantId)?.roles.get(key);
    if (role?.renamingTo !== to) return;
    role.renamingTo = undefined;
    role.renameId = undefined;
  }

  async putRenamedRole(tenantId: string, role: RoleRecord, renameId: string): Promise<void> {
    const roles = this.data.requireTenant(tenantId).roles;
    const existing = roles.get(role.key);
    if (existing?.renameId === renameId) return;
    if (existing) throw new AlreadyExistsError();
    roles.set(role.key, { record: structuredClone(role), deleting: false, renameId });
  }

  async finishRoleRename(tenantId: string, fromKey: string, role: RoleRecord, audit: AuditEntry): Promise<boolean> {
    const roles = this.data.tenant(tenantId)?.roles;
    const old = roles?.get(fromKey);
    if (!roles || old?.renamingTo !== role.name) return false;
    if (role.key === fromKey) {
      roles.set(fromKey, { record: structuredClone(role), deleting: old.deleting });
    } else {
      roles.delete(fromKey);
      const renamed = roles.get(role.key);
      if (renamed) renamed.renameId = undefined;
    }
    this.append(tenantId, audit);
    return true;
  }

  async usersWithRole(tenantId: string, role: string): Promise<{ id: string; userName: string }[]> {
    return this.data.users
      .all(tenantId)
      .filter((user) => user.access.role === role)
      .map((user) => ({ id: user.id, userName: user.attributes.userName }));
  }

  async writeAccess(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    conditions: readonly AccessCondition[],
    audit: AuditEntry | undefined,
  ): Promise<ConditionalWrite> {
    let failed = -1;
    try {
      const written = this.data.users.replace(
        tenantId,
        previous,
        next,
        () => {
          failed = conditions.findIndex((condition) => !this.holds(tenantId, condition));
          return failed < 0;
        },
        () => {
          if (audit) this.append(tenantId, audit);
        },
      );
      return written ? { written: true } : { written: false, conflict: 'condition', index: failed };
    } catch (error) {
      if (error instanceof VersionConflictError) return { written: false, conflict: 'version' };
      throw error;
    }
  }

  async writeProfile(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    audit: AuditEntry,
  ): Promise<ConditionalWrite> {
    return versionChecked(() => this.data.users.update(tenantId, previous, next, () => this.append(tenantId, audit)));
  }

  async writeAdminPassword(tenantId: string, email: string, passwordHash: string, audit: AuditEntry): Promise<boolean> {
    const admins = this.data.tenant(tenantId)?.admins;
    const admin = admins?.get(normalizeEmail(email));
    if (!admins || !admin) return false;
    admins.set(normalizeEmail(email), { ...admin, passwordHash });
    this.append(tenantId, audit);
    return true;
  }

  async record(tenantId: string, audit: AuditEntry): Promise<void> {
    this.append(tenantId, audit);
  }

  async changes(tenantId: string, userId: string | undefined, limit: number): Promise<AuditEntry[]> {
    return this.data
      .audit(tenantId)
      .filter((entry) => entry.userId === userId)
      .reverse()
      .slice(0, limit)
      .map((entry) => structuredClone(entry));
  }

  private holds(tenantId: string, condition: AccessCondition): boolean {
    const tenant = this.data.tenant(tenantId);
    switch (condition.kind) {
      case 'brand-usable':
        return tenant?.brands.get(condition.brandId)?.deleting === false;
      case 'role-usable': {
        const role = tenant?.roles.get(condition.roleKey);
        return role?.deleting === false && role.renamingTo === undefined;
      }
      case 'holds-role':
        return this.data.users
          .all(tenantId)
          .some((user) => user.id === condition.userId && user.access.role === condition.role);
    }
  }

  private append(tenantId: string, entry: AuditEntry): void {
    this.data.audit(tenantId).push(structuredClone(entry));
  }
}

class MemoryGroupAccessStore implements GroupAccessStore {
  constructor(private readonly data: MemoryData) {}

  async settings(tenantId: string): Promise<AccessSettings> {
    return structuredClone(this.tenant(tenantId).settings ?? { source: DEFAULT_ACCESS_SOURCE });
  }

  async writeSettings(tenantId: string, settings: AccessSettings, audit?: AuditEntry): Promise<void> {
    this.tenant(tenantId).settings = structuredClone(settings);
    if (audit) this.data.audit(tenantId).push(structuredClone(audit));
  }

  async mapping(tenantId: string, groupId: string): Promise<GroupMapping | undefined> {
    const mapping = this.tenant(tenantId).mappings.get(groupId);
    return mapping && structuredClone(mapping);
  }

  async mappings(tenantId: string): Promise<GroupMapping[]> {
    return [...this.tenant(tenantId).mappings.values()].map((mapping) => structuredClone(mapping));
  }

  async putMapping(tenantId: string, mapping: GroupMapping, audit: AuditEntry): Promise<void> {
    this.tenant(tenantId).mappings.set(mapping.groupId, structuredClone(mapping));
    this.data.audit(tenantId).push(structuredClone(audit));
  }

  async removeMapping(tenantId: string, groupId: string, audit: AuditEntry): Promise<boolean> {
    if (!this.tenant(tenantId).mappings.delete(groupId)) return false;
    this.data.audit(tenantId).push(structuredClone(audit));
    return true;
  }

  private tenant(tenantId: string): GroupAccessData {
    let found = this.data.groupAccess.get(tenantId);
    if (!found) {
      found = { mappings: new Map() };
      this.data.groupAccess.set(tenantId, found);
    }
    return found;
  }
}

class MemorySignInLockouts implements SignInLockouts {
  constructor(private readonly data: MemoryData) {}

  /** For tests: what the sign-in page's failed attempts would do. */
  lock(account: Pick<AdminSummary, 'tenantId' | 'email'>): void {
    this.data.lockedAccounts.add(`${account.tenantId}#${normalizeEmail(account.email)}`);
  }

  isLocked(account: Pick<AdminSummary, 'tenantId' | 'email'>): boolean {
    return this.data.lockedAccounts.has(`${account.tenantId}#${normalizeEmail(account.email)}`);
  }

  async clear(account: AdminSummary): Promise<void> {
    this.data.lockedAccounts.delete(`${account.tenantId}#${normalizeEmail(account.email)}`);
  }
}

function usable<T>(items: Map<string, Marked<T>> | undefined): T[] {
  return [...(items?.values() ?? [])].filter((item) => !item.deleting).map((item) => structuredClone(item.record));
}

function mark<T>(items: Map<string, Marked<T>> | undefined, key: string): T | undefined {
  const item = items?.get(key);
  if (!item) return undefined;
  item.deleting = true;
  return structuredClone(item.record);
}

/**
 * One in-memory database: the tenant store, the access store and the sign-in lock-outs share it, and the OAuth
 * clients belong to its tenants.
 */
export function memoryAccessStores(): {
  tenants: MemoryTenantStore;
  access: MemoryAccessStore;
  lockouts: MemorySignInLockouts;
  clients: MemoryClientStore;
  groupAccess: MemoryGroupAccessStore;
} {
  const data = new MemoryData();
  return {
    tenants: new MemoryTenantStore(data),
    access: new MemoryAccessStore(data),
    lockouts: new MemorySignInLockouts(data),
    clients: new MemoryClientStore((tenantId) => data.tenant(tenantId) !== undefined),
    groupAccess: new MemoryGroupAccessStore(data),
  };
}

export type { MemoryAccessStore, MemoryGroupAccessStore, MemorySignInLockouts, MemoryTenantStore };
