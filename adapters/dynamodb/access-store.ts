import { randomBytes, randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditAction, AuditEntry } from '../../core/access/access-model';
import {
  type AccessCondition,
  type AccessStore,
  AlreadyExistsError,
  type ConditionalWrite,
  TenantMissingError,
  versionChecked,
} from '../../core/access/ports';
import { type BrandRecord, normalizeEmail, type RoleRecord } from '../../core/access/records';
import type { UserRecord } from '../../core/scim/user-record';
import { cancellationReasons, isConditionFailure } from './store-errors';
import { tenantKey, tenantMustExist, tenantPartition } from './tenant-keys';
import { adminKey } from './tenant-store';
import { CompanionConditionFailedError, DynamoDbUserStore, type TransactItem } from './user-store';

/**
 * The access model's storage: brands and custom roles in the clients table (tenant partition
 * `TENANT#<tenantId>`, sk `BRAND#<brandId>` and `ROLE#<role key>`), users' role and brands on their user items
 * (through DynamoDbUserStore, which bumps `version`), and the audit trail in the users table (tenant
 * partition, sk `AUDIT#USER#<userId>#<time>#<random>` for a user's changes, `AUDIT#TENANT#<time>#<random>` for
 * brands and roles). Every change and its audit entry are one transaction, across the two tables; audit
 * entries have no TTL. A brand or role being deleted carries `deleting`, a role being renamed `renamingTo`
 * (with the rename's `renameId`, which its new role carries too until the rename finishes); the conditions that a brand or role is usable
 * check that it exists without those marks.
 */
const brandKey = (tenantId: string, brandId: string) => ({ pk: tenantPartition(tenantId), sk: `BRAND#${brandId}` });
/** Slug keys of roles made before role names had spaces are their own encoding, so old items keep their key. */
const roleItemKey = (tenantId: string, key: string) => ({
  pk: tenantPartition(tenantId),
  sk: `ROLE#${encodeURIComponent(key)}`,
});
const userAuditPrefix = (userId: string) => `AUDIT#USER#${userId}#`;
const TENANT_AUDIT_PREFIX = 'AUDIT#TENANT#';
const USABLE = 'attribute_exists(pk) AND attribute_not_exists(deleting) AND attribute_not_exists(renamingTo)';

type Item = Record<string, unknown>;

