import { displayNameKey } from '../../core/scim/group-attributes';
import type { GroupMember, GroupRecord } from '../../core/scim/group-record';
import {
  DisplayNameTakenError,
  type GroupChange,
  type GroupLookupKey,
  type GroupStore,
  type GroupWriteGuard,
  type GroupWriteOutcome,
} from '../../core/scim/group-store';
import { type UserStore, VersionConflictError } from '../../core/scim/user-store';

interface TenantGroups {
  readonly groups: Map<string, GroupRecord>;
  /** displayName key (displayNameKey) → group id: the uniqueness the DynamoDB store keeps in GROUPNAME# items. */
  readonly names: Map<string, string>;
  /** group id → user id → membership. */
  readonly members: Map<string, Map<string, GroupMember>>;
  /** user id → the ids of its groups. */
  readonly memberOf: Map<string, Set<string>>;
}

/** The order of the DynamoDB store's sort keys, which hold ids URI-encoded. */
const bySortKey = (a: string, b: string) => {
  const [left, right] = [encodeURIComponent(a), encodeURIComponent(b)];
  return left < right ? -1 : left > right ? 1 : 0;
};

/**
 * The Groups port in memory, for tests that run without DynamoDB, held to the DynamoDB store by the group store
 * contract suite (test/contract/group-store.contract.test.ts). Each write is one synchronous step, so it never
 * sees the interleavings the DynamoDB store guards against; what it keeps is the same outcome: displayName unique
 * per tenant after case folding, memberships only of existing users (`users`, the tenant's user store), and the
 * version and member count moved by each membership write.
 */
export class MemoryGroupStore implements GroupStore {
  private readonly tenants = new Map<string, TenantGroups>();

  constructor(private readonly users: Pick<UserStore, 'get'>) {}

  private tenant(tenantId: string): TenantGroups {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = { groups: new Map(), names: new Map(), members: new Map(), memberOf: new Map() };
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  async get(tenantId: string, id: string): Promise<GroupRecord | undefined> {
    const record = this.tenants.get(tenantId)?.groups.get(id);
    return record ? { ...record } : undefined;
  }

  async members(tenantId: string, groupId: string): Promise<GroupMember[]> {
    const members = this.tenants.get(tenantId)?.members.get(groupId) ?? new Map<string, GroupMember>();
    return [...members.values()].sort((a, b) => bySortKey(a.userId, b.userId)).map((member) => ({ ...member }));
  }

  async membersAmong(tenantId: string, groupId: string, userIds: readonly string[]): Promise<Set<string>> {
    const members = this.tenants.get(tenantId)?.members.get(groupId);
    return new Set(userIds.filter((userId) => members?.has(userId)));
  }

  async usersAmong(tenantId: string, userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const userId of new Set(userIds)) if (await this.users.get(tenantId, userId)) found.add(userId);
    return found;
  }

