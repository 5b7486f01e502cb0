import { randomBytes, randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ADMIN_ROLE,
  type AuditAction,
  type AuditEntry,
  accessChange,
  BUILT_IN_ROLES,
  brandsText,
  isBuiltInRole,
  sameAccess,
  withBrands,
  withoutBrand,
} from '../../core/access/access-model';
import type { AppAccess, UserRecord } from '../../core/scim/user-record';
import { VersionConflictError } from '../../core/scim/user-store';
import { createUser } from '../../core/scim/users';
import { foldCase } from '../../core/scim/values';
import { cancellationReasons, isConditionFailure } from './store-errors';
import { tenantKey, tenantMustExist, tenantPartition } from './tenant-keys';
import { CompanionConditionFailedError, DynamoDbUserStore, type TransactItem } from './user-store';

/**
 * The access model's storage: brands and custom roles in the clients table (tenant partition
 * `TENANT#<tenantId>`, sk `BRAND#<brandId>` and `ROLE#<name>`), users' role and brands on their user items
 * (through DynamoDbUserStore, which bumps `version`), and the audit trail in the users table (tenant
 * partition, sk `AUDIT#USER#<userId>#<time>#<random>` for a user's changes, `AUDIT#TENANT#<time>#<random>` for
 * brands and roles). Every change and its audit entry are one transaction, across the two tables; audit
 * entries have no TTL.
 *
 * A brand or role being deleted is first marked `deleting`; every write that gives a user that brand or role
 * checks, in its transaction, that the item exists and is not marked, so no user can pick it up while the
 * deletion sweeps (or checks) the users. An interrupted brand deletion is finished by running it again.
 */
export interface BrandRecord {
  readonly brandId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface RoleRecord {
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly createdAt?: string;
}

/** A refusal the admin can act on; the CLI prints the message. */
export class AccessError extends Error {
  override readonly name = 'AccessError';

  constructor(
    readonly code:
      | 'unknown-tenant'
      | 'unknown-brand'
      | 'unknown-role'
      | 'unknown-user'
      | 'duplicate-role'
      | 'built-in-role'
      | 'role-in-use'
      | 'last-admin'
      | 'ambiguous-user'
      | 'busy',
    message: string,
  ) {
    super(message);
  }
}

const WRITE_ATTEMPTS = 10;
const RECENT_CHANGES = 10;

const brandKey = (tenantId: string, brandId: string) => ({ pk: tenantPartition(tenantId), sk: `BRAND#${brandId}` });
const roleKey = (tenantId: string, name: string) => ({ pk: tenantPartition(tenantId), sk: `ROLE#${name}` });
const userAuditPrefix = (userId: string) => `AUDIT#USER#${userId}#`;
const TENANT_AUDIT_PREFIX = 'AUDIT#TENANT#';

type Item = Record<string, unknown>;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));

