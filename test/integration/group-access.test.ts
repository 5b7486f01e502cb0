import { randomUUID } from 'node:crypto';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { DynamoDbGroupStore } from '../../adapters/dynamodb/group-store';
import { grantFromGroups } from '../../core/access/group-access';
import { GroupAccessService } from '../../core/access/group-access-service';
import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { createGroup, type GroupsContext, patchGroup } from '../../core/scim/groups';
import { createUser } from '../../core/scim/users';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';
import { oktaCreateBody } from '../support/scim-fixtures';

/**
 * The recomputation of access that follows groups, against DynamoDB Local: racing membership changes on one
 * user, and a recomputation that continues where an interrupted one saved its progress.
 */
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

const at = new Date().toISOString();

async function setUp() {
  const tenantId = `tenant-${randomUUID()}`;
  const db = documentClient();
  const groups = new DynamoDbGroupStore(db, tableName('users'));
  const settings = new DynamoDbGroupAccessStore(db, tableName('users'));
  const access = new GroupAccessService({ writes: settings, groups, settings }, 'test');
  const context: GroupsContext = {
    store: groups,
    tenantId,
    effects: {
      membershipsChanged: async (group, userIds) => {
        await access.membershipsChanged(tenantId, group.id, userIds, { reason: 'test', group: { id: group.id } });
      },
      followsMembers: (groupId) => access.follows(tenantId, groupId),
      groupDeleted: async () => {},
      membersSkipped: async () => {},
    },
  };
  const user = async (name: string) =>
    (await createUser({ store: settings.users, tenantId }, oktaCreateBody(`${name}@example.com`))).id;
  const group = async (displayName: string) =>
    (await createGroup(context, { schemas: [GROUP_SCHEMA], displayName })).record.id;
  return { tenantId, groups, settings, access, context, user, group };
}

const member = (op: 'add' | 'remove', userId: string) =>
  op === 'add'
    ? { op: 'add', path: 'members', value: [{ value: userId }] }
    : { op: 'remove', path: `members[value eq "${userId}"]` };

describe('access that follows groups, against DynamoDB Local', () => {
  test('membership changes racing on one user end with the access its final memberships give', async () => {
    const { tenantId, groups, settings, context, user, group } = await setUp();
    const pat = await user('pat');
    const ids = [await group('A'), await group('B'), await group('C')];
    const [a, b, c] = ids as [string, string, string];
    await settings.writeSettings(tenantId, { source: 'groups' });
    const audit = { at, actor: 'test', action: 'group.map', details: {} } as const;
    await settings.putMapping(tenantId, { groupId: a, role: { name: 'Editor', priority: 10 }, updatedAt: at }, audit);
    await settings.putMapping(
      tenantId,
      { groupId: b, role: { name: 'Viewer', priority: 5 }, brands: ['b1'], updatedAt: at },
      audit,
    );
    await settings.putMapping(tenantId, { groupId: c, brands: ['b2'], updatedAt: at }, audit);

    const rounds: ('add' | 'remove')[][] = [
      ['add', 'add', 'add'],
      ['remove', 'add', 'remove'],
      ['add', 'remove', 'add'],
      ['remove', 'remove', 'remove'],
      ['add', 'add', 'remove'],
    ];
    for (const ops of rounds) {
      await Promise.all(
        ids.map((groupId, index) =>
          patchGroup(
            context,
            groupId,
            {
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [member(ops[index] as 'add' | 'remove', pat)],
            },
            undefined,
          ),
        ),
      );
      const stored = await settings.users.get(tenantId, pat);
      const memberships = new Set(await groups.groupIdsOf(tenantId, pat));
      const expected = grantFromGroups(
        stored?.access ?? { role: '', allBrands: true, brands: [] },
        memberships,
        await settings.mappings(tenantId),
      );
      expect({ ops, access: stored?.access }).toEqual({ ops, access: expected.access });
    }
    // The last round left pat in A and B: Editor (priority 10), brand b1 only.
    expect((await settings.users.get(tenantId, pat))?.access).toEqual({
      role: 'Editor',
      roleGroup: a,
      allBrands: false,
      brands: ['b1'],
    });
  });

  test('a recomputation continues after the last user an interrupted one saved', async () => {
    const { tenantId, settings, access, context, user, group } = await setUp();
    const userIds = [await user('u1'), await user('u2'), await user('u3'), await user('u4')];
    const editors = await group('Editors');
    await patchGroup(
      context,
      editors,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }],
      },
      undefined,
    );
    const audit = { at, actor: 'test', action: 'group.map', details: {} } as const;
    await settings.putMapping(
      tenantId,
      { groupId: editors, role: { name: 'Editor', priority: 1 }, updatedAt: at },
      audit,
    );
    // What an interrupted switch to groups leaves: the source set, the job saved after the second user.
    await settings.writeSettings(tenantId, {
      source: 'groups',
      job: {
        scope: 'all',
        after: userIds[1],
        reason: 'access source switched to groups',
        actor: 'test',
        startedAt: at,
      },
    });

    expect(await access.continueRecompute(tenantId)).toEqual({ recomputed: 2, changed: 2, finished: true });
    const roles = await Promise.all(userIds.map(async (id) => (await settings.users.get(tenantId, id))?.access.role));
    expect(roles).toEqual(['collaborator', 'collaborator', 'Editor', 'Editor']);
    expect((await settings.settings(tenantId)).job).toBeUndefined();
    // With nothing pending, a run recomputes everyone.
    expect(await access.continueRecompute(tenantId)).toEqual({ recomputed: 4, changed: 2, finished: true });
  });
});
