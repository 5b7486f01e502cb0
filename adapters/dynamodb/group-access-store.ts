import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../core/access/access-model';
import { type AccessSource, DEFAULT_ACCESS_SOURCE, type GroupMapping } from '../../core/access/group-access';
import {
  type AccessCondition,
  type AccessSettings,
  type AccessWrites,
  type ConditionalWrite,
  type GroupAccessStore,
  type RecomputeJob,
  versionChecked,
} from '../../core/access/ports';
import type { UserRecord } from '../../core/scim/user-record';
import { auditItem, holdsRoleCheck } from './access-store';
import { cancellationReasons } from './store-errors';
import { CompanionConditionFailedError, DynamoDbUserStore, type TransactItem } from './user-store';

/**
 * The tenant's access source and group mappings, in the tenant's partition of the users table (next to the
 * groups, so the SCIM routes need no other table): sk `ACCESS#SOURCE` (the source and any pending
 * recomputation) and `ACCESS#MAP#<groupId>` (one item per mapped group). Each write and its audit entry are one
 * transaction. Also the users-table writes a recomputation makes (a user's access with its audit entry, under
 * the last-admin guard), so that the SCIM routes recompute without the clients table.
 */
const SOURCE_SK = 'ACCESS#SOURCE';
const MAPPING_PREFIX = 'ACCESS#MAP#';
const mappingSk = (groupId: string) => `${MAPPING_PREFIX}${groupId}`;

type Item = Record<string, unknown>;

export class DynamoDbGroupAccessStore implements GroupAccessStore, AccessWrites {
  readonly users: DynamoDbUserStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.users = new DynamoDbUserStore(db, tableName);
  }

  private key(tenantId: string, sk: string) {
    return { pk: DynamoDbUserStore.partitionOf(tenantId), sk };
  }

  async settings(tenantId: string): Promise<AccessSettings> {
    const found = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(tenantId, SOURCE_SK), ConsistentRead: true }),
    );
    const item = found.Item;
    const source: AccessSource = item?.source === 'groups' ? 'groups' : DEFAULT_ACCESS_SOURCE;
    return { source, ...(item?.job ? { job: item.job as RecomputeJob } : {}) };
  }

  async writeSettings(tenantId: string, settings: AccessSettings, audit?: AuditEntry): Promise<void> {
    const item = { ...this.key(tenantId, SOURCE_SK), kind: 'access-source', ...settings };
    if (!audit) {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
      return;
    }
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: this.tableName, Item: item } }, auditItem(this.tableName, tenantId, audit)],
      }),
    );
  }

  async mapping(tenantId: string, groupId: string): Promise<GroupMapping | undefined> {
    const found = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(tenantId, mappingSk(groupId)), ConsistentRead: true }),
    );
    return found.Item ? mappingOf(found.Item) : undefined;
  }

  async mappings(tenantId: string): Promise<GroupMapping[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': DynamoDbUserStore.partitionOf(tenantId), ':prefix': MAPPING_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as Item[]));
    return items.map(mappingOf);
  }

  async putMapping(tenantId: string, mapping: GroupMapping, audit: AuditEntry): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...this.key(tenantId, mappingSk(mapping.groupId)), kind: 'group-mapping', ...mapping },
            },
          },
          auditItem(this.tableName, tenantId, audit),
        ],
      }),
    );
  }

  async removeMapping(tenantId: string, groupId: string, audit: AuditEntry): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: this.key(tenantId, mappingSk(groupId)),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            auditItem(this.tableName, tenantId, audit),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async writeAccess(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    conditions: readonly AccessCondition[],
    audit: AuditEntry | undefined,
  ): Promise<ConditionalWrite> {
    const checks: TransactItem[] = conditions.map((condition) => {
      if (condition.kind !== 'holds-role') throw new Error(`${condition.kind} needs the clients table`);
      return holdsRoleCheck(this.tableName, tenantId, condition.userId, condition.role);
    });
    try {
      return await versionChecked(() =>
        this.users.updateAccess(tenantId, previous, next, [
          ...checks,
          ...(audit ? [auditItem(this.tableName, tenantId, audit)] : []),
        ]),
      );
    } catch (error) {
      if (error instanceof CompanionConditionFailedError) {
        return { written: false, conflict: 'condition', index: error.index };
      }
      throw error;
    }
  }

  async usersWithRole(tenantId: string, role: string): Promise<{ id: string; userName: string }[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#role = :role',
        ExpressionAttributeNames: { '#role': 'role', '#id': 'id', '#resource': 'resource' },
        ExpressionAttributeValues: {
          ':pk': DynamoDbUserStore.partitionOf(tenantId),
          ':prefix': 'USER#',
          ':role': role,
        },
        ProjectionExpression: '#id, #resource',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as Item[]));
    return items.map((item) => ({
      id: item.id as string,
      userName: (JSON.parse(item.resource as string) as { userName: string }).userName,
    }));
  }

  async record(tenantId: string, audit: AuditEntry): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: [auditItem(this.tableName, tenantId, audit)] }));
  }
}

function mappingOf(item: Item): GroupMapping {
  const role = item.role as { name?: unknown; priority?: unknown } | undefined;
  const brands = item.brands;
  return {
    groupId: item.groupId as string,
    ...(role && typeof role.name === 'string' && typeof role.priority === 'number'
      ? { role: { name: role.name, priority: role.priority } }
      : {}),
    ...(brands === 'all' ? { brands: 'all' as const } : Array.isArray(brands) ? { brands: brands as string[] } : {}),
    updatedAt: item.updatedAt as string,
  };
}