export class AccessStore {
  readonly users: DynamoDbUserStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { readonly clients: string; readonly users: string },
    /** Who makes the changes, as the audit trail records it. */
    private readonly actor: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.users = new DynamoDbUserStore(db, tables.users, (tenantId, record) => [
      this.auditPut(tenantId, {
        at: record.created,
        actor: this.actor,
        action: 'user.create',
        userId: record.id,
        details: { userName: record.attributes.userName, role: record.access.role, brands: brandsText(record.access) },
      }),
    ]);
  }

  async requireTenant(tenantId: string): Promise<void> {
    const found = await this.db.send(
      new GetCommand({ TableName: this.tables.clients, Key: tenantKey(tenantId), ConsistentRead: true }),
    );
    if (!found.Item)
      throw new AccessError('unknown-tenant', `There is no tenant ${tenantId} (list them with: tenant list)`);
  }

  // Brands

  async createBrand(tenantId: string, name: string): Promise<BrandRecord> {
    const brand: BrandRecord = { brandId: randomUUID(), name, createdAt: this.now().toISOString() };
    await this.transactOrExplain(
      [
        this.tenantExists(tenantId),
        {
          Put: {
            TableName: this.tables.clients,
            Item: { ...brandKey(tenantId, brand.brandId), kind: 'brand', ...brand },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.auditPut(tenantId, this.entry('brand.create', { brandId: brand.brandId, name })),
      ],
      [unknownTenant(tenantId)],
    );
    return brand;
  }

  async listBrands(tenantId: string): Promise<BrandRecord[]> {
    const items = await this.queryPrefix(this.tables.clients, tenantPartition(tenantId), 'BRAND#');
    return items
      .filter((item) => item.deleting !== true)
      .map((item) => ({
        brandId: item.brandId as string,
        name: item.name as string,
        createdAt: item.createdAt as string,
      }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.brandId.localeCompare(b.brandId));
  }

  /**
   * Deletes a brand and removes it from every user's list (users with all brands keep all brands). Returns
   * how many users lost it. Safe to run again after an interruption: it picks up where it stopped.
   */
  async deleteBrand(tenantId: string, brandId: string): Promise<{ brand: BrandRecord; removedFromUsers: number }> {
    let marked: Item;
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: brandKey(tenantId, brandId),
          UpdateExpression: 'SET deleting = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
          ReturnValues: 'ALL_NEW',
        }),
      );
      marked = result.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) throw unknownBrand(tenantId, brandId);
      throw error;
    }
    const brand: BrandRecord = { brandId, name: marked.name as string, createdAt: marked.createdAt as string };
    let removedFromUsers = 0;
    const holders = await this.queryPrefix(this.tables.users, tenantPartition(tenantId), 'USER#', {
      FilterExpression: 'contains(brands, :brand)',
      ExpressionAttributeNames: { '#id': 'id' },
      ExpressionAttributeValues: { ':brand': brandId },
      ProjectionExpression: '#id',
    });
    for (const holder of holders) {
      try {
        const changed = await this.changeAccess(tenantId, holder.id as string, (access) => ({
          access: withoutBrand(access, brandId),
          action: 'user.brands',
          details: { reason: `brand ${brandId} (${brand.name}) deleted` },
        }));
        if (changed) removedFromUsers += 1;
      } catch (error) {
        // A user deleted meanwhile holds nothing any more.
        if (!(error instanceof AccessError && error.code === 'unknown-user')) throw error;
      }
    }
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tables.clients, Key: brandKey(tenantId, brandId) } },
          this.auditPut(tenantId, this.entry('brand.delete', { brandId, name: brand.name, removedFromUsers })),
        ],
      }),
    );
    return { brand, removedFromUsers };
  }

  // Roles

  async createRole(tenantId: string, name: string, description: string): Promise<RoleRecord> {
    if (isBuiltInRole(name)) throw new AccessError('built-in-role', `${name} is a built-in role`);
    const createdAt = this.now().toISOString();
    await this.transactOrExplain(
      [
        this.tenantExists(tenantId),
        {
          Put: {
            TableName: this.tables.clients,
            Item: { ...roleKey(tenantId, name), kind: 'role', name, description, createdAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.auditPut(tenantId, this.entry('role.create', { role: name, description })),
      ],
      [unknownTenant(tenantId), new AccessError('duplicate-role', `Tenant ${tenantId} already has a role ${name}`)],
    );
    return { name, description, builtIn: false, createdAt };
  }

  /** The built-in roles first, then the tenant's own, oldest first. */
  async listRoles(tenantId: string): Promise<RoleRecord[]> {
    const custom = (await this.queryPrefix(this.tables.clients, tenantPartition(tenantId), 'ROLE#'))
      .filter((item) => item.deleting !== true)
      .map((item) => ({
        name: item.name as string,
        description: item.description as string,
        builtIn: false,
        createdAt: item.createdAt as string,
      }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    return [...BUILT_IN_ROLES.map((role) => ({ ...role, builtIn: true })), ...custom];
  }

  /** Deletes a custom role that no user holds; otherwise refuses and says who holds it. */
  async deleteRole(tenantId: string, name: string): Promise<void> {
    if (isBuiltInRole(name)) throw new AccessError('built-in-role', `${name} is a built-in role and cannot be deleted`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: roleKey(tenantId, name),
          UpdateExpression: 'SET deleting = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw unknownRole(tenantId, name);
      throw error;
    }
    const holders = await this.usersWithRole(tenantId, name);
    if (holders.length > 0) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: roleKey(tenantId, name),
          UpdateExpression: 'REMOVE deleting',
        }),
      );
      const examples = holders.slice(0, 3).map((holder) => holder.userName);
      throw new AccessError(
        'role-in-use',
        `Role ${name} is still held by ${holders.length} user(s) (${examples.join(', ')}${holders.length > 3 ? ', …' : ''}); give them another role first (user set-role)`,
      );
    }
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tables.clients, Key: roleKey(tenantId, name) } },
          this.auditPut(tenantId, this.entry('role.delete', { role: name })),
        ],
      }),
    );
  }

  // Users

  /** A user by id, or by email (the userName first, then a single user with that email address). */
  async findUser(tenantId: string, idOrEmail: string): Promise<UserRecord> {
    const byId = await this.users.get(tenantId, idOrEmail);
    if (byId) return byId;
    const key = foldCase(idOrEmail.trim());
    const [byUserName] = await this.users.findByKeys(tenantId, [{ kind: 'userName', value: key }]);
    if (byUserName) return byUserName;
    const byEmail = await this.users.findByKeys(tenantId, [{ kind: 'email', value: key }]);
    if (byEmail.length > 1) {
      throw new AccessError(
        'ambiguous-user',
        `${byEmail.length} users have the email ${idOrEmail}; name one by id (${byEmail.map((user) => user.id).join(', ')})`,
      );
    }
    const [only] = byEmail;
    if (!only) throw new AccessError('unknown-user', `Tenant ${tenantId} has no user ${idOrEmail}`);
    return only;
  }

  /** Creates an ordinary user through the SCIM core (so SCIM sees exactly what it would have created). */
  async createUser(
    tenantId: string,
    profile: { email: string; givenName?: string; familyName?: string },
  ): Promise<UserRecord> {
    const name = {
      ...(profile.givenName ? { givenName: profile.givenName } : {}),
      ...(profile.familyName ? { familyName: profile.familyName } : {}),
    };
    return createUser(
      { store: this.users, tenantId, now: this.now },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: profile.email,
        ...(Object.keys(name).length > 0 ? { name } : {}),
        emails: [{ value: profile.email, type: 'work', primary: true }],
        active: true,
      },
    );
  }

  /**
   * Gives a user a role. Demoting the tenant's last admin is refused: the change is written together with a
   * check that another user still holds `admin`, so two admins demoting each other at once cannot both win.
   */
  async setRole(tenantId: string, userId: string, role: string, reason?: string): Promise<UserRecord> {
    const record = await this.changeAccess(tenantId, userId, async (access) => {
      const checks: TransactItem[] = [];
      const failures: AccessError[] = [];
      if (!isBuiltInRole(role)) {
        checks.push(this.roleUsable(tenantId, role));
        failures.push(unknownRole(tenantId, role));
      }
      if (access.role === ADMIN_ROLE && role !== ADMIN_ROLE) {
        const otherAdmin = (await this.usersWithRole(tenantId, ADMIN_ROLE)).find((admin) => admin.id !== userId);
        if (!otherAdmin) {
          throw new AccessError(
            'last-admin',
            `This is the last admin of tenant ${tenantId}; make another user admin first (user set-role --role admin)`,
          );
        }
        checks.push(this.stillAdmin(tenantId, otherAdmin.id));
        failures.push(retry);
      }
      return { access: { ...access, role }, action: 'user.role', checks, failures, details: reason ? { reason } : {} };
    });
    return record ?? this.findUser(tenantId, userId);
  }

  async setBrands(tenantId: string, userId: string, brands: readonly string[] | 'all'): Promise<UserRecord> {
    const record = await this.changeAccess(tenantId, userId, (access) => {
      const next = withBrands(access, brands);
      return {
        access: next,
        action: 'user.brands',
        checks: next.brands.map((brandId) => this.brandUsable(tenantId, brandId)),
        failures: next.brands.map((brandId) => unknownBrand(tenantId, brandId)),
      };
    });
    return record ?? this.findUser(tenantId, userId);
  }

  /** The user's latest recorded changes, newest first. */
  async recentChanges(tenantId: string, userId: string, limit = RECENT_CHANGES): Promise<AuditEntry[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tables.users,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': userAuditPrefix(userId) },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(auditEntryOf);
  }

  /** The tenant's brand and role changes, newest first. */
  async tenantChanges(tenantId: string, limit = RECENT_CHANGES): Promise<AuditEntry[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tables.users,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': TENANT_AUDIT_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(auditEntryOf);
  }

  /**
   * Read, change and write one user's access conditionally on the version read, retried on a fresh read
   * when another write came first. Returns the written record, or undefined when nothing changed (nothing is
   * written or recorded then).
   */
  private async changeAccess(
    tenantId: string,
    userId: string,
    decide: (access: AppAccess) => AccessDecision | Promise<AccessDecision>,
  ): Promise<UserRecord | undefined> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.users.get(tenantId, userId);
      if (!current) throw new AccessError('unknown-user', `Tenant ${tenantId} has no user ${userId}`);
      const decision = await decide(current.access);
      if (sameAccess(decision.access, current.access)) return undefined;
      const at = this.now().toISOString();
      const next: UserRecord = { ...current, version: current.version + 1, lastModified: at, access: decision.access };
      const checks = decision.checks ?? [];
      const audit = this.auditPut(tenantId, {
        at,
        actor: this.actor,
        action: decision.action,
        userId,
        details: { ...accessChange(current.access, decision.access), ...decision.details },
      });
      try {
        await this.users.updateAccess(tenantId, current, next, [...checks, audit]);
        return next;
      } catch (error) {
        if (error instanceof CompanionConditionFailedError) {
          const failure = decision.failures?.[error.index];
          if (failure && failure !== retry) throw failure;
        } else if (!(error instanceof VersionConflictError)) {
          throw error;
        }
        await pause(attempt);
      }
    }
    throw new AccessError('busy', 'The user kept changing while this command ran; try again');
  }

  private async usersWithRole(tenantId: string, role: string): Promise<{ id: string; userName: string }[]> {
    const items = await this.queryPrefix(this.tables.users, tenantPartition(tenantId), 'USER#', {
      FilterExpression: '#role = :role',
      ExpressionAttributeNames: { '#role': 'role', '#id': 'id', '#resource': 'resource' },
      ExpressionAttributeValues: { ':role': role },
      ProjectionExpression: '#id, #resource',
    });
    return items.map((item) => ({
      id: item.id as string,
      userName: (JSON.parse(item.resource as string) as { userName: string }).userName,
    }));
  }

  private entry(action: AuditAction, details: Record<string, unknown>): AuditEntry {
    return { at: this.now().toISOString(), actor: this.actor, action, details };
  }

  private auditPut(tenantId: string, entry: AuditEntry): TransactItem {
    const unique = randomBytes(6).toString('hex');
    const sk =
      entry.userId !== undefined
        ? `${userAuditPrefix(entry.userId)}${entry.at}#${unique}`
        : `${TENANT_AUDIT_PREFIX}${entry.at}#${unique}`;
    return {
      Put: {
        TableName: this.tables.users,
        Item: { pk: DynamoDbUserStore.partitionOf(tenantId), sk, kind: 'audit', ...entry },
      },
    };
  }

  private tenantExists(tenantId: string): TransactItem {
    return tenantMustExist(this.tables.clients, tenantId);
  }

  private brandUsable(tenantId: string, brandId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tables.clients,
        Key: brandKey(tenantId, brandId),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
      },
    };
  }

  private roleUsable(tenantId: string, role: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tables.clients,
        Key: roleKey(tenantId, role),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleting)',
      },
    };
  }

  private stillAdmin(tenantId: string, userId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tables.users,
        Key: { pk: DynamoDbUserStore.partitionOf(tenantId), sk: `USER#${userId}` },
        ConditionExpression: '#role = :admin',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':admin': ADMIN_ROLE },
      },
    };
  }

  /** One transaction; a failed condition at position i becomes `failures[i]`. */
  private async transactOrExplain(items: TransactItem[], failures: readonly AccessError[]): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      const failed = reasons?.indexOf('ConditionalCheckFailed') ?? -1;
      const failure = failed >= 0 ? failures[failed] : undefined;
      if (failure) throw failure;
      throw error;
    }
  }

  private async queryPrefix(
    tableName: string,
    pk: string,
    prefix: string,
    extra: Partial<QueryCommandInput> = {},
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: tableName,
          ...extra,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ...extra.ExpressionAttributeValues, ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

interface AccessDecision {
  readonly access: AppAccess;
  readonly action: AuditAction;
  readonly checks?: readonly TransactItem[];
  /** What a failed check means, by the check's position; `retry` means: read again and decide again. */
  readonly failures?: readonly AccessError[];
  readonly details?: Record<string, unknown>;
}

/** Another admin stopped being admin between the read and the write: decide again on fresh data. */
const retry = new AccessError('busy', 'retry');

const unknownTenant = (tenantId: string) =>
  new AccessError('unknown-tenant', `There is no tenant ${tenantId} (list them with: tenant list)`);
const unknownBrand = (tenantId: string, brandId: string) =>
  new AccessError('unknown-brand', `Tenant ${tenantId} has no brand ${brandId} (list them with: brand list)`);
const unknownRole = (tenantId: string, role: string) =>
  new AccessError('unknown-role', `Tenant ${tenantId} has no role ${role} (list them with: role list)`);

function auditEntryOf(item: Item): AuditEntry {
  return {
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditAction,
    ...(typeof item.userId === 'string' ? { userId: item.userId } : {}),
    details: (item.details ?? {}) as Record<string, unknown>,
  };
}
