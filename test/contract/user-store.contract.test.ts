import { randomUUID } from 'node:crypto';
import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { MemoryUserStore } from '../../adapters/memory/user-store';
import { newUserId } from '../../core/scim/ids';
import { userAttributesFromResource } from '../../core/scim/user-attributes';
import { DEFAULT_ACCESS, type UserRecord } from '../../core/scim/user-record';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { UserNameTakenError, type UserStore, VersionConflictError } from '../../core/scim/user-store';
import { StorageLimitError } from '../../core/storage-errors';
import { describeContract } from '../support/contract';

// The UserStore port's contract, run against the in-memory adapter and the DynamoDB adapter (on the test run's
// DynamoDB Local). Each test works in a tenant of its own.

let created = 0;

/** A record as the core hands it to storage: normalised attributes, a fresh time-ordered id. */
function userRecord(userName: string, extra: Record<string, unknown> = {}): UserRecord {
  created += 1;
  const now = new Date(Date.UTC(2024, 0, 1, 0, 0, created)).toISOString();
  return {
    id: newUserId(),
    version: 1,
    created: now,
    lastModified: now,
    attributes: userAttributesFromResource({ schemas: [CORE_USER_SCHEMA], userName, ...extra }),
    access: DEFAULT_ACCESS,
  };
}

const changed = (record: UserRecord, attributes: Record<string, unknown>): UserRecord => ({
  ...record,
  version: record.version + 1,
  lastModified: new Date(Date.parse(record.lastModified) + 1000).toISOString(),
  attributes: userAttributesFromResource({ schemas: [CORE_USER_SCHEMA], ...record.attributes, ...attributes }),
});

const ids = (records: readonly UserRecord[]) => records.map((record) => record.id);
const sortedIds = (records: readonly UserRecord[]) => ids(records).sort();

