import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { LookupKey } from '../../core/scim/filter';
import { emailKeys, type UserAttributes, userNameKey } from '../../core/scim/user-attributes';
import { DEFAULT_ACCESS, type UserRecord } from '../../core/scim/user-record';
import { UserNameTakenError, type UserStore, VersionConflictError } from '../../core/scim/user-store';
import { StorageThrottledError, StorageUnavailableError } from '../../core/storage-errors';
import { assertStorable, isStorableKey } from './item-size';
import { cancellationReasons, retryWithJitter } from './transactions';

/**
 * Users on the `users` table. Everything of a tenant lives in its own partition, so every lookup is a strongly
 * consistent read of the base table (no index, no scan):
 *
 * | sk                               | what                                                          |
 * | -------------------------------- | ------------------------------------------------------------- |
 * | `USER#<id>`                      | the user; ids are time-ordered, so sk order is creation order |
 * | `USERNAME#<userName key>`        | uniqueness of the NFC + lower-cased userName → `userId`       |
 * | `EXTID#<externalId>#<id>`        | `externalId eq` lookup (not unique)                           |
 * | `EMAIL#<email key>#<id>`         | `emails.value eq` lookup (not unique), unless it is the userName |
 * | `COUNT#<0..7>`                   | counter shards: `users` (for totalResults), `deletes`         |
 * | `COUNT#PAGE#<0..11>`             | index-paging bookmark slots: a position and its user's sk     |
 * | `AUDIT#…`                        | the admin CLI's audit trail (written by DynamoDbAccessStore)  |
 *
 * Lookup values are percent-encoded inside the sort key so that `#` can only be a separator. The user item and
 * its key items are written in one transaction, conditional on the userName being free and on the version read.
 * Every item is checked against DynamoDB's key and item limits before it is sent (StorageLimitError), and
 * failures this store recognises itself (a throttled transaction, keys left unprocessed, a write that kept
 * losing races) are storage errors; other SDK errors pass through to the function layer's classifier.
 */
const COUNTER_SHARDS = 8;
const TRANSACTION_ATTEMPTS = 8;
const BATCH_GET_ROUNDS = 10;
const BATCH_GET_SIZE = 100;
const BOOKMARK_SLOTS = 12;
const BOOKMARK_TTL_SECONDS = 3600;

const partition = (tenantId: string) => `TENANT#${tenantId}`;
const USER_PREFIX = 'USER#';
const userSk = (id: string) => `${USER_PREFIX}${id}`;
const userNameSk = (key: string) => `USERNAME#${key}`;
const externalIdPrefix = (externalId: string) => `EXTID#${encodeURIComponent(externalId)}#`;
const emailPrefix = (emailKey: string) => `EMAIL#${encodeURIComponent(emailKey)}#`;
/** Counter shards and bookmark slots share this prefix, so one small Query reads them all (see `readCounters`). */
const COUNTERS_PREFIX = 'COUNT#';
const counterSk = (shard: number) => `${COUNTERS_PREFIX}${shard}`;
const BOOKMARK_PREFIX = `${COUNTERS_PREFIX}PAGE#`;
/**
 * Positions spread over the slots by Fibonacci hashing (the high bits of a multiplicative hash), since Okta's
 * positions (100, 200, …) share factors that a plain remainder would map to a few slots.
 */
const bookmarkSk = (position: number) =>
  `${BOOKMARK_PREFIX}${Math.floor(((Math.imul(position, 0x9e3779b1) >>> 0) / 2 ** 32) * BOOKMARK_SLOTS)}`;

type Item = Record<string, unknown>;
type KeyedItem = Item & { pk: string; sk: string };
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Writes that go into the same transaction as a user's creation (the admin CLI's audit entry). */
export type CreateCompanions = (tenantId: string, record: UserRecord) => TransactItem[];

/** A condition of one of the companion writes of `updateAccess` failed; `index` is its position. */
export class CompanionConditionFailedError extends Error {
  override readonly name = 'CompanionConditionFailedError';

  constructor(readonly index: number) {
    super(`Condition ${index} of the access change failed`);
  }
}