  async groupIdsOf(tenantId: string, userId: string): Promise<string[]> {
    return [...(this.tenants.get(tenantId)?.memberOf.get(userId) ?? [])].sort(bySortKey);
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<GroupRecord[]> {
    const groups = this.tenants.get(tenantId)?.groups;
    return [...new Set(ids)]
      .flatMap((id) => {
        const record = groups?.get(id);
        return record ? [{ ...record }] : [];
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async create(tenantId: string, record: GroupRecord, members: readonly GroupMember[]): Promise<GroupWriteOutcome> {
    const tenant = this.tenant(tenantId);
    const name = displayNameKey(record.displayName);
    if (tenant.names.has(name)) throw new DisplayNameTakenError();
    tenant.groups.set(record.id, { ...record });
    tenant.names.set(name, record.id);
    return this.writeMemberships(tenantId, record, members, [], record.lastModified);
  }

  async update(
    tenantId: string,
    previous: GroupRecord,
    change: GroupChange,
    guard: GroupWriteGuard,
  ): Promise<GroupWriteOutcome> {
    const tenant = this.tenant(tenantId);
    const { next } = change;
    let written = previous;
    if (guard === 'version') {
      const stored = tenant.groups.get(previous.id);
      if (!stored || stored.version !== previous.version) throw new VersionConflictError();
      const before = displayNameKey(stored.displayName);
      const after = displayNameKey(next.displayName);
      if (after !== before && tenant.names.has(after)) throw new DisplayNameTakenError();
      written = { ...next, version: previous.version + 1, memberCount: stored.memberCount };
      tenant.names.delete(before);
      tenant.names.set(after, previous.id);
      tenant.groups.set(previous.id, { ...written });
    }
    if (change.add.length + change.remove.length === 0) return { record: written, skipped: [] };
    if (!tenant.groups.has(previous.id)) throw new VersionConflictError();
    return this.writeMemberships(tenantId, written, change.add, change.remove, next.lastModified);
  }

  /**
   * Removals, then additions (an addition only of an existing user; present members and absent removals are
   * no-ops), then one move of the group's version and member count, as the DynamoDB store's count update does.
   */
  private async writeMemberships(
    tenantId: string,
    group: GroupRecord,
    add: readonly GroupMember[],
    remove: readonly string[],
    lastModified: string,
  ): Promise<GroupWriteOutcome> {
    if (add.length + remove.length === 0) return { record: group, skipped: [] };
    const existing = await this.usersAmong(
      tenantId,
      add.map((member) => member.userId),
    );
    const tenant = this.tenant(tenantId);
    const members = tenant.members.get(group.id) ?? new Map<string, GroupMember>();
    tenant.members.set(group.id, members);
    let change = 0;
    for (const userId of remove) {
      if (!members.delete(userId)) continue;
      tenant.memberOf.get(userId)?.delete(group.id);
      change -= 1;
    }
    const skipped: string[] = [];
    for (const member of add) {
      if (!existing.has(member.userId)) {
        skipped.push(member.userId);
        continue;
      }
      if (members.has(member.userId)) continue;
      members.set(member.userId, { ...member });
      const groups = tenant.memberOf.get(member.userId) ?? new Set<string>();
      groups.add(group.id);
      tenant.memberOf.set(member.userId, groups);
      change += 1;
    }
    const stored = tenant.groups.get(group.id) ?? group;
    const record: GroupRecord = {
      ...stored,
      version: stored.version + 1,
      memberCount: stored.memberCount + change,
      lastModified,
    };
    tenant.groups.set(group.id, record);
    return { record: { ...record }, skipped };
  }

  async delete(tenantId: string, record: GroupRecord): Promise<void> {
    const tenant = this.tenant(tenantId);
    const stored = tenant.groups.get(record.id);
    if (!stored || stored.version !== record.version) throw new VersionConflictError();
    tenant.groups.delete(record.id);
    tenant.names.delete(displayNameKey(stored.displayName));
    await this.removeMemberships(tenantId, record.id);
  }

  async removeMemberships(tenantId: string, groupId: string): Promise<void> {
    const tenant = this.tenant(tenantId);
    for (const userId of tenant.members.get(groupId)?.keys() ?? []) tenant.memberOf.get(userId)?.delete(groupId);
    tenant.members.delete(groupId);
  }

  async removeUserFromGroups(tenantId: string, userId: string): Promise<void> {
    const tenant = this.tenant(tenantId);
    const now = new Date().toISOString();
    for (const groupId of tenant.memberOf.get(userId) ?? []) {
      tenant.members.get(groupId)?.delete(userId);
      const stored = tenant.groups.get(groupId);
      if (stored) {
        tenant.groups.set(groupId, {
          ...stored,
          version: stored.version + 1,
          memberCount: stored.memberCount - 1,
          lastModified: now,
        });
      }
    }
    tenant.memberOf.delete(userId);
  }

  async findByKeys(tenantId: string, keys: readonly GroupLookupKey[]): Promise<GroupRecord[]> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return [];
    const ids = new Set<string>();
    for (const key of keys) {
      if (key.kind === 'id') ids.add(key.value);
      if (key.kind === 'displayName') {
        const id = tenant.names.get(key.value);
        if (id !== undefined) ids.add(id);
      }
      if (key.kind === 'externalId') {
        for (const record of tenant.groups.values()) if (record.externalId === key.value) ids.add(record.id);
      }
      if (key.kind === 'member') for (const id of tenant.memberOf.get(key.value) ?? []) ids.add(id);
    }
    return this.getMany(tenantId, [...ids]);
  }

  async readAll(tenantId: string): Promise<GroupRecord[]> {
    return this.getMany(tenantId, [...(this.tenants.get(tenantId)?.groups.keys() ?? [])]);
  }

  async pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: GroupRecord[]; more: boolean }> {
    if (count <= 0) return { records: [], more: false };
    const ids = [...(this.tenants.get(tenantId)?.groups.keys() ?? [])]
      .filter((id) => afterId === undefined || bySortKey(id, afterId) > 0)
      .sort(bySortKey);
    return { records: await this.getMany(tenantId, ids.slice(0, count)), more: ids.length > count };
  }
}
