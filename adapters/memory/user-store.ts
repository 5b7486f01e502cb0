import type { LookupKey } from '../../core/scim/filter';
import { emailKeys, userNameKey } from '../../core/scim/user-attributes';
import type { UserRecord } from '../../core/scim/user-record';
import { UserNameTakenError, type UserStore, VersionConflictError } from '../../core/scim/user-store';
import { StorageLimitError } from '../../core/storage-errors';
import { MAX_ITEM_BYTES, MAX_SORT_KEY_BYTES } from '../dynamodb/item-size';

/**
 * The UserStore port in process memory, with the behaviour of the DynamoDB adapter it stands in for: userName
 * uniqueness on the case-folded key, writes conditional on the version read and all-or-nothing, creation
 * (id) order for reads and pages, and the same refusals of keys and users too big for DynamoDB. Records are
 * copied on the way in and out, as a database would, so a caller can never change what is stored by mutating
 * what it passed or got back.
 */
interface TenantUsers {
  readonly users: Map<string, UserRecord>;
  /** Ids in ascending order, which is creation order (see core/scim/ids.ts). */
  readonly order: string[];
  readonly userNames: Map<string, string>;
  readonly externalIds: Map<string, Set<string>>;
  readonly emails: Map<string, Set<string>>;
}

const utf8 = new TextEncoder();
const bytesOf = (text: string): number => utf8.encode(text).length;

/** The lookup keys a user's attributes call for, each checked against what DynamoDB could hold. */
function keysOf(record: UserRecord): { userName: string; externalId?: string; emails: string[] } {
  const userName = userNameKey(record.attributes.userName);
  const externalId = typeof record.attributes.externalId === 'string' ? record.attributes.externalId : undefined;
  const emails = emailKeys(record.attributes);
  for (const key of [userName, ...(externalId === undefined ? [] : [externalId]), ...emails]) {
    if (bytesOf(key) > MAX_SORT_KEY_BYTES) {
      throw new StorageLimitError('A userName, externalId or email is too long to be stored as a key');
    }
  }
  if (bytesOf(JSON.stringify(record)) > MAX_ITEM_BYTES)
    throw new StorageLimitError('The user is too large to be stored');
  return { userName, ...(externalId === undefined ? {} : { externalId }), emails };
}

/** The position of the first id not below `id` in an ascending list. */
function lowerBound(order: readonly string[], id: string): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((order[middle] as string) < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key) ?? new Set<string>();
  ids.add(id);
  index.set(key, ids);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}

export class MemoryUserStore implements UserStore {
  /**
   * `onCreate` runs inside a creation's step, after its checks: what the DynamoDB store writes in the same
   * transaction (the access model's audit entry).
   */
  constructor(
    private readonly tenants: Map<string, TenantUsers> = new Map(),
    private readonly onCreate: (tenantId: string, record: UserRecord) => void = () => {},
  ) {}

  /** The same users, with `onCreate` run in each creation's step. */
  withCreateCompanion(onCreate: (tenantId: string, record: UserRecord) => void): MemoryUserStore {
    return new MemoryUserStore(this.tenants, onCreate);
  }