export class DynamoDbAccessStore implements AccessStore {
  readonly users: DynamoDbUserStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { readonly clients: string; readonly users: string },
  ) {
    this.users = new DynamoDbUserStore(db, tables.users);
  }

  recordingUsers(entryOf: (record: UserRecord) => AuditEntry): DynamoDbUserStore {
    return new DynamoDbUserStore(this.db, this.tables.users, (tenantId, record) => [
      this.auditPut(tenantId, entryOf(record)),
    ]);
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const found = await this.db.send(
      new GetCommand({ TableName: this.tables.clients, Key: tenantKey(tenantId), ConsistentRead: true }),
    );
    return found.Item !== undefined;
  }

  async putBrand(tenantId: string, brand: BrandRecord, audit: AuditEntry): Promise<void> {
    await this.transactNew(tenantId, { ...brandKey(tenantId, brand.brandId), kind: 'brand', ...brand }, audit);
  }

  async listBrands(tenantId: string): Promise<BrandRecord[]> {
    return (await this.queryPrefix(this.tables.clients, tenantPartition(tenantId), 'BRAND#'))
      .filter((item) => item.deleting !== true)
      .map(brandOf);
  }

  async markBrandDeleting(tenantId: string, brandId: string): Promise<BrandRecord | undefined> {
    const marked = await this.mark(brandKey(tenantId, brandId));
    return marked && brandOf(marked);
  }

  async usersListingBrand(tenantId: string, brandId: string): Promise<string[]> {
    const holders = await this.queryPrefix(this.tables.users, tenantPartition(tenantId), 'USER#', {
      FilterExpression: 'contains(brands, :brand)',
      ExpressionAttributeNames: { '#id': 'id' },
      ExpressionAttributeValues: { ':brand': brandId },
      ProjectionExpression: '#id',
    });
    return holders.map((holder) => holder.id as string);
  }

  async removeBrand(tenantId: string, brandId: string, audit: AuditEntry): Promise<void> {
    await this.removeWith(brandKey(tenantId, brandId), tenantId, audit);
  }

  async renameBrand(tenantId: string, current: BrandRecord, name: string, audit: AuditEntry): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.clients,
                Key: brandKey(tenantId, current.brandId),
                UpdateExpression: 'SET #name = :name',
                ConditionExpression: `${USABLE} AND #name = :current`,
                ExpressionAttributeNames: { '#name': 'name' },
                ExpressionAttributeValues: { ':name': name, ':current': current.name },
              },
            },
            this.auditPut(tenantId, audit),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async putRole(tenantId: string, role: RoleRecord, audit: AuditEntry): Promise<void> {
    const { builtIn: _builtIn, ...stored } = role;
    await this.transactNew(tenantId, { ...roleItemKey(tenantId, role.key), kind: 'role', ...stored }, audit);
  }

  async findRole(tenantId: string, key: string): Promise<RoleRecord | undefined> {
    const found = await this.db.send(
      new GetCommand({ TableName: this.tables.clients, Key: roleItemKey(tenantId, key), ConsistentRead: true }),
    );
    return found.Item && found.Item.deleting !== true ? roleOf(found.Item) : undefined;
  }

  async listRoles(tenantId: string): Promise<RoleRecord[]> {
    return (await this.queryPrefix(this.tables.clients, tenantPartition(tenantId), 'ROLE#'))
      .filter((item) => item.deleting !== true)
      .map(roleOf);
  }

  async markRoleDeleting(tenantId: string, key: string): Promise<RoleRecord | undefined> {
    const marked = await this.mark(roleItemKey(tenantId, key));
    return marked && roleOf(marked);
  }

  async unmarkRoleDeleting(tenantId: string, key: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: roleItemKey(tenantId, key),
          UpdateExpression: 'REMOVE deleting',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async removeRole(tenantId: string, key: string, audit: AuditEntry): Promise<void> {
    await this.removeWith(roleItemKey(tenantId, key), tenantId, audit);
  }

  async markRoleRenaming(
    tenantId: string,
    key: string,
    to: string,
  ): Promise<{ role: RoleRecord; to: string; renameId: string } | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: roleItemKey(tenantId, key),
          UpdateExpression: 'SET renamingTo = if_not_exists(renamingTo, :to), renameId = if_not_exists(renameId, :id)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':to': to, ':id': randomUUID() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = result.Attributes ?? {};
      return { role: roleOf(item), to: item.renamingTo as string, renameId: item.renameId as string };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async unmarkRoleRenaming(tenantId: string, key: string, to: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: roleItemKey(tenantId, key),
          UpdateExpression: 'REMOVE renamingTo, renameId',
          ConditionExpression: 'renamingTo = :to',
          ExpressionAttributeValues: { ':to': to },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async putRenamedRole(tenantId: string, role: RoleRecord, renameId: string): Promise<void> {
    const { builtIn: _builtIn, ...stored } = role;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.clients,
          Item: { ...roleItemKey(tenantId, role.key), kind: 'role', ...stored, renameId },
          ConditionExpression: 'attribute_not_exists(pk) OR renameId = :id',
          ExpressionAttributeValues: { ':id': renameId },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new AlreadyExistsError();
      throw error;
    }
  }

  async finishRoleRename(tenantId: string, fromKey: string, role: RoleRecord, audit: AuditEntry): Promise<boolean> {
    const { builtIn: _builtIn, ...stored } = role;
    const stillRenaming = {
      ConditionExpression: 'renamingTo = :to',
      ExpressionAttributeValues: { ':to': role.name },
    };
    // One transaction cannot touch an item twice: a new name with the same key is written over the old item.
    const writes: TransactItem[] =
      role.key === fromKey
        ? [
            {
              Update: {
                TableName: this.tables.clients,
                Key: roleItemKey(tenantId, fromKey),
                UpdateExpression: 'SET #name = :name REMOVE renamingTo, renameId',
                ...stillRenaming,
                ExpressionAttributeNames: { '#name': 'name' },
                ExpressionAttributeValues: { ...stillRenaming.ExpressionAttributeValues, ':name': stored.name },
              },
            },
          ]
        : [
            { Delete: { TableName: this.tables.clients, Key: roleItemKey(tenantId, fromKey), ...stillRenaming } },
            {
              Update: {
                TableName: this.tables.clients,
                Key: roleItemKey(tenantId, role.key),
                UpdateExpression: 'REMOVE renameId',
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [...writes, this.auditPut(tenantId, audit)] }));
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.some((reason) => reason === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }

  async usersWithRole(tenantId: string, role: string): Promise<{ id: string; userName: string }[]> {
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

  async writeAccess(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    conditions: readonly AccessCondition[],
    audit: AuditEntry | undefined,
  ): Promise<ConditionalWrite> {
    try {
      return await versionChecked(() =>
        this.users.updateAccess(tenantId, previous, next, [
          ...conditions.map((condition) => this.conditionCheck(tenantId, condition)),
          ...(audit ? [this.auditPut(tenantId, audit)] : []),
        ]),
      );
    } catch (error) {
      if (error instanceof CompanionConditionFailedError) {
        return { written: false, conflict: 'condition', index: error.index };
      }
      throw error;
    }
  }

  async writeProfile(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    audit: AuditEntry,
  ): Promise<ConditionalWrite> {
    return versionChecked(() => this.users.update(tenantId, previous, next, [this.auditPut(tenantId, audit)]));
  }

  async writeAdminPassword(tenantId: string, email: string, passwordHash: string, audit: AuditEntry): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.clients,
                Key: adminKey(tenantId, normalizeEmail(email)),
                UpdateExpression: 'SET passwordHash = :hash',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':hash': passwordHash },
              },
            },
            this.auditPut(tenantId, audit),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async record(tenantId: string, audit: AuditEntry): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: [this.auditPut(tenantId, audit)] }));
  }

  async changes(tenantId: string, userId: string | undefined, limit: number): Promise<AuditEntry[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tables.users,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': tenantPartition(tenantId),
          ':prefix': userId === undefined ? TENANT_AUDIT_PREFIX : userAuditPrefix(userId),
        },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(auditEntryOf);
  }

  /** A new item of the tenant's partition with its audit entry: the tenant must exist, the item must not. */
  private async transactNew(tenantId: string, item: Item, audit: AuditEntry): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            tenantMustExist(this.tables.clients, tenantId),
            { Put: { TableName: this.tables.clients, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            this.auditPut(tenantId, audit),
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') throw new TenantMissingError();
      if (reasons?.[1] === 'ConditionalCheckFailed') throw new AlreadyExistsError();
      throw error;
    }
  }

  /** Marks an existing item `deleting`; its attributes, or undefined when there is no such item. */
  private async mark(key: { pk: string; sk: string }): Promise<Item | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.clients,
          Key: key,
          UpdateExpression: 'SET deleting = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async removeWith(key: { pk: string; sk: string }, tenantId: string, audit: AuditEntry): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [{ Delete: { TableName: this.tables.clients, Key: key } }, this.auditPut(tenantId, audit)],
      }),
    );
  }

  private auditPut(tenantId: string, entry: AuditEntry): TransactItem {
    return auditItem(this.tables.users, tenantId, entry);
  }

  private conditionCheck(tenantId: string, condition: AccessCondition): TransactItem {
    switch (condition.kind) {
      case 'brand-usable':
        return {
          ConditionCheck: {
            TableName: this.tables.clients,
            Key: brandKey(tenantId, condition.brandId),
            ConditionExpression: USABLE,
          },
        };
      case 'role-usable':
        return {
          ConditionCheck: {
            TableName: this.tables.clients,
            Key: roleItemKey(tenantId, condition.roleKey),
            ConditionExpression: USABLE,
          },
        };
      case 'holds-role':
        return holdsRoleCheck(this.tables.users, tenantId, condition.userId, condition.role);
    }
  }

  private async queryPrefix(
    tableName: string,
    pk: string,
    prefix: string,
    extra: Partial<QueryCommandInput> = {},
  ): Promise<Item[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: tableName,
        ...extra,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ...extra.ExpressionAttributeValues, ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as Item[]));
    return items;
  }
}

