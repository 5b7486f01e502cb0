import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { GroupMember, GroupRecord } from '../../core/scim/group-record';
import type { GroupLookupKey, GroupStore } from '../../core/scim/group-store';
import { tenantPartition } from './tenant-keys';

/**
 * The reads of the groups' items (see group-store.ts for the layout), on their own so that what only reads
 * groups (the admin CLI's group commands) loads none of their writes.
 */
export const PARALLEL_WRITES = 8;

export const GROUP_PREFIX = 'GROUP#';
export const groupSk = (id: string) => `${GROUP_PREFIX}${id}`;
export const nameSk = (key: string) => `GROUPNAME#${encodeURIComponent(key)}`;
export const externalIdPrefix = (externalId: string) => `GROUPEXTID#${encodeURIComponent(externalId)}#`;
export const memberPrefix = (groupId: string) => `MEMBER#${groupId}#`;
export const memberSk = (groupId: string, userId: string) => `${memberPrefix(groupId)}${encodeURIComponent(userId)}`;
export const memberOfPrefix = (userId: string) => `MEMBEROF#${encodeURIComponent(userId)}#`;
export const memberOfSk = (userId: string, groupId: string) => `${memberOfPrefix(userId)}${groupId}`;
export const userSk = (userId: string) => `USER#${userId}`;

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

export function recordOf(item: Item): GroupRecord {
  return {
    id: item.id as string,
    version: item.version as number,
    created: item.created as string,
    lastModified: item.lastModified as string,
    displayName: item.displayName as string,
    ...(typeof item.externalId === 'string' ? { externalId: item.externalId } : {}),
    memberCount: typeof item.memberCount === 'number' ? item.memberCount : 0,
  };
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Runs `work` over `inputs` with at most `limit` at a time. */
export async function inParallel<T>(
  inputs: readonly T[],
  limit: number,
  work: (input: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next] as T;
      next += 1;
      await work(input);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}

/** What a groups read needs: every read of GroupStore. */
export type GroupReads = Pick<
  GroupStore,
  'get' | 'members' | 'membersAmong' | 'usersAmong' | 'groupIdsOf' | 'getMany' | 'findByKeys' | 'readAll' | 'pageAfter'
>;

export class DynamoDbGroupReads implements GroupReads {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async get(tenantId: string, id: string): Promise<GroupRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: tenantPartition(tenantId), sk: groupSk(id) },
        ConsistentRead: true,
      }),
    );
    return result.Item ? recordOf(result.Item) : undefined;
  }

  async members(tenantId: string, groupId: string): Promise<GroupMember[]> {
    const items = await this.queryAll(tenantPartition(tenantId), memberPrefix(groupId), 'userId, display');
    return items.map((item) => ({
      userId: item.userId as string,
      ...(typeof item.display === 'string' ? { display: item.display } : {}),
    }));
  }

  async membersAmong(tenantId: string, groupId: string, userIds: readonly string[]): Promise<Set<string>> {
    const pk = tenantPartition(tenantId);
    const items = await this.batchGet(
      userIds.map((userId) => ({ pk, sk: memberSk(groupId, userId) })),
      'userId',
    );
    return new Set(items.map((item) => item.userId as string));
  }

  async usersAmong(tenantId: string, userIds: readonly string[]): Promise<Set<string>> {
    const pk = tenantPartition(tenantId);
    const items = await this.batchGet(
      userIds.map((userId) => ({ pk, sk: userSk(userId) })),
      'id',
    );
    return new Set(items.map((item) => item.id as string));
  }

  async groupIdsOf(tenantId: string, userId: string): Promise<string[]> {
    const items = await this.queryAll(tenantPartition(tenantId), memberOfPrefix(userId), 'groupId');
    return items.map((item) => item.groupId as string);
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<GroupRecord[]> {
    const pk = tenantPartition(tenantId);
    const items = await this.batchGet([...new Set(ids)].map((id) => ({ pk, sk: groupSk(id) })));
    return items.map(recordOf).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async findByKeys(tenantId: string, keys: readonly GroupLookupKey[]): Promise<GroupRecord[]> {
    const pk = tenantPartition(tenantId);
    const ids = new Set<string>();
    const names = keys.filter((key) => key.kind === 'displayName').map((key) => ({ pk, sk: nameSk(key.value) }));
    for (const item of await this.batchGet(names, 'groupId')) ids.add(item.groupId as string);
    for (const key of keys) {
      if (key.kind === 'id') ids.add(key.value);
      if (key.kind === 'externalId') {
        for (const item of await this.queryAll(pk, externalIdPrefix(key.value), 'groupId')) {
          ids.add(item.groupId as string);
        }
      }
      if (key.kind === 'member') for (const id of await this.groupIdsOf(tenantId, key.value)) ids.add(id);
    }
    return this.getMany(tenantId, [...ids]);
  }

  async readAll(tenantId: string): Promise<GroupRecord[]> {
    return (await this.queryAll(tenantPartition(tenantId), GROUP_PREFIX)).map(recordOf);
  }

  async pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: GroupRecord[]; more: boolean }> {
    if (count <= 0) return { records: [], more: false };
    const pk = tenantPartition(tenantId);
    const items: Item[] = [];
    // One more than asked for tells whether another page follows.
    const pages = paginateQuery(
      {
        client: this.db,
        pageSize: count + 1,
        ...(afterId !== undefined ? { startingToken: { pk, sk: groupSk(afterId) } } : {}),
      },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': GROUP_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      items.push(...((page.Items ?? []) as Item[]));
      if (items.length > count) break;
    }
    return { records: items.slice(0, count).map(recordOf), more: items.length > count };
  }

  protected async batchGet(keys: readonly Key[], projection?: string): Promise<Item[]> {
    const items: Item[] = [];
    const chunks: Key[][] = [];
    for (let offset = 0; offset < keys.length; offset += 100) chunks.push(keys.slice(offset, offset + 100));
    await inParallel(chunks, PARALLEL_WRITES, async (chunk) => {
      let pending: Record<string, unknown>[] | undefined = chunk;
      for (let round = 0; pending && pending.length > 0; round += 1) {
        if (round > 0) await pause(Math.min(50 * 2 ** round, 1000));
        const result = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection ? { ProjectionExpression: projection } : {}),
              },
            },
          }),
        );
        items.push(...((result.Responses?.[this.tableName] ?? []) as Item[]));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (round >= 10 && pending?.length) {
          throw Object.assign(new Error('DynamoDB left keys unprocessed'), { name: 'ThrottlingException' });
        }
      }
    });
    return items;
  }

  /** Items whose sort key starts with `prefix`, in sort-key order, following DynamoDB's 1 MB pages. */
  protected async queryAll(pk: string, prefix: string, projection?: string): Promise<Item[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ...(projection ? { ProjectionExpression: projection } : {}),
      },
    );
    for await (const page of pages) items.push(...((page.Items ?? []) as Item[]));
    return items;
  }
}