/** The key items a user's attributes call for, by sort key. */
function keyItemsOf(tenantId: string, id: string, attributes: UserAttributes): Map<string, KeyedItem> {
  const pk = partition(tenantId);
  const items = new Map<string, KeyedItem>();
  const ownUserNameKey = userNameKey(attributes.userName);
  const userName = userNameSk(ownUserNameKey);
  items.set(userName, { pk, sk: userName, userId: id });
  if (typeof attributes.externalId === 'string') {
    const sk = `${externalIdPrefix(attributes.externalId)}${id}`;
    items.set(sk, { pk, sk, userId: id });
  }
  // An email that folds to the user's own userName (Okta's usual user) is found through the userName item
  // (findByKeys), so it needs no lookup item of its own: a create is 4 items instead of 5, 8 write units.
  for (const email of emailKeys(attributes)) {
    if (email === ownUserNameKey) continue;
    const sk = `${emailPrefix(email)}${id}`;
    items.set(sk, { pk, sk, userId: id });
  }
  return items;
}

function userItem(tenantId: string, record: UserRecord): KeyedItem {
  return {
    pk: partition(tenantId),
    sk: userSk(record.id),
    id: record.id,
    version: record.version,
    created: record.created,
    lastModified: record.lastModified,
    resource: JSON.stringify(record.attributes),
    role: record.access.role,
    allBrands: record.access.allBrands,
    brands: [...record.access.brands],
    ...(record.access.roleGroup !== undefined ? { roleGroup: record.access.roleGroup } : {}),
  };
}

function recordOf(item: Item): UserRecord {
  return {
    id: item.id as string,
    version: item.version as number,
    created: item.created as string,
    lastModified: item.lastModified as string,
    attributes: JSON.parse(item.resource as string) as UserAttributes,
    access: {
      role: typeof item.role === 'string' ? item.role : DEFAULT_ACCESS.role,
      allBrands: typeof item.allBrands === 'boolean' ? item.allBrands : DEFAULT_ACCESS.allBrands,
      brands: Array.isArray(item.brands) ? (item.brands as string[]) : [],
      ...(typeof item.roleGroup === 'string' ? { roleGroup: item.roleGroup } : {}),
    },
  };
}

const randomShard = () => Math.floor(Math.random() * COUNTER_SHARDS);

type CancellationReasons = readonly (string | undefined)[];

/** Checks what a user's write would store, the user item and each of its key items. */
function assertWritable(user: KeyedItem, keyItems: readonly KeyedItem[]): void {
  assertStorable(user, 'The user');
  for (const item of keyItems) assertStorable(item, 'A userName, externalId or email');
}

