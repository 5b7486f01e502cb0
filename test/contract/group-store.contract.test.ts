import { randomUUID } from 'node:crypto';
import { DynamoDbGroupStore } from '../../adapters/dynamodb/group-store';
import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { MemoryGroupStore } from '../../adapters/memory/group-store';
import { MemoryUserStore } from '../../adapters/memory/user-store';
import { displayNameKey } from '../../core/scim/group-attributes';
import { type GroupRecord, newGroupId } from '../../core/scim/group-record';
import { DisplayNameTakenError, type GroupStore } from '../../core/scim/group-store';
import { newUserId } from '../../core/scim/ids';
import { userAttributesFromResource } from '../../core/scim/user-attributes';
import { DEFAULT_ACCESS } from '../../core/scim/user-record';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { type UserStore, VersionConflictError } from '../../core/scim/user-store';
import { describeContract } from '../support/contract';

// The GroupStore port's contract, run against the in-memory adapter and the DynamoDB adapter (on the test run's
// DynamoDB Local), each with the user store its memberships are checked against. Each test works in a tenant of
// its own.

interface Stores {
  readonly groups: GroupStore;
  readonly users: UserStore;
}

let written = 0;
const nextTime = () => {
  written += 1;
  return new Date(Date.UTC(2024, 0, 1, 0, 0, written)).toISOString();
};

function groupRecord(displayName: string, externalId?: string): GroupRecord {
  const now = nextTime();
  return {
    id: newGroupId(),
    version: 1,
    created: now,
    lastModified: now,
    displayName,
    ...(externalId !== undefined ? { externalId } : {}),
    memberCount: 0,
  };
}

const renamed = (record: GroupRecord, displayName: string, externalId?: string): GroupRecord => ({
  ...record,
  displayName,
  ...(externalId !== undefined ? { externalId } : {}),
  lastModified: nextTime(),
});

const ids = (records: readonly GroupRecord[]) => records.map((record) => record.id).sort();

