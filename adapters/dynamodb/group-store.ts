import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { serviceUnavailable } from '../../core/scim/errors';
import { displayNameKey } from '../../core/scim/group-attributes';
import type { GroupMember, GroupRecord } from '../../core/scim/group-record';
import {
  DisplayNameTakenError,
  type GroupChange,
  GroupFullError,
  type GroupLookupKey,
  type GroupStore,
  type GroupWriteGuard,
  type GroupWriteOutcome,
} from '../../core/scim/group-store';
import { MAX_GROUP_MEMBERS } from '../../core/scim/limits';
import { VersionConflictError } from '../../core/scim/user-store';
import { cancellationReasons } from './store-errors';
import { tenantPartition } from './tenant-keys';

/**
 * Groups on the `users` table, in the tenant's partition beside its users, so that a membership can be
 * conditional on its user existing in the same transaction:
 *
 * | sk                               | what                                                               |
 * | -------------------------------- | ------------------------------------------------------------------ |
 * | `GROUP#<id>`                     | the group: displayName, externalId, version, memberCount           |
 * | `GROUPNAME#<displayName key>`    | uniqueness of the NFC + lower-cased displayName → `groupId`        |
 * | `GROUPEXTID#<externalId>#<id>`   | `externalId eq` lookup (not unique)                                |
 * | `MEMBER#<groupId>#<userId>`      | one membership, group side: Query `MEMBER#<groupId>#` = members    |
 * | `MEMBEROF#<userId>#<groupId>`    | the same membership, user side: Query `MEMBEROF#<userId>#` = groups |
 *
 * Both items of a membership are written in one transaction with a condition that the user exists and an
 * update of the group item (version, memberCount, lastModified). A transaction holds at most 100 items, so a
 * change of many members is written in several transactions of up to 33 additions or 49 removals each.
 */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_ATTEMPTS = 40;
const PARALLEL_WRITES = 8;

const GROUP_PREFIX = 'GROUP#';
const groupSk = (id: string) => `${GROUP_PREFIX}${id}`;
const nameSk = (key: string) => `GROUPNAME#${encodeURIComponent(key)}`;
const externalIdPrefix = (externalId: string) => `GROUPEXTID#${encodeURIComponent(externalId)}#`;
const memberPrefix = (groupId: string) => `MEMBER#${groupId}#`;
const memberSk = (groupId: string, userId: string) => `${memberPrefix(groupId)}${encodeURIComponent(userId)}`;
const memberOfPrefix = (userId: string) => `MEMBEROF#${encodeURIComponent(userId)}#`;
const memberOfSk = (userId: string, groupId: string) => `${memberOfPrefix(userId)}${groupId}`;
const userSk = (userId: string) => `USER#${userId}`;

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Key = { pk: string; sk: string };

function groupItem(tenantId: string, record: GroupRecord): Item {
  return {
    pk: tenantPartition(tenantId),
    sk: groupSk(record.id),
    id: record.id,
    version: record.version,
    created: record.created,
    lastModified: record.lastModified,
    displayName: record.displayName,
    ...(record.externalId !== undefined ? { externalId: record.externalId } : {}),
    memberCount: record.memberCount,
  };
}