export class DynamoDbUserStore implements UserStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly createCompanions: CreateCompanions = () => [],
  ) {}

  /** The partition key of a tenant's users, for items other stores keep beside them (the audit trail). */
  static partitionOf(tenantId: string): string {
    return partition(tenantId);
  }

  async get(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const key = { pk: partition(tenantId), sk: userSk(id) };
    if (!isStorableKey(key)) return undefined;
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ConsistentRead: true,
      }),
    );
    return result.Item ? recordOf(result.Item) : undefined;
  }

  async create(tenantId: string, record: UserRecord): Promise<void> {
    const pk = partition(tenantId);
    const keyItems = [...keyItemsOf(tenantId, record.id, record.attributes).values()];
    const user = userItem(tenantId, record);
    assertWritable(user, keyItems);
    await this.transact(
      () => [
        {
          Put: {
            TableName: this.tableName,
            Item: user,
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...keyItems.map((item) => ({
          Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
        })),
        this.countChange(pk, 1, 0),
        ...this.createCompanions(tenantId, record),
      ],
      // The userName item is the first key item; the other key items embed the (new) id and cannot clash.
      (reasons) => (reasons[1] === 'ConditionalCheckFailed' ? new UserNameTakenError() : undefined),
    );
  }

  /** `companions` go into the same transaction (the admin CLI's audit entry), after the user's own items. */
  async update(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    companions: readonly TransactItem[] = [],
  ): Promise<void> {
    const pk = partition(tenantId);
    const before = keyItemsOf(tenantId, previous.id, previous.attributes);
    const after = keyItemsOf(tenantId, next.id, next.attributes);
    const removed = [...before.keys()].filter((sk) => !after.has(sk));
    const added = [...after.entries()].filter(([sk]) => !before.has(sk));
    const newUserName = added.findIndex(([sk]) => sk.startsWith('USERNAME#'));
    const item = userItem(tenantId, next);
    assertWritable(
      item,
      added.map(([, keyItem]) => keyItem),
    );
    await this.transact(
      () => [
        {
          Update: {
            TableName: this.tableName,
            Key: { pk, sk: userSk(next.id) },
            UpdateExpression: 'SET #version = :version, lastModified = :lastModified, #resource = :resource',
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version', '#resource': 'resource' },
            ExpressionAttributeValues: {
              ':version': next.version,
              ':expected': previous.version,
              ':lastModified': next.lastModified,
              ':resource': item.resource,
            },
          },
        },
        ...added.map(([, added]) => ({
          Put: { TableName: this.tableName, Item: added, ConditionExpression: 'attribute_not_exists(pk)' },
        })),
        ...removed.map((sk) => ({ Delete: { TableName: this.tableName, Key: { pk, sk } } })),
        ...companions,
      ],
      (reasons) => {
        if (reasons[0] === 'ConditionalCheckFailed') return new VersionConflictError();
        if (newUserName >= 0 && reasons[1 + newUserName] === 'ConditionalCheckFailed') {
          return new UserNameTakenError();
        }
        return undefined;
      },
    );
  }

  /**
   * Changes only the access model of a user (role, brands), with a new version and lastModified, conditional
   * on the version read, in one transaction with `companions` (condition checks on roles and brands, the
   * audit entry). @throws VersionConflictError, CompanionConditionFailedError
   */
  async updateAccess(
    tenantId: string,
    previous: UserRecord,
    next: UserRecord,
    companions: readonly TransactItem[] = [],
  ): Promise<void> {
    await this.transact(
      () => [
        {
          Update: {
            TableName: this.tableName,
            Key: { pk: partition(tenantId), sk: userSk(next.id) },
            UpdateExpression: `SET #version = :version, lastModified = :lastModified, #role = :role, allBrands = :allBrands, brands = :brands${
              next.access.roleGroup !== undefined ? ', roleGroup = :roleGroup' : ' REMOVE roleGroup'
            }`,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version', '#role': 'role' },
            ExpressionAttributeValues: {
              ':version': next.version,
              ':expected': previous.version,
              ':lastModified': next.lastModified,
              ':role': next.access.role,
              ':allBrands': next.access.allBrands,
              ':brands': [...next.access.brands],
              ...(next.access.roleGroup !== undefined ? { ':roleGroup': next.access.roleGroup } : {}),
            },
          },
        },
        ...companions,
      ],
      (reasons) => {
        if (reasons[0] === 'ConditionalCheckFailed') return new VersionConflictError();
        const failed = reasons.findIndex((reason, index) => index > 0 && reason === 'ConditionalCheckFailed');
        return failed > 0 ? new CompanionConditionFailedError(failed - 1) : undefined;
      },
    );
  }

  async delete(tenantId: string, record: UserRecord): Promise<void> {
    const pk = partition(tenantId);
    const keyItems = [...keyItemsOf(tenantId, record.id, record.attributes).keys()];
    await this.transact(
      () => [
        {
          Delete: {
            TableName: this.tableName,
            Key: { pk, sk: userSk(record.id) },
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': record.version },
          },
        },
        ...keyItems.map((sk) => ({ Delete: { TableName: this.tableName, Key: { pk, sk } } })),
        this.countChange(pk, -1, 1),
      ],
      (reasons) => (reasons[0] === 'ConditionalCheckFailed' ? new VersionConflictError() : undefined),
    );
  }

  async findByKeys(tenantId: string, keys: readonly LookupKey[]): Promise<UserRecord[]> {
    const pk = partition(tenantId);
    const ids = new Set<string>();
    // An email lookup also asks for the userName item of the same key: users whose email is their userName
    // keep no EMAIL# item (keyItemsOf). Core checks every candidate against the filter, so a user found that
    // way whose emails differ is dropped there.
    const userNames = [
      ...new Set(
        keys
          .filter((key) => key.kind === 'userName' || key.kind === 'email')
          .map((key) => userNameSk(key.kind === 'email' ? userNameKey(key.value) : key.value)),
      ),
    ];
    for (const item of await this.batchGet(userNames.map((sk) => ({ pk, sk })))) ids.add(item.userId as string);
    for (const key of keys) {
      if (key.kind === 'id') ids.add(key.value);
      if (key.kind === 'externalId' || key.kind === 'email') {
        const prefix = key.kind === 'email' ? emailPrefix(key.value) : externalIdPrefix(key.value);
        for (const item of await this.queryAll({ partitionKey: pk, prefix, projection: 'userId' }))
          ids.add(item.userId as string);
      }
    }
    const users = await this.batchGet([...ids].map((id) => ({ pk, sk: userSk(id) })));
    return users.map(recordOf);
  }

  async readAll(tenantId: string): Promise<UserRecord[]> {
    return (await this.queryAll({ partitionKey: partition(tenantId), prefix: USER_PREFIX })).map(recordOf);
  }

  /**
   * Index paging without re-reading earlier pages: after serving a full page, a bookmark remembers which user
   * ends it; the request for the next page (startIndex += count) finds the bookmark and continues from there.
   * A bookmark is only used while no user has been deleted since it was written (deletes shift positions);
   * otherwise the positions are counted again from the start, once. Creates append (ids are time-ordered), so
   * they leave bookmarks valid; an id minted by a Lambda whose clock is a few milliseconds behind can sort just
   * before the newest users, which a walk already past that point does not see, and nothing else changes.
   *
   * A page is one small Query (the counter shards and the bookmark slots, 1 read unit) and the Query of its
   * users; the first page sends both at once. Bookmarks live in a fixed number of slots, chosen by position, so
   * that the small Query stays small however long a walk is: two walks whose next positions share a slot evict
   * each other's bookmark, and the one that finds the other's counts its position again (slower, never wrong).
   */
  async indexPage(
    tenantId: string,
    startIndex: number,
    count: number,
  ): Promise<{ records: UserRecord[]; totalResults: number }> {
    const pk = partition(tenantId);
    const skip = startIndex - 1;
    if (skip <= 0) {
      const [{ totalResults, generation }, items] = await Promise.all([
        this.readCounters(pk),
        this.queryAll({ partitionKey: pk, prefix: USER_PREFIX, limit: count }),
      ]);
      await this.bookmarkIfFull(pk, 0, count, items, totalResults, generation);
      return { records: items.map(recordOf), totalResults };
    }
    const { totalResults, generation, bookmarks } = await this.readCounters(pk);
    if (count === 0 || skip >= totalResults) return { records: [], totalResults };
    const bookmark = bookmarks.get(bookmarkSk(skip));
    const valid =
      bookmark !== undefined &&
      bookmark.position === skip &&
      bookmark.generation === generation &&
      typeof bookmark.lastSk === 'string' &&
      (typeof bookmark.expiresAt !== 'number' || bookmark.expiresAt > Date.now() / 1000);
    const startAfter = valid ? (bookmark.lastSk as string) : await this.skUserAt(pk, skip);
    if (startAfter === undefined) return { records: [], totalResults };
    const items = await this.queryAll({ partitionKey: pk, prefix: USER_PREFIX, startAfter, limit: count });
    await this.bookmarkIfFull(pk, skip, count, items, totalResults, generation);
    return { records: items.map(recordOf), totalResults };
  }

  async pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: UserRecord[]; more: boolean; totalResults: number }> {
    const pk = partition(tenantId);
    const [{ totalResults }, items] = await Promise.all([
      this.readCounters(pk),
      this.queryAll({
        partitionKey: pk,
        prefix: USER_PREFIX,
        startAfter: afterId === undefined ? undefined : userSk(afterId),
        limit: count === 0 ? 0 : count + 1,
      }),
    ]);
    return { records: items.slice(0, count).map(recordOf), more: items.length > count, totalResults };
  }

  /**
   * The counter shards and the bookmark slots, in one strongly consistent Query of their shared prefix: at most
   * 20 items of about 100 bytes, so 1 read unit (a Query is billed by the size of what it read, in 4 KB steps).
   */
  private async readCounters(
    pk: string,
  ): Promise<{ totalResults: number; generation: number; bookmarks: Map<string, Item> }> {
    let totalResults = 0;
    let generation = 0;
    const bookmarks = new Map<string, Item>();
    for (const item of await this.queryAll({ partitionKey: pk, prefix: COUNTERS_PREFIX })) {
      if (typeof item.sk === 'string' && item.sk.startsWith(BOOKMARK_PREFIX)) {
        bookmarks.set(item.sk, item);
      } else {
        totalResults += typeof item.users === 'number' ? item.users : 0;
        generation += typeof item.deletes === 'number' ? item.deletes : 0;
      }
    }
    return { totalResults: Math.max(totalResults, 0), generation, bookmarks };
  }

  /** After a full page that is not the last, the bookmark for the position it ends at. */
  private async bookmarkIfFull(
    pk: string,
    skip: number,
    count: number,
    items: readonly Item[],
    totalResults: number,
    generation: number,
  ): Promise<void> {
    const last = items.at(-1);
    if (count > 0 && items.length === count && last && skip + count < totalResults) {
      await this.saveBookmark(pk, skip + count, last.sk as string, generation);
    }
  }

  /** The sort key of the user at a 1-based position, counting from the first user (reads only keys). */
  private async skUserAt(pk: string, position: number): Promise<string | undefined> {
    const items = await this.queryAll({ partitionKey: pk, prefix: USER_PREFIX, limit: position, projection: 'sk' });
    return items.length === position ? (items.at(-1)?.sk as string) : undefined;
  }

  /** A bookmark is a cache: failing to write one must not fail the page that was already read. */
  private async saveBookmark(pk: string, position: number, lastSk: string, generation: number): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: bookmarkSk(position),
            position,
            lastSk,
            generation,
            expiresAt: Math.floor(Date.now() / 1000) + BOOKMARK_TTL_SECONDS,
          },
        }),
      );
    } catch {
      // The next page then counts positions from the start: slower, never wrong.
    }
  }

  private countChange(pk: string, users: number, deletes: number): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk, sk: counterSk(randomShard()) },
        UpdateExpression: 'ADD #users :users, #deletes :deletes',
        ExpressionAttributeNames: { '#users': 'users', '#deletes': 'deletes' },
        ExpressionAttributeValues: { ':users': users, ':deletes': deletes },
      },
    };
  }

  /**
   * One TransactWriteItems, retried while it only lost a race (`TransactionConflict`, e.g. two creates that
   * picked the same counter shard). Failed conditions become the store's domain errors through `explain`.
   * @throws StorageThrottledError when DynamoDB throttled it, StorageUnavailableError when it kept losing races
   */
  private async transact(
    build: () => TransactItem[],
    explain: (reasons: CancellationReasons) => Error | undefined,
  ): Promise<void> {
    const onlyLostARace = (error: unknown) => {
      const reasons = cancellationReasons(error) ?? [];
      return (
        reasons.includes('TransactionConflict') &&
        !reasons.includes('ThrottlingError') &&
        explain(reasons) === undefined
      );
    };
    try {
      await retryWithJitter(() => this.db.send(new TransactWriteCommand({ TransactItems: build() })), {
        attempts: TRANSACTION_ATTEMPTS,
        retryable: onlyLostARace,
      });
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const explained = explain(reasons);
      if (explained) throw explained;
      if (reasons.includes('ThrottlingError')) throw new StorageThrottledError('DynamoDB throttled the transaction');
      if (reasons.includes('TransactionConflict')) {
        throw new StorageUnavailableError(`The transaction lost ${TRANSACTION_ATTEMPTS} races in a row`);
      }
      throw error;
    }
  }

  /**
   * Strongly consistent reads of the items at `keys`, 100 keys a request, re-asking for the keys DynamoDB left
   * unprocessed (it does so when throttled) after growing pauses. A key beyond DynamoDB's limits names no item.
   * @throws StorageThrottledError when keys are still unprocessed after every round
   */
  private async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Item[]> {
    const items: Item[] = [];
    const storable = keys.filter(isStorableKey);
    for (let offset = 0; offset < storable.length; offset += BATCH_GET_SIZE) {
      let pending: Record<string, unknown>[] = storable.slice(offset, offset + BATCH_GET_SIZE);
      await retryWithJitter(
        async () => {
          const result = await this.db.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          items.push(...((result.Responses?.[this.tableName] ?? []) as Item[]));
          pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
          if (pending.length > 0) throw new StorageThrottledError('DynamoDB left keys of a batch read unprocessed');
        },
        {
          attempts: BATCH_GET_ROUNDS,
          retryable: (error) => error instanceof StorageThrottledError,
          baseMs: 50,
          capMs: 1000,
        },
      );
    }
    return items;
  }

  /**
   * Items whose sort key starts with `prefix`, in sort-key order, following DynamoDB's 1 MB pages; at most
   * `limit` of them (each page asks for `limit`, and paging stops once there are enough).
   */
  private async queryAll(options: {
    partitionKey: string;
    prefix: string;
    startAfter?: string;
    limit?: number;
    projection?: string;
  }): Promise<Item[]> {
    const pk = options.partitionKey;
    const { limit, startAfter } = options;
    // A prefix longer than a sort key can be matches nothing; DynamoDB would refuse the query itself.
    if (limit === 0 || !isStorableKey({ pk, sk: options.prefix })) return [];
    const items: Item[] = [];
    const pages = paginateQuery(
      {
        client: this.db,
        ...(limit !== undefined ? { pageSize: limit } : {}),
        ...(startAfter !== undefined ? { startingToken: { pk, sk: startAfter } } : {}),
      },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': options.prefix },
        ConsistentRead: true,
        ...(options.projection ? { ProjectionExpression: options.projection } : {}),
      },
    );
    for await (const page of pages) {
      items.push(...((page.Items ?? []) as Item[]));
      if (limit !== undefined && items.length >= limit) return items.slice(0, limit);
    }
    return items;
  }
}