/** The write of one audit entry into the tenant's partition of the users table. */
export function auditItem(usersTable: string, tenantId: string, entry: AuditEntry): TransactItem {
  const unique = randomBytes(6).toString('hex');
  const sk =
    entry.userId !== undefined
      ? `${userAuditPrefix(entry.userId)}${entry.at}#${unique}`
      : `${TENANT_AUDIT_PREFIX}${entry.at}#${unique}`;
  return {
    Put: {
      TableName: usersTable,
      Item: { pk: DynamoDbUserStore.partitionOf(tenantId), sk, kind: 'audit', ...entry },
    },
  };
}

/** A user holds a role, checked in a transaction (the last-admin rule's guard). */
export function holdsRoleCheck(usersTable: string, tenantId: string, userId: string, role: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: usersTable,
      Key: { pk: DynamoDbUserStore.partitionOf(tenantId), sk: `USER#${userId}` },
      ConditionExpression: '#role = :role',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':role': role },
    },
  };
}

const brandOf = (item: Item): BrandRecord => ({
  brandId: item.brandId as string,
  name: item.name as string,
  createdAt: item.createdAt as string,
});

/** Roles stored before role keys existed have none: their slug name is their key. */
const roleOf = (item: Item): RoleRecord => ({
  key: typeof item.key === 'string' ? item.key : (item.name as string),
  name: item.name as string,
  description: (item.description as string | undefined) ?? '',
  builtIn: false,
  ...(typeof item.createdAt === 'string' ? { createdAt: item.createdAt } : {}),
});

function auditEntryOf(item: Item): AuditEntry {
  return {
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditAction,
    ...(typeof item.userId === 'string' ? { userId: item.userId } : {}),
    details: (item.details ?? {}) as Record<string, unknown>,
  };
}