function recordOf(item: Item): GroupRecord {
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

/** The lookup items of a group's attributes, by sort key. */
function keyItemsOf(tenantId: string, record: GroupRecord): Map<string, Item> {
  const pk = tenantPartition(tenantId);
  const items = new Map<string, Item>();
  const name = nameSk(displayNameKey(record.displayName));
  items.set(name, { pk, sk: name, groupId: record.id });
  if (record.externalId !== undefined) {
    const sk = `${externalIdPrefix(record.externalId)}${record.id}`;
    items.set(sk, { pk, sk, groupId: record.id });
  }
  return items;
}

/** One membership change inside a transaction, and where its items sit in it. */
type MemberWrite =
  | { readonly kind: 'add'; readonly member: GroupMember }
  | { readonly kind: 'remove'; readonly userId: string };

const itemsPerWrite = (write: MemberWrite) => (write.kind === 'add' ? 3 : 2);

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const backOff = (attempt: number) => pause(Math.random() * Math.min(10 * 2 ** Math.min(attempt, 6), 400));

/** Runs `work` over `inputs` with at most `limit` at a time. */
async function inParallel<T>(inputs: readonly T[], limit: number, work: (input: T) => Promise<void>): Promise<void> {
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

export class DynamoDbGroupStore implements GroupStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
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

  async create(tenantId: string, record: GroupRecord, members: readonly GroupMember[]): Promise<GroupWriteOutcome> {
    const keyItems = [...keyItemsOf(tenantId, record).values()];
    const writes: MemberWrite[] = members.map((member) => ({ kind: 'add', member }));
    const skipped: string[] = [];
    const [first, ...rest] = this.batches(writes, 1 + keyItems.length);
    const firstWrites = first ?? [];
    let current = record;
    await this.runTransaction(
      tenantId,
      record.id,
      firstWrites,
      skipped,
      (adds) => {
        current = { ...record, memberCount: adds };
        return [
          {
            Put: {
              TableName: this.tableName,
              Item: groupItem(tenantId, current),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...keyItems.map((item) => ({
            Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        ];
      },
      (index) => (index === 1 ? new DisplayNameTakenError() : undefined),
    );
    for (const batch of rest)
      current = await this.writeVersioned(tenantId, current, batch, skipped, current.lastModified);
    return { record: current, skipped };
  }

  async update(
    tenantId: string,
    previous: GroupRecord,
    change: GroupChange,
    guard: GroupWriteGuard,
  ): Promise<GroupWriteOutcome> {
    const pk = tenantPartition(tenantId);
    const { next } = change;
    const before = keyItemsOf(tenantId, previous);
    const after = keyItemsOf(tenantId, next);
    const removedKeys = [...before.keys()].filter((sk) => !after.has(sk));
    const addedKeys = [...after.entries()].filter(([sk]) => !before.has(sk));
    const newName = addedKeys.findIndex(([sk]) => sk.startsWith('GROUPNAME#'));
    const keyWrites: TransactItem[] = [
      ...addedKeys.map(([, item]) => ({
        Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
      })),
      ...removedKeys.map((sk) => ({ Delete: { TableName: this.tableName, Key: { pk, sk } } })),
    ];
    const attributesChange = next.displayName !== previous.displayName || next.externalId !== previous.externalId;
    const writes: MemberWrite[] = [
      ...change.remove.map((userId): MemberWrite => ({ kind: 'remove', userId })),
      ...change.add.map((member): MemberWrite => ({ kind: 'add', member })),
    ];
    const skipped: string[] = [];
    if (guard === 'delta' && !attributesChange) {
      // One after the other: every batch updates the group item, so parallel batches would only conflict.
      for (const batch of this.batches(writes, 1)) {
        await this.writeDelta(tenantId, previous.id, batch, skipped, next.lastModified);
      }
      return { record: (await this.get(tenantId, previous.id)) ?? next, skipped };
    }
    const [first, ...rest] = this.batches(writes, 1 + keyWrites.length);
    let current = previous;
    await this.runTransaction(
      tenantId,
      previous.id,
      first ?? [],
      skipped,
      (adds, removes) => {
        current = { ...next, version: previous.version + 1, memberCount: previous.memberCount + adds - removes };
        return [this.versionedGroupUpdate(tenantId, previous, current, adds), ...keyWrites];
      },
      (index) => {
        if (index === 0) return new VersionConflictError();
        if (newName >= 0 && index === 1 + newName) return new DisplayNameTakenError();
        return undefined;
      },
    );
    for (const batch of rest) current = await this.writeVersioned(tenantId, current, batch, skipped, next.lastModified);
    return { record: current, skipped };
  }

  async delete(tenantId: string, record: GroupRecord): Promise<void> {
    const pk = tenantPartition(tenantId);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk, sk: groupSk(record.id) },
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': record.version },
              },
            },
            ...[...keyItemsOf(tenantId, record).keys()].map((sk) => ({
              Delete: { TableName: this.tableName, Key: { pk, sk } },
            })),
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed' || reasons?.includes('TransactionConflict')) {
        throw new VersionConflictError();
      }
      throw error;
    }
    await this.removeMemberships(tenantId, record.id);
  }

  /**
   * Deletes the membership items of a group that no longer exists. Once the group item is gone no membership
   * can be added to it (each addition updates the group item), so this Query sees every one there is.
   */
  async removeMemberships(tenantId: string, groupId: string): Promise<void> {
    const pk = tenantPartition(tenantId);
    const members = await this.queryAll(pk, memberPrefix(groupId), 'userId');
    const keys = members.flatMap((item) => [
      { pk, sk: memberSk(groupId, item.userId as string) },
      { pk, sk: memberOfSk(item.userId as string, groupId) },
    ]);
    await this.batchDelete(keys);
  }

  async removeUserFromGroups(tenantId: string, userId: string): Promise<void> {
    const pk = tenantPartition(tenantId);
    const groupIds = await this.groupIdsOf(tenantId, userId);
    const now = new Date().toISOString();
    await inParallel(groupIds, PARALLEL_WRITES, async (groupId) => {
      for (let attempt = 1; attempt <= TRANSACTION_ATTEMPTS; attempt += 1) {
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: this.tableName,
                    Key: { pk, sk: groupSk(groupId) },
                    UpdateExpression: 'ADD #version :one, memberCount :minusOne SET lastModified = :now',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeNames: { '#version': 'version' },
                    ExpressionAttributeValues: { ':one': 1, ':minusOne': -1, ':now': now },
                  },
                },
                {
                  Delete: {
                    TableName: this.tableName,
                    Key: { pk, sk: memberSk(groupId, userId) },
                    ConditionExpression: 'attribute_exists(pk)',
                  },
                },
                { Delete: { TableName: this.tableName, Key: { pk, sk: memberOfSk(userId, groupId) } } },
              ],
            }),
          );
          return;
        } catch (error) {
          const reasons = cancellationReasons(error);
          if (!reasons) throw error;
          if (reasons.includes('ConditionalCheckFailed')) {
            // The group is gone or the membership was already removed: only the leftover items are deleted.
            await this.batchDelete([
              { pk, sk: memberSk(groupId, userId) },
              { pk, sk: memberOfSk(userId, groupId) },
            ]);
            return;
          }
          if (!reasons.includes('TransactionConflict')) throw error;
          await backOff(attempt);
        }
      }
      throw serviceUnavailable(1);
    });
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

  /** Splits membership writes into transactions, the first one leaving room for `firstReserved` other items. */
  private batches(writes: readonly MemberWrite[], firstReserved: number): MemberWrite[][] {
    const batches: MemberWrite[][] = [[]];
    let room = TRANSACTION_ITEMS - firstReserved;
    for (const write of writes) {
      if (itemsPerWrite(write) > room) {
        batches.push([]);
        room = TRANSACTION_ITEMS - 1;
      }
      (batches.at(-1) as MemberWrite[]).push(write);
      room -= itemsPerWrite(write);
    }
    return batches;
  }

  /** A later batch of a `version`-guarded change: conditional on the version the previous batch wrote. */
  private async writeVersioned(
    tenantId: string,
    current: GroupRecord,
    batch: readonly MemberWrite[],
    skipped: string[],
    lastModified: string,
  ): Promise<GroupRecord> {
    let written = current;
    const wrote = await this.runTransaction(
      tenantId,
      current.id,
      batch,
      skipped,
      (adds, removes) => {
        written = {
          ...current,
          version: current.version + 1,
          lastModified,
          memberCount: current.memberCount + adds - removes,
        };
        return [this.versionedGroupUpdate(tenantId, current, written, adds)];
      },
      (index) => (index === 0 ? new VersionConflictError() : undefined),
      'skip',
    );
    return wrote ? written : current;
  }

  /** A batch of a `delta` change: only needs the group to exist and to have room for what it adds. */
  private async writeDelta(
    tenantId: string,
    groupId: string,
    batch: readonly MemberWrite[],
    skipped: string[],
    lastModified: string,
  ): Promise<void> {
    let groupFailed = false;
    await this.runTransaction(
      tenantId,
      groupId,
      batch,
      skipped,
      (adds, removes) => [
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: tenantPartition(tenantId), sk: groupSk(groupId) },
            UpdateExpression: 'ADD #version :one, memberCount :change SET lastModified = :now',
            ConditionExpression: adds > 0 ? 'attribute_exists(pk) AND memberCount <= :room' : 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':change': adds - removes,
              ':now': lastModified,
              ...(adds > 0 ? { ':room': MAX_GROUP_MEMBERS - adds } : {}),
            },
          },
        },
      ],
      (index) => {
        if (index !== 0) return undefined;
        groupFailed = true;
        return new VersionConflictError();
      },
      'skip',
    ).catch(async (error: unknown) => {
      if (groupFailed && (await this.get(tenantId, groupId))) throw new GroupFullError();
      throw error;
    });
  }

  private versionedGroupUpdate(tenantId: string, previous: GroupRecord, next: GroupRecord, adds: number): TransactItem {
    const hasExternalId = next.externalId !== undefined;
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: tenantPartition(tenantId), sk: groupSk(previous.id) },
        UpdateExpression: `SET #version = :version, lastModified = :lastModified, displayName = :displayName, memberCount = :memberCount${hasExternalId ? ', externalId = :externalId' : ''}${hasExternalId ? '' : ' REMOVE externalId'}`,
        ConditionExpression: adds > 0 ? '#version = :expected AND :memberCount <= :max' : '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: {
          ':version': next.version,
          ':expected': previous.version,
          ':lastModified': next.lastModified,
          ':displayName': next.displayName,
          ':memberCount': next.memberCount,
          ...(hasExternalId ? { ':externalId': next.externalId } : {}),
          ...(adds > 0 ? { ':max': MAX_GROUP_MEMBERS } : {}),
        },
      },
    };
  }

  /**
   * One transaction: the group-level items from `head` (built once the batch's real size is known), then each
   * membership's items. A membership whose condition fails is dropped and the rest retried: an added user that
   * no longer exists is reported in `skipped`, an addition already present or a removal already done is a
   * no-op. A failed group-level condition becomes `explainHead`'s error. Lost races are retried.
   */
  private async runTransaction(
    tenantId: string,
    groupId: string,
    batch: readonly MemberWrite[],
    skipped: string[],
    head: (adds: number, removes: number) => TransactItem[],
    explainHead: (index: number) => Error | undefined,
    headAlone: 'write' | 'skip' = 'write',
  ): Promise<boolean> {
    const pk = tenantPartition(tenantId);
    let pending = [...batch];
    for (let attempt = 1; attempt <= TRANSACTION_ATTEMPTS; attempt += 1) {
      if (pending.length === 0 && headAlone === 'skip') return false;
      const adds = pending.filter((write) => write.kind === 'add').length;
      const headItems = head(adds, pending.length - adds);
      const owners: (MemberWrite | undefined)[] = headItems.map(() => undefined);
      const items: TransactItem[] = [...headItems];
      for (const write of pending) {
        if (write.kind === 'add') {
          const { userId, display } = write.member;
          items.push(
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: { pk, sk: userSk(userId) },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk,
                  sk: memberSk(groupId, userId),
                  groupId,
                  userId,
                  ...(display !== undefined ? { display } : {}),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.tableName, Item: { pk, sk: memberOfSk(userId, groupId), groupId, userId } } },
          );
          owners.push(write, write, write);
        } else {
          items.push(
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk, sk: memberSk(groupId, write.userId) },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            { Delete: { TableName: this.tableName, Key: { pk, sk: memberOfSk(write.userId, groupId) } } },
          );
          owners.push(write, write);
        }
      }
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        const failed = reasons.flatMap((reason, index) => (reason === 'ConditionalCheckFailed' ? [index] : []));
        const headFailure = failed.find((index) => index < headItems.length);
        if (headFailure !== undefined) {
          const explained = explainHead(headFailure);
          if (explained) throw explained;
        }
        if (failed.length > 0) {
          const dropped = new Set(failed.map((index) => owners[index]).filter((write) => write !== undefined));
          for (const [index, write] of owners.entries()) {
            // The user check is the first item of an addition: that user is gone, not merely already a member.
            if (write?.kind === 'add' && dropped.has(write) && failed.includes(index) && items[index]?.ConditionCheck) {
              skipped.push(write.member.userId);
            }
          }
          pending = pending.filter((write) => !dropped.has(write));
          continue;
        }
        if (reasons.includes('ThrottlingError')) {
          throw Object.assign(new Error('DynamoDB throttled the transaction'), { name: 'ThrottlingException' });
        }
        if (!reasons.includes('TransactionConflict')) throw error;
        await backOff(attempt);
      }
    }
    throw serviceUnavailable(1);
  }

  private async batchGet(keys: readonly Key[], projection?: string): Promise<Item[]> {
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

  private async batchDelete(keys: readonly Key[]): Promise<void> {
    const chunks: Key[][] = [];
    for (let offset = 0; offset < keys.length; offset += 25) chunks.push(keys.slice(offset, offset + 25));
    await inParallel(chunks, PARALLEL_WRITES, async (chunk) => {
      let pending: Record<string, unknown>[] = chunk.map((key) => ({ DeleteRequest: { Key: key } }));
      for (let round = 0; pending.length > 0; round += 1) {
        if (round > 0) await pause(Math.min(50 * 2 ** round, 1000));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        if (round >= 10 && pending.length > 0) {
          throw Object.assign(new Error('DynamoDB left items unprocessed'), { name: 'ThrottlingException' });
        }
      }
    });
  }

  /** Items whose sort key starts with `prefix`, in sort-key order, following DynamoDB's 1 MB pages. */
  private async queryAll(pk: string, prefix: string, projection?: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        ...(projection ? { ProjectionExpression: projection } : {}),
      };
      const result = await this.db.send(new QueryCommand(input));
      items.push(...((result.Items ?? []) as Item[]));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
