import {
  BatchWriteCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { displayNameKey } from '../../core/scim/group-attributes';
import type { GroupMember, GroupRecord } from '../../core/scim/group-record';
import {
  DisplayNameTakenError,
  type GroupChange,
  type GroupStore,
  type GroupWriteGuard,
  type GroupWriteOutcome,
} from '../../core/scim/group-store';
import { VersionConflictError } from '../../core/scim/user-store';
import { StorageUnavailableError } from '../../core/storage-errors';
import {
  DynamoDbGroupReads,
  externalIdPrefix,
  groupSk,
  type Item,
  inParallel,
  type Key,
  memberOfSk,
  memberPrefix,
  memberSk,
  nameSk,
  PARALLEL_WRITES,
  recordOf,
  userSk,
} from './group-reads';
import { cancellationReasons, isConditionFailure } from './store-errors';
import { tenantPartition } from './tenant-keys';
import { jitteredPause, retryWithJitter } from './transactions';

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
 * Both items of a membership are written in one transaction, an addition with a condition that its user
 * exists. A transaction holds at most 100 items, so a change of many members is written in transactions of up
 * to 33 additions or 49 removals, several at a time; then one update of the group item counts what they
 * changed (memberCount) and moves its version on. A Lambda stopped between the two leaves memberCount behind
 * the memberships until the next change of the group; it never leaves half a membership.
 */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_ATTEMPTS = 40;
const CONFLICT_PAUSE_BASE_MS = 20;
const CONFLICT_PAUSE_CAP_MS = 400;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

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
/** The shared full-jitter pause, growing from 20 ms to at most 400 ms, after a transaction lost a race. */
const backOff = (attempt: number) => pause(jitteredPause(attempt, CONFLICT_PAUSE_BASE_MS, CONFLICT_PAUSE_CAP_MS));

export class DynamoDbGroupStore extends DynamoDbGroupReads implements GroupStore {
  async create(tenantId: string, record: GroupRecord, members: readonly GroupMember[]): Promise<GroupWriteOutcome> {
    const keyItems = [...keyItemsOf(tenantId, record).values()];
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [groupItem(tenantId, record), ...keyItems].map((item) => ({
            Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        }),
      );
    } catch (error) {
      if (cancellationReasons(error)?.[1] === 'ConditionalCheckFailed') throw new DisplayNameTakenError();
      throw error;
    }
    return this.writeMemberships(tenantId, record, members, [], record.lastModified, 'exists');
  }

  async update(
    tenantId: string,
    previous: GroupRecord,
    change: GroupChange,
    guard: GroupWriteGuard,
  ): Promise<GroupWriteOutcome> {
    const { next } = change;
    let written = previous;
    if (guard === 'version') {
      written = { ...next, version: previous.version + 1, memberCount: previous.memberCount };
      await this.writeAttributes(tenantId, previous, written);
    }
    return this.writeMemberships(
      tenantId,
      written,
      change.add,
      change.remove,
      next.lastModified,
      guard === 'version' ? 'version' : 'exists',
    );
  }

  /**
   * The group item at a new version with new attributes, and its lookup items, in one transaction conditional
   * on the version read. @throws VersionConflictError, DisplayNameTakenError
   */
  private async writeAttributes(tenantId: string, previous: GroupRecord, next: GroupRecord): Promise<void> {
    const pk = tenantPartition(tenantId);
    const before = keyItemsOf(tenantId, previous);
    const after = keyItemsOf(tenantId, next);
    const added = [...after.entries()].filter(([sk]) => !before.has(sk));
    const removed = [...before.keys()].filter((sk) => !after.has(sk));
    const newName = added.findIndex(([sk]) => sk.startsWith('GROUPNAME#'));
    const hasExternalId = next.externalId !== undefined;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk, sk: groupSk(previous.id) },
                UpdateExpression: `SET #version = :version, lastModified = :lastModified, displayName = :displayName${
                  hasExternalId ? ', externalId = :externalId' : ' REMOVE externalId'
                }`,
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: {
                  ':version': next.version,
                  ':expected': previous.version,
                  ':lastModified': next.lastModified,
                  ':displayName': next.displayName,
                  ...(hasExternalId ? { ':externalId': next.externalId } : {}),
                },
              },
            },
            ...added.map(([, item]) => ({
              Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
            })),
            ...removed.map((sk) => ({ Delete: { TableName: this.tableName, Key: { pk, sk } } })),
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0] === 'ConditionalCheckFailed' || reasons.includes('TransactionConflict')) {
        throw new VersionConflictError();
      }
      if (newName >= 0 && reasons[1 + newName] === 'ConditionalCheckFailed') throw new DisplayNameTakenError();
      throw error;
    }
  }

  /**
   * Writes membership changes in transactions of up to 33 additions or 49 removals, several at a time (they
   * share no item, so they never conflict), then counts what they changed on the group item in one update,
   * which also moves the version on. Under `version`, that update is conditional on the version this request
   * wrote; if another write came in between, the count is still recorded and VersionConflictError makes the
   * core start again from a fresh read. If the group was deleted meanwhile, the memberships just written are
   * removed again and VersionConflictError makes the core answer 404.
   */
  private async writeMemberships(
    tenantId: string,
    group: GroupRecord,
    add: readonly GroupMember[],
    remove: readonly string[],
    lastModified: string,
    countGuard: 'version' | 'exists',
  ): Promise<GroupWriteOutcome> {
    const writes: MemberWrite[] = [
      ...remove.map((userId): MemberWrite => ({ kind: 'remove', userId })),
      ...add.map((member): MemberWrite => ({ kind: 'add', member })),
    ];
    if (writes.length === 0) return { record: group, skipped: [] };
    const skipped: string[] = [];
    let change = 0;
    let failure: unknown;
    try {
      await inParallel(this.batches(writes), PARALLEL_WRITES, async (batch) => {
        const written = await this.writeBatch(tenantId, group.id, batch, skipped);
        change += written;
      });
    } catch (error) {
      failure = error;
    }
    const counted = await this.countChange(tenantId, group, change, lastModified, countGuard);
    if (failure !== undefined) throw failure;
    if (counted === 'gone') {
      await this.removeMemberships(tenantId, group.id);
      throw new VersionConflictError();
    }
    if (counted === 'moved') throw new VersionConflictError();
    return { record: counted, skipped };
  }

  /** Records a membership change on the group item; 'moved' when its version guard failed, 'gone' without it. */
  private async countChange(
    tenantId: string,
    group: GroupRecord,
    change: number,
    lastModified: string,
    guard: 'version' | 'exists',
  ): Promise<GroupRecord | 'moved' | 'gone'> {
    const update = (condition: string, values: Record<string, unknown>) =>
      this.retryingConflicts(
        () =>
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: tenantPartition(tenantId), sk: groupSk(group.id) },
            UpdateExpression: 'ADD #version :one, memberCount :change SET lastModified = :now',
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':one': 1, ':change': change, ':now': lastModified, ...values },
            ReturnValues: 'ALL_NEW',
          }),
      );
    try {
      const result =
        guard === 'version'
          ? await update('#version = :expected', { ':expected': group.version })
          : await update('attribute_exists(pk)', {});
      return recordOf(result.Attributes as Item);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    if (guard === 'exists') return 'gone';
    try {
      await update('attribute_exists(pk)', {});
      return 'moved';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return 'gone';
    }
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
      throw new StorageUnavailableError('A membership write kept losing races to other writes');
    });
  }

  /** A single-item write, retried while a transaction holding the same item is in flight. */
  private async retryingConflicts(command: () => UpdateCommand) {
    const lostARace = (error: unknown) => error instanceof Error && error.name === 'TransactionConflictException';
    try {
      return await retryWithJitter(() => this.db.send(command()), {
        attempts: TRANSACTION_ATTEMPTS,
        retryable: lostARace,
        baseMs: CONFLICT_PAUSE_BASE_MS,
        capMs: CONFLICT_PAUSE_CAP_MS,
      });
    } catch (error) {
      if (lostARace(error)) {
        throw new StorageUnavailableError(`The transaction lost ${TRANSACTION_ATTEMPTS} races in a row`);
      }
      throw error;
    }
  }

  /** Splits membership writes into transactions of at most TRANSACTION_ITEMS items. */
  private batches(writes: readonly MemberWrite[]): MemberWrite[][] {
    const batches: MemberWrite[][] = [[]];
    let room = TRANSACTION_ITEMS;
    for (const write of writes) {
      if (itemsPerWrite(write) > room) {
        batches.push([]);
        room = TRANSACTION_ITEMS;
      }
      (batches.at(-1) as MemberWrite[]).push(write);
      room -= itemsPerWrite(write);
    }
    return batches;
  }

  /**
   * One transaction of membership writes; returns how much it changed the member count. A membership whose
   * condition fails is dropped and the rest retried: an added user that no longer exists is reported in
   * `skipped`, an addition already present or a removal already done is a no-op. Lost races are retried.
   */
  private async writeBatch(
    tenantId: string,
    groupId: string,
    batch: readonly MemberWrite[],
    skipped: string[],
  ): Promise<number> {
    const pk = tenantPartition(tenantId);
    let pending = [...batch];
    for (let attempt = 1; attempt <= TRANSACTION_ATTEMPTS; attempt += 1) {
      if (pending.length === 0) return 0;
      const owners: MemberWrite[] = [];
      const items: TransactItem[] = [];
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
        return pending.reduce((sum, write) => sum + (write.kind === 'add' ? 1 : -1), 0);
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        const failed = reasons.flatMap((reason, index) => (reason === 'ConditionalCheckFailed' ? [index] : []));
        if (failed.length > 0) {
          const dropped = new Set(failed.map((index) => owners[index] as MemberWrite));
          for (const index of failed) {
            const write = owners[index];
            // The user check is the first item of an addition: that user is gone, not merely already a member.
            if (write?.kind === 'add' && items[index]?.ConditionCheck) skipped.push(write.member.userId);
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
    throw new StorageUnavailableError('A write kept losing races to other writes');
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
}