describeContract<UserStore>(
  'user store',
  {
    memory: () => new MemoryUserStore(),
    dynamodb: ({ db, tableName }) => new DynamoDbUserStore(db, tableName('users')),
  },
  (subject) => {
    let store: UserStore;
    let tenant: string;

    beforeEach(() => {
      store = subject();
      tenant = `contract-${randomUUID()}`;
    });

    async function createAll(...records: UserRecord[]): Promise<UserRecord[]> {
      for (const record of records) await store.create(tenant, record);
      return records;
    }

    test('a created user reads back as it was written; an unknown id reads as undefined', async () => {
      const [jane] = await createAll(
        userRecord('jane@example.com', { emails: [{ value: 'Jane@Example.com', primary: true }], active: true }),
      );
      expect(await store.get(tenant, (jane as UserRecord).id)).toEqual(jane);
      expect(await store.get(tenant, newUserId())).toBeUndefined();
      expect(await store.get(`other-${randomUUID()}`, (jane as UserRecord).id)).toBeUndefined();
    });

    test('a userName is unique per tenant after case folding and NFC; the losing create writes nothing', async () => {
      await createAll(userRecord('José@Example.com'));
      const twin = userRecord('JOSE\u0301@EXAMPLE.COM', {
        externalId: 'twin',
        emails: [{ value: 'twin@example.com' }],
      });
      await expect(store.create(tenant, twin)).rejects.toBeInstanceOf(UserNameTakenError);
      expect(await store.get(tenant, twin.id)).toBeUndefined();
      expect(
        await store.findByKeys(tenant, [
          { kind: 'externalId', value: 'twin' },
          { kind: 'email', value: 'twin@example.com' },
        ]),
      ).toEqual([]);
      expect((await store.indexPage(tenant, 1, 10)).totalResults).toBe(1);
      // Another tenant may use the same userName.
      await expect(store.create(`other-${randomUUID()}`, twin)).resolves.toBeUndefined();
    });

    test('an update applies only to the version read; a stale or vanished version is a VersionConflictError', async () => {
      const [ann] = (await createAll(userRecord('ann@example.com'))) as [UserRecord];
      const next = changed(ann, { displayName: 'Ann' });
      await store.update(tenant, ann, next);
      expect(await store.get(tenant, ann.id)).toEqual(next);
      await expect(store.update(tenant, ann, changed(ann, { displayName: 'Stale' }))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect((await store.get(tenant, ann.id))?.attributes.displayName).toBe('Ann');
      await store.delete(tenant, next);
      await expect(store.update(tenant, next, changed(next, { displayName: 'Gone' }))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get(tenant, ann.id)).toBeUndefined();
    });

    test('renaming moves the userName: a taken one is refused, the old one is free, a case change is the same user', async () => {
      const [ann, bob] = (await createAll(userRecord('ann@example.com'), userRecord('bob@example.com'))) as [
        UserRecord,
        UserRecord,
      ];
      await expect(store.update(tenant, bob, changed(bob, { userName: 'ANN@example.com' }))).rejects.toBeInstanceOf(
        UserNameTakenError,
      );
      expect(await store.get(tenant, bob.id)).toEqual(bob);
      const recased = changed(ann, { userName: 'Ann@Example.com' });
      await store.update(tenant, ann, recased);
      const renamed = changed(recased, { userName: 'anne@example.com' });
      await store.update(tenant, recased, renamed);
      const newcomer = userRecord('ann@example.com');
      await store.create(tenant, newcomer);
      expect(sortedIds(await store.findByKeys(tenant, [{ kind: 'userName', value: 'ann@example.com' }]))).toEqual([
        newcomer.id,
      ]);
    });

    test('a delete applies only to the version read, and frees the userName and every lookup key', async () => {
      const [carl] = (await createAll(
        userRecord('carl@example.com', { externalId: '00u-carl', emails: [{ value: 'carl@example.com' }] }),
      )) as [UserRecord];
      await expect(store.delete(tenant, { ...carl, version: carl.version + 1 })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect(await store.get(tenant, carl.id)).toEqual(carl);
      await store.delete(tenant, carl);
      expect(await store.get(tenant, carl.id)).toBeUndefined();
      expect(
        await store.findByKeys(tenant, [
          { kind: 'userName', value: 'carl@example.com' },
          { kind: 'externalId', value: '00u-carl' },
          { kind: 'email', value: 'carl@example.com' },
          { kind: 'id', value: carl.id },
        ]),
      ).toEqual([]);
      await expect(store.delete(tenant, carl)).rejects.toBeInstanceOf(VersionConflictError);
      await expect(store.create(tenant, userRecord('CARL@example.com'))).resolves.toBeUndefined();
    });

    test('key lookups find every user a key names, and follow updates', async () => {
      const [dee, eve, fay] = (await createAll(
        userRecord('dee@example.com', { externalId: 'shared', emails: [{ value: 'Dee@Example.com' }] }),
        userRecord('eve@example.com', { externalId: 'shared', emails: [{ value: 'team@example.com' }] }),
        userRecord('fay@example.com', { externalId: 'Shared', emails: [{ value: 'TEAM@example.com' }] }),
      )) as [UserRecord, UserRecord, UserRecord];
      const find = async (...keys: Parameters<UserStore['findByKeys']>[1]) =>
        sortedIds(await store.findByKeys(tenant, keys));
      expect(await find({ kind: 'userName', value: 'dee@example.com' })).toEqual([dee.id]);
      expect(await find({ kind: 'id', value: eve.id })).toEqual([eve.id]);
      expect(await find({ kind: 'externalId', value: 'shared' })).toEqual(sortedIds([dee, eve]));
      expect(await find({ kind: 'email', value: 'team@example.com' })).toEqual(sortedIds([eve, fay]));
      expect(await find({ kind: 'email', value: 'dee@example.com' }, { kind: 'id', value: dee.id })).toEqual([dee.id]);
      expect(await find({ kind: 'id', value: newUserId() }, { kind: 'userName', value: 'nobody' })).toEqual([]);
      await store.update(tenant, eve, changed(eve, { externalId: 'own', emails: [{ value: 'eve@example.com' }] }));
      expect(await find({ kind: 'externalId', value: 'shared' })).toEqual([dee.id]);
      expect(await find({ kind: 'email', value: 'team@example.com' })).toEqual([fay.id]);
      expect(await find({ kind: 'externalId', value: 'own' })).toEqual([eve.id]);
      expect(await find()).toEqual([]);
    });

    test('readAll, index pages and cursor pages are in creation order, and agree after deletes', async () => {
      const users = await createAll(
        ...Array.from({ length: 7 }, (_, index) => userRecord(`page-${index}@example.com`)),
      );
      expect(ids(await store.readAll(tenant))).toEqual(ids(users));
      const second = await store.indexPage(tenant, 3, 2);
      expect({ ids: ids(second.records), totalResults: second.totalResults }).toEqual({
        ids: ids(users.slice(2, 4)),
        totalResults: 7,
      });
      // Walking forward page by page, as Okta's import does (the DynamoDB adapter's bookmarks serve these).
      const walked: string[] = [];
      for (let start = 1; start <= 7; start += 3)
        walked.push(...ids((await store.indexPage(tenant, start, 3)).records));
      expect(walked).toEqual(ids(users));
      expect(await store.indexPage(tenant, 8, 3)).toEqual({ records: [], totalResults: 7 });
      expect(await store.indexPage(tenant, 1, 0)).toEqual({ records: [], totalResults: 7 });

      await store.delete(tenant, users[1] as UserRecord);
      await store.delete(tenant, users[4] as UserRecord);
      const remaining = users.filter((_, index) => index !== 1 && index !== 4);
      const afterDeletes: string[] = [];
      for (let start = 1; start <= 5; start += 3) {
        afterDeletes.push(...ids((await store.indexPage(tenant, start, 3)).records));
      }
      expect(afterDeletes).toEqual(ids(remaining));
      expect((await store.indexPage(tenant, 4, 3)).totalResults).toBe(5);

      const cursorWalk: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.pageAfter(tenant, after, 2);
        expect(page.totalResults).toBe(5);
        cursorWalk.push(...ids(page.records));
        after = page.records.at(-1)?.id;
        if (!page.more) break;
      }
      expect(cursorWalk).toEqual(ids(remaining));
      // A cursor may name a user deleted since: the walk goes on after where it was.
      expect(ids((await store.pageAfter(tenant, (users[1] as UserRecord).id, 10)).records)).toEqual(
        ids(remaining.slice(1)),
      );
      expect(await store.pageAfter(tenant, undefined, 0)).toEqual({ records: [], more: false, totalResults: 5 });
    });

    test('pages longer than one DynamoDB response (1 MB) are continued, and stop at the count asked for', async () => {
      // 110 users of about 11 KB (within the SCIM size limit) are 1.2 MB: a Query of them needs two responses.
      const users = await createAll(
        ...Array.from({ length: 110 }, (_, index) =>
          userRecord(`wide-${index}@example.com`, { displayName: `${index}`.padEnd(11_000, 'w') }),
        ),
      );
      expect(ids(await store.readAll(tenant))).toEqual(ids(users));
      const index = await store.indexPage(tenant, 6, 100);
      expect(ids(index.records)).toEqual(ids(users.slice(5, 105)));
      expect(index.totalResults).toBe(110);
      const after = await store.pageAfter(tenant, (users[2] as UserRecord).id, 100);
      expect({ ids: ids(after.records), more: after.more }).toEqual({ ids: ids(users.slice(3, 103)), more: true });
      const last = await store.pageAfter(tenant, (users[9] as UserRecord).id, 100);
      expect({ ids: ids(last.records), more: last.more }).toEqual({ ids: ids(users.slice(10)), more: false });
    }, 120_000);

    test('a key or a user too big for storage is a StorageLimitError, and nothing is written', async () => {
      // Built past the core's own limits, which would refuse them first: storage must hold its own line.
      const beyondCore = (userName: string, attributes: Record<string, unknown>) => {
        const record = userRecord(userName);
        return { ...record, attributes: { ...record.attributes, ...attributes } };
      };
      const longKey = beyondCore('long@example.com', { userName: `${'k'.repeat(1100)}@example.com` });
      await expect(store.create(tenant, longKey)).rejects.toBeInstanceOf(StorageLimitError);
      const longExternalId = beyondCore('external@example.com', { externalId: 'e'.repeat(1100) });
      await expect(store.create(tenant, longExternalId)).rejects.toBeInstanceOf(StorageLimitError);
      const huge = beyondCore('huge@example.com', { displayName: 'h'.repeat(410 * 1024) });
      await expect(store.create(tenant, huge)).rejects.toBeInstanceOf(StorageLimitError);
      for (const record of [longKey, longExternalId, huge]) expect(await store.get(tenant, record.id)).toBeUndefined();
      expect(await store.readAll(tenant)).toEqual([]);

      const [small] = (await createAll(userRecord('small@example.com'))) as [UserRecord];
      await expect(store.update(tenant, small, { ...huge, id: small.id, version: 2 })).rejects.toBeInstanceOf(
        StorageLimitError,
      );
      expect(await store.get(tenant, small.id)).toEqual(small);
    });

    test('lookups of values no key can hold find nothing', async () => {
      await createAll(userRecord('someone@example.com'));
      const long = 'x'.repeat(1100);
      expect(
        await store.findByKeys(tenant, [
          { kind: 'id', value: long },
          { kind: 'userName', value: long },
          { kind: 'externalId', value: long },
          { kind: 'email', value: long },
        ]),
      ).toEqual([]);
      expect(await store.get(tenant, long)).toBeUndefined();
    });

    test('what a caller does to a record it passed or got back never changes what is stored', async () => {
      const record = userRecord('copy@example.com', { emails: [{ value: 'copy@example.com' }] });
      const original = structuredClone(record);
      await store.create(tenant, record);
      (record.attributes.emails as { value: string }[])[0] = { value: 'mutated@example.com' };
      const read = (await store.get(tenant, record.id)) as UserRecord;
      expect(read).toEqual(original);
      (read.attributes.emails as { value: string }[]).push({ value: 'more@example.com' });
      expect(await store.get(tenant, record.id)).toEqual(original);
    });
  },
);