describeContract<Stores>(
  'group store',
  {
    memory: () => {
      const users = new MemoryUserStore();
      return { users, groups: new MemoryGroupStore(users) };
    },
    dynamodb: ({ db, tableName }) => ({
      users: new DynamoDbUserStore(db, tableName('users')),
      groups: new DynamoDbGroupStore(db, tableName('users')),
    }),
  },
  (subject) => {
    let groups: GroupStore;
    let tenant: string;

    beforeEach(() => {
      groups = subject().groups;
      tenant = `contract-${randomUUID()}`;
    });

    async function newUsers(count: number): Promise<string[]> {
      const created: string[] = [];
      for (let n = 0; n < count; n += 1) {
        const now = nextTime();
        const id = newUserId();
        await subject().users.create(tenant, {
          id,
          version: 1,
          created: now,
          lastModified: now,
          attributes: userAttributesFromResource({
            schemas: [CORE_USER_SCHEMA],
            userName: `member${n}.${randomUUID()}@example.com`,
          }),
          access: DEFAULT_ACCESS,
        });
        created.push(id);
      }
      return created;
    }

    test('a created group reads back as written; an unknown id or another tenant reads as undefined', async () => {
      const group = groupRecord('Engineering', 'ext-1');
      const outcome = await groups.create(tenant, group, []);
      expect(outcome).toEqual({ record: group, skipped: [] });
      expect(await groups.get(tenant, group.id)).toEqual(group);
      expect(await groups.members(tenant, group.id)).toEqual([]);
      expect(await groups.get(tenant, newGroupId())).toBeUndefined();
      expect(await groups.get(`other-${randomUUID()}`, group.id)).toBeUndefined();
      expect(ids(await groups.readAll(tenant))).toEqual([group.id]);
    });

    test('cursor pages are in creation order, one bounded page at a time, and go on past a deleted group', async () => {
      const created: GroupRecord[] = [];
      for (let n = 0; n < 5; n += 1) created.push((await groups.create(tenant, groupRecord(`Paged ${n}`), [])).record);
      const pageIds = (records: readonly GroupRecord[]) => records.map((record) => record.id);
      const first = await groups.pageAfter(tenant, undefined, 2);
      expect(first).toEqual({ records: created.slice(0, 2), more: true });
      const second = await groups.pageAfter(tenant, created[1]?.id, 2);
      expect(pageIds(second.records)).toEqual(pageIds(created.slice(2, 4)));
      expect(second.more).toBe(true);
      expect(await groups.pageAfter(tenant, created[3]?.id, 2)).toEqual({ records: created.slice(4), more: false });
      expect(await groups.pageAfter(tenant, created[4]?.id, 2)).toEqual({ records: [], more: false });
      expect(await groups.pageAfter(tenant, undefined, 5)).toEqual({ records: created, more: false });
      await groups.delete(tenant, created[2] as GroupRecord);
      expect(pageIds((await groups.pageAfter(tenant, created[2]?.id, 5)).records)).toEqual(pageIds(created.slice(3)));
      expect(await groups.pageAfter(`${tenant}-other`, undefined, 5)).toEqual({ records: [], more: false });
    });

    test('displayName is unique per tenant in any letter case; the losing create writes nothing', async () => {
      await groups.create(tenant, groupRecord('Sales Team'), []);
      const twin = groupRecord('SALES team');
      await expect(groups.create(tenant, twin, [])).rejects.toBeInstanceOf(DisplayNameTakenError);
      expect(await groups.get(tenant, twin.id)).toBeUndefined();
      expect(await groups.readAll(tenant)).toHaveLength(1);
      await expect(groups.create(`other-${randomUUID()}`, twin, [])).resolves.toEqual({ record: twin, skipped: [] });
    });

    test('externalId is a lookup, not a uniqueness: two groups may share one; it matches exactly', async () => {
      const first = groupRecord('First', 'okta-42');
      const second = groupRecord('Second', 'okta-42');
      await groups.create(tenant, first, []);
      await groups.create(tenant, second, []);
      expect(ids(await groups.findByKeys(tenant, [{ kind: 'externalId', value: 'okta-42' }]))).toEqual(
        ids([first, second]),
      );
      expect(await groups.findByKeys(tenant, [{ kind: 'externalId', value: 'OKTA-42' }])).toEqual([]);
      expect(ids(await groups.findByKeys(tenant, [{ kind: 'displayName', value: displayNameKey('FIRST') }]))).toEqual([
        first.id,
      ]);
    });

    test('an update under `version` applies only to the version read and moves the name; the old name is free', async () => {
      const group = groupRecord('Old Name');
      await groups.create(tenant, group, []);
      const other = groupRecord('Taken');
      await groups.create(tenant, other, []);
      await expect(
        groups.update(tenant, group, { next: renamed(group, 'TAKEN'), add: [], remove: [] }, 'version'),
      ).rejects.toBeInstanceOf(DisplayNameTakenError);
      expect(await groups.get(tenant, group.id)).toEqual(group);
      const next = renamed(group, 'New Name', 'ext-new');
      const { record } = await groups.update(tenant, group, { next, add: [], remove: [] }, 'version');
      expect(record).toEqual({ ...next, version: 2, memberCount: 0 });
      expect(await groups.get(tenant, group.id)).toEqual(record);
      await expect(
        groups.update(tenant, group, { next: renamed(group, 'Stale'), add: [], remove: [] }, 'version'),
      ).rejects.toBeInstanceOf(VersionConflictError);
      const reuse = groupRecord('old name');
      await expect(groups.create(tenant, reuse, [])).resolves.toEqual({ record: reuse, skipped: [] });
    });

    test('members are added and removed idempotently; each write moves the version and the member count', async () => {
      const [ann, bob, gone] = (await newUsers(2)).concat(newUserId()) as [string, string, string];
      const group = groupRecord('Members');
      const created = await groups.create(tenant, group, [{ userId: ann, display: 'Ann' }, { userId: gone }]);
      expect(created.skipped).toEqual([gone]);
      expect(created.record).toMatchObject({ version: 2, memberCount: 1 });
      const added = await groups.update(
        tenant,
        created.record,
        { next: created.record, add: [{ userId: ann }, { userId: bob }], remove: [] },
        'delta',
      );
      expect(added.record).toMatchObject({ version: 3, memberCount: 2 });
      expect(await groups.members(tenant, group.id)).toEqual(
        [{ userId: ann, display: 'Ann' }, { userId: bob }].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
      );
      const removed = await groups.update(
        tenant,
        added.record,
        { next: added.record, add: [], remove: [bob, gone] },
        'delta',
      );
      expect(removed.record).toMatchObject({ version: 4, memberCount: 1 });
      const again = await groups.update(
        tenant,
        removed.record,
        { next: removed.record, add: [], remove: [bob] },
        'delta',
      );
      expect(again.record).toMatchObject({ version: 5, memberCount: 1 });
      expect(await groups.get(tenant, group.id)).toEqual(again.record);
      expect(await groups.members(tenant, group.id)).toEqual([{ userId: ann, display: 'Ann' }]);
    });

    test('the member lookups: membersAmong, usersAmong, groupIdsOf and the member key', async () => {
      const [ann, bob] = (await newUsers(2)) as [string, string];
      const stranger = newUserId();
      const first = groupRecord('First');
      const second = groupRecord('Second');
      await groups.create(tenant, first, [{ userId: ann }, { userId: bob }]);
      await groups.create(tenant, second, [{ userId: ann }]);
      expect(await groups.membersAmong(tenant, second.id, [ann, bob, stranger])).toEqual(new Set([ann]));
      expect(await groups.usersAmong(tenant, [ann, bob, stranger])).toEqual(new Set([ann, bob]));
      expect(await groups.groupIdsOf(tenant, ann)).toEqual([first.id, second.id].sort());
      expect(await groups.groupIdsOf(tenant, stranger)).toEqual([]);
      expect(ids(await groups.findByKeys(tenant, [{ kind: 'member', value: bob }]))).toEqual([first.id]);
      expect(
        ids(
          await groups.findByKeys(tenant, [
            { kind: 'id', value: second.id },
            { kind: 'id', value: newGroupId() },
          ]),
        ),
      ).toEqual([second.id]);
    });

    test('a deleted user leaves every group, each counting one member less', async () => {
      const [ann, bob] = (await newUsers(2)) as [string, string];
      const group = groupRecord('Leavers');
      const { record } = await groups.create(tenant, group, [{ userId: ann }, { userId: bob }]);
      await groups.removeUserFromGroups(tenant, ann);
      expect(await groups.members(tenant, group.id)).toEqual([{ userId: bob }]);
      expect(await groups.groupIdsOf(tenant, ann)).toEqual([]);
      expect(await groups.get(tenant, group.id)).toMatchObject({ version: record.version + 1, memberCount: 1 });
    });

    test('a delete applies only to the version read and takes the memberships and the name with it', async () => {
      const [ann] = (await newUsers(1)) as [string];
      const group = groupRecord('Doomed', 'ext-doomed');
      const { record } = await groups.create(tenant, group, [{ userId: ann }]);
      await expect(groups.delete(tenant, group)).rejects.toBeInstanceOf(VersionConflictError);
      expect(await groups.get(tenant, group.id)).toEqual(record);
      await groups.delete(tenant, record);
      expect(await groups.get(tenant, group.id)).toBeUndefined();
      expect(await groups.members(tenant, group.id)).toEqual([]);
      expect(await groups.groupIdsOf(tenant, ann)).toEqual([]);
      expect(await groups.findByKeys(tenant, [{ kind: 'externalId', value: 'ext-doomed' }])).toEqual([]);
      await expect(
        groups.update(tenant, record, { next: record, add: [{ userId: ann }], remove: [] }, 'delta'),
      ).rejects.toBeInstanceOf(VersionConflictError);
      expect(await groups.members(tenant, group.id)).toEqual([]);
      const reuse = groupRecord('DOOMED');
      await expect(groups.create(tenant, reuse, [])).resolves.toEqual({ record: reuse, skipped: [] });
    });
  },
);