  private tenant(tenantId: string): TenantUsers {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = { users: new Map(), order: [], userNames: new Map(), externalIds: new Map(), emails: new Map() };
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  async get(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const record = this.tenants.get(tenantId)?.users.get(id);
    return record ? structuredClone(record) : undefined;
  }

  async create(tenantId: string, record: UserRecord): Promise<void> {
    const keys = keysOf(record);
    const tenant = this.tenant(tenantId);
    if (tenant.users.has(record.id)) throw new Error(`A user with id ${record.id} already exists`);
    if (tenant.userNames.has(keys.userName)) throw new UserNameTakenError();
    this.index(tenant, record, keys);
    tenant.order.splice(lowerBound(tenant.order, record.id), 0, record.id);
    this.onCreate(tenantId, record);
  }

  /** `companion` runs in the same step, after the checks (the access model's audit entry). */
  async update(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    companion: () => void = () => {},
  ): Promise<void> {
    const keys = keysOf(next);
    const tenant = this.tenant(tenantId);
    const stored = tenant.users.get(previous.id);
    if (!stored || stored.version !== previous.version) throw new VersionConflictError();
    const holder = tenant.userNames.get(keys.userName);
    if (holder !== undefined && holder !== previous.id) throw new UserNameTakenError();
    this.unindex(tenant, stored);
    // Like the DynamoDB adapter, an update writes the attributes, version and lastModified; the access model
    // has its own writes and `created` never changes.
    this.index(
      tenant,
      { ...stored, version: next.version, lastModified: next.lastModified, attributes: next.attributes },
      keys,
    );
    companion();
  }

  /**
   * The access model's write: the whole of `next`, if the version is still `previous.version` and `holds()` is
   * true at that moment; false (nothing written) when `holds()` is not. @throws VersionConflictError, UserNameTakenError
   */
  replace(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    holds: () => boolean,
    companion: () => void,
  ): boolean {
    const keys = keysOf(next);
    const tenant = this.tenant(tenantId);
    const stored = tenant.users.get(previous.id);
    if (!stored || stored.version !== previous.version) throw new VersionConflictError();
    const holder = tenant.userNames.get(keys.userName);
    if (holder !== undefined && holder !== next.id) throw new UserNameTakenError();
    if (!holds()) return false;
    this.unindex(tenant, stored);
    this.index(tenant, next, keys);
    companion();
    return true;
  }

  /** Every stored user of the tenant, in creation order (for the access store's own queries). */
  all(tenantId: string): UserRecord[] {
    return this.inOrder(tenantId, 0, Number.POSITIVE_INFINITY);
  }

  async delete(tenantId: string, record: UserRecord): Promise<void> {
    const tenant = this.tenant(tenantId);
    const stored = tenant.users.get(record.id);
    if (!stored || stored.version !== record.version) throw new VersionConflictError();
    this.unindex(tenant, stored);
    tenant.order.splice(lowerBound(tenant.order, record.id), 1);
  }

  async findByKeys(tenantId: string, keys: readonly LookupKey[]): Promise<UserRecord[]> {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return [];
    const ids = new Set<string>();
    for (const key of keys) {
      if (key.kind === 'id') ids.add(key.value);
      if (key.kind === 'userName') {
        const id = tenant.userNames.get(key.value);
        if (id !== undefined) ids.add(id);
      }
      const index = key.kind === 'externalId' ? tenant.externalIds : key.kind === 'email' ? tenant.emails : undefined;
      for (const id of index?.get(key.value) ?? []) ids.add(id);
    }
    return [...ids].flatMap((id) => {
      const record = tenant.users.get(id);
      return record ? [structuredClone(record)] : [];
    });
  }

  async readAll(tenantId: string): Promise<UserRecord[]> {
    return this.inOrder(tenantId, 0, Number.POSITIVE_INFINITY);
  }

  async indexPage(
    tenantId: string,
    startIndex: number,
    count: number,
  ): Promise<{ records: UserRecord[]; totalResults: number }> {
    const totalResults = this.tenants.get(tenantId)?.order.length ?? 0;
    const skip = Math.max(startIndex - 1, 0);
    return { records: count > 0 ? this.inOrder(tenantId, skip, skip + count) : [], totalResults };
  }

  async pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: UserRecord[]; more: boolean; totalResults: number }> {
    const order = this.tenants.get(tenantId)?.order ?? [];
    if (count <= 0) return { records: [], more: false, totalResults: order.length };
    const start = afterId === undefined ? 0 : lowerBound(order, `${afterId}\u0000`);
    return {
      records: this.inOrder(tenantId, start, start + count),
      more: order.length > start + count,
      totalResults: order.length,
    };
  }

  private inOrder(tenantId: string, from: number, to: number): UserRecord[] {
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return [];
    return tenant.order.slice(from, to).map((id) => structuredClone(tenant.users.get(id) as UserRecord));
  }

  private index(tenant: TenantUsers, record: UserRecord, keys: ReturnType<typeof keysOf>): void {
    tenant.users.set(record.id, structuredClone(record));
    tenant.userNames.set(keys.userName, record.id);
    if (keys.externalId !== undefined) addTo(tenant.externalIds, keys.externalId, record.id);
    for (const email of keys.emails) addTo(tenant.emails, email, record.id);
  }

  private unindex(tenant: TenantUsers, record: UserRecord): void {
    const keys = keysOf(record);
    tenant.users.delete(record.id);
    tenant.userNames.delete(keys.userName);
    if (keys.externalId !== undefined) removeFrom(tenant.externalIds, keys.externalId, record.id);
    for (const email of keys.emails) removeFrom(tenant.emails, email, record.id);
  }
}
