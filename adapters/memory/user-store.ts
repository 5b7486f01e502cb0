import type { LookupKey } from '../../core/scim/filter';
import { compareIds } from '../../core/scim/sort';
import { emailKeys, userNameKey } from '../../core/scim/user-attributes';
import type { UserRecord } from '../../core/scim/user-record';
import { UserNameTakenError, type UserStore, VersionConflictError } from '../../core/scim/user-store';

function namedBy(record: UserRecord, key: LookupKey): boolean {
  if (key.kind === 'id') return record.id === key.value;
  if (key.kind === 'userName') return userNameKey(record.attributes.userName) === key.value;
  if (key.kind === 'externalId') return record.attributes.externalId === key.value;
  return emailKeys(record.attributes).includes(key.value);
}

/**
 * Users in memory, with the DynamoDB store's guarantees: a write checks and applies in one step (nothing is
 * awaited between), userName is unique per tenant after case folding, updates apply only to the version read.
 * `companion` runs inside that step: what the DynamoDB store writes in the same transaction.
 */
export class MemoryUserStore implements UserStore {
  constructor(
    private readonly tenants: Map<string, Map<string, UserRecord>> = new Map(),
    private readonly onCreate: (tenantId: string, record: UserRecord) => void = () => {},
  ) {}

  /** The same users, with `onCreate` run in each creation's step. */
  withCreateCompanion(onCreate: (tenantId: string, record: UserRecord) => void): MemoryUserStore {
    return new MemoryUserStore(this.tenants, onCreate);
  }

  async get(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const record = this.users(tenantId).get(id);
    return record && structuredClone(record);
  }

  async create(tenantId: string, record: UserRecord): Promise<void> {
    const users = this.users(tenantId);
    if (this.holderOfUserName(users, record.attributes.userName) !== undefined) throw new UserNameTakenError();
    users.set(record.id, structuredClone(record));
    this.onCreate(tenantId, record);
  }

  /** `companion` runs in the same step, after the checks (the audit entry). */
  async update(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    companion: () => void = () => {},
  ): Promise<void> {
    this.replace(tenantId, previous, next, () => true, companion);
  }

  /**
   * Writes `next` if the version is still `previous.version` and `holds()` is true at that moment; returns
   * false (nothing written) when `holds()` is not. @throws VersionConflictError, UserNameTakenError
   */
  replace(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    holds: () => boolean,
    companion: () => void,
  ): boolean {
    const users = this.users(tenantId);
    if (users.get(previous.id)?.version !== previous.version) throw new VersionConflictError();
    const holder = this.holderOfUserName(users, next.attributes.userName);
    if (holder !== undefined && holder !== next.id) throw new UserNameTakenError();
    if (!holds()) return false;
    users.set(next.id, structuredClone(next));
    companion();
    return true;
  }

  async delete(tenantId: string, record: UserRecord): Promise<void> {
    const users = this.users(tenantId);
    if (users.get(record.id)?.version !== record.version) throw new VersionConflictError();
    users.delete(record.id);
  }

  async findByKeys(tenantId: string, keys: readonly LookupKey[]): Promise<UserRecord[]> {
    return this.sorted(tenantId).filter((record) => keys.some((key) => namedBy(record, key)));
  }

  async readAll(tenantId: string): Promise<UserRecord[]> {
    return this.sorted(tenantId);
  }

  async indexPage(tenantId: string, startIndex: number, count: number) {
    const all = this.sorted(tenantId);
    return { records: all.slice(startIndex - 1, startIndex - 1 + count), totalResults: all.length };
  }

  async pageAfter(tenantId: string, afterId: string | undefined, count: number) {
    const all = this.sorted(tenantId);
    const rest = afterId === undefined ? all : all.filter((record) => compareIds(record.id, afterId) > 0);
    return { records: rest.slice(0, count), more: rest.length > count, totalResults: all.length };
  }

  /** Every stored user of the tenant (for the access store's own queries). */
  all(tenantId: string): UserRecord[] {
    return [...this.users(tenantId).values()];
  }

  private sorted(tenantId: string): UserRecord[] {
    return this.all(tenantId)
      .map((record) => structuredClone(record))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  private holderOfUserName(users: Map<string, UserRecord>, userName: string): string | undefined {
    const key = userNameKey(userName);
    for (const record of users.values()) if (userNameKey(record.attributes.userName) === key) return record.id;
    return undefined;
  }

  private users(tenantId: string): Map<string, UserRecord> {
    let users = this.tenants.get(tenantId);
    if (!users) {
      users = new Map();
      this.tenants.set(tenantId, users);
    }
    return users;
  }
}
