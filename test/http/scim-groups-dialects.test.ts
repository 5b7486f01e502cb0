import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { commandsOf, recordUsersTableCalls } from '../support/dynamodb-calls';
import { tenantGroupProblems } from '../support/group-consistency';
import { type RunningService, startService } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

let service: RunningService;
const tableCalls = recordUsersTableCalls();

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

const ENTRA_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

type Resource = Record<string, unknown> & { id: string; meta: { version: string } };
interface Tenant {
  readonly client: ScimClient;
  readonly tenantId: string;
}

async function newTenant(): Promise<Tenant> {
  const { token, tenantId } = await scimTestToken();
  return { client: scimClient(service, token), tenantId };
}

async function createUsers(client: ScimClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await client.post('/Users', oktaCreateBody(`person${index}@example.com`));
    expect(response.status).toBe(201);
    ids.push((response.body as Resource).id);
  }
  return ids;
}

async function members(client: ScimClient, groupId: string): Promise<string[]> {
  const response = await client.get(`/Groups/${groupId}`);
  expect(response.status).toBe(200);
  return ((response.body?.members ?? []) as { value: string }[]).map((member) => member.value).sort();
}

const sorted = (ids: readonly string[]) => [...ids].sort();
const oktaMember = (id: string) => ({ value: id, display: `${id}@okta.example` });
const entraMember = (id: string) => ({ $ref: null, value: id });
const UNKNOWN_USER = '01jd0000000000000000000000';

describe('Okta app-wizard integration: filter → POST → GET → PUT with the full list', () => {
  test('the recorded sequence, then a PUT that adds and removes (a diff is applied)', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(client, 7);
    const lookup = await client.get('/Groups?filter=displayName%20eq%20%22APP-Rostr-Users%22&startIndex=1&count=100');
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'APP-Rostr-Users',
      members: [],
    });
    expect(created.status).toBe(201);
    const group = created.body as Resource;
    expect(group.members).toEqual([]);
    const read = await client.get(`/Groups/${group.id}`);
    expect(read.body).toMatchObject({ id: group.id, members: [] });
    const put = await client.put(`/Groups/${group.id}`, {
      ...(read.body as Record<string, unknown>),
      members: users.map(oktaMember),
    });
    expect(put.status).toBe(200);
    expect(sorted(((put.body?.members ?? []) as { value: string }[]).map((m) => m.value))).toEqual(sorted(users));
    expect(put.headers.get('etag')).not.toBe(group.meta.version);

    // Next push: GET, then PUT of the new full list: two left, one of them came back, another arrived.
    const current = (await client.get(`/Groups/${group.id}`)).body as Record<string, unknown>;
    const [extra] = await createUsersNamed(client, ['late.arrival']);
    const next = [...users.slice(2), extra as string];
    tableCalls.reset();
    const second = await client.put(`/Groups/${group.id}`, { ...current, members: next.map(oktaMember) });
    expect(second.status).toBe(200);
    expect(await members(client, group.id)).toEqual(sorted(next));
    // One transaction claims the version, one writes the whole diff (3 changes); no scan.
    expect(commandsOf(tableCalls.calls()).filter((command) => command === 'TransactWriteItemsCommand')).toHaveLength(2);
    expect(commandsOf(tableCalls.calls())).not.toContain('ScanCommand');

    // A rename through PUT keeps the members; a PUT without `members` leaves them as they are.
    const renamed = await client.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: 'Renamed' });
    expect(await members(client, group.id)).toEqual(sorted(next));
    // An empty list empties the group.
    await client.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Renamed', members: [] });
    expect(await members(client, group.id)).toEqual([]);
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  });
});

async function createUsersNamed(client: ScimClient, names: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const response = await client.post('/Users', oktaCreateBody(`${name}@example.com`));
    ids.push((response.body as Resource).id);
  }
  return ids;
}

describe('Okta catalogue (OIN) integration: PATCH deltas, path-less rename, Push Now', () => {
  test('several removes and one add in one PATCH, with the {id, displayName} replace beside it', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(client, 6);
    const group = (await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }))
      .body as Resource;
    const add = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'add', path: 'members', value: users.slice(0, 4).map(oktaMember) }),
    );
    expect(add.status).toBe(204);
    expect(add.headers.get('etag')).toMatch(/^W\/"\d+"$/);

    tableCalls.reset();
    const membership = await client.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2' } },
        { op: 'remove', path: `members[value eq "${users[0]}"]` },
        { op: 'remove', path: `members[value eq "${users[1]}"]` },
        { op: 'add', path: 'members', value: users.slice(4).map(oktaMember) },
      ),
    );
    expect(membership.status).toBe(204);
    expect(await members(client, group.id)).toEqual(sorted([...users.slice(2)]));
    // No member list is read for deltas: the group item, key reads of the named users and memberships, one write.
    const calls = commandsOf(tableCalls.calls());
    expect(calls.slice(0, 4)).toEqual([
      'GetItemCommand',
      'BatchGetItemCommand',
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);

    // A path-less replace that renames, ignoring the id in the value.
    const rename = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', value: { id: 'something-else', displayName: 'Test SCIMv2 renamed' } }),
    );
    expect(rename.status).toBe(204);
    expect((await client.get(`/Groups/${group.id}?excludedAttributes=members`)).body).toMatchObject({
      id: group.id,
      displayName: 'Test SCIMv2 renamed',
    });

    // Push Now: replace members with everyone (here: a different set). Removals by a replacement are logged.
    const everyone = [users[0] as string, users[5] as string];
    const logs = captureLogs();
    let pushNow: Awaited<ReturnType<ScimClient['patch']>>;
    try {
      pushNow = await client.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'replace', path: 'members', value: everyone.map(oktaMember) }),
      );
    } finally {
      logs.restore();
    }
    expect(pushNow.status).toBe(204);
    expect(
      logs.json().find((line) => line.message === 'Group members removed by a replacement of the member list'),
    ).toMatchObject({
      groupMembersRemoved: 3,
      groupMembersRemaining: 2,
    });
    expect(await members(client, group.id)).toEqual(sorted(everyone));
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  });

  test('adding a member twice and removing a missing one are no-ops; attributes= gets a 200 with the group', async () => {
    const { client } = await newTenant();
    const [alice, bob] = await createUsers(client, 2);
    const group = (
      await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Idempotent', members: [{ value: alice }] })
    ).body as Resource;
    tableCalls.reset();
    const again = await client.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'add', path: 'members', value: [{ value: alice }] },
        { op: 'remove', path: `members[value eq "${bob}"]` },
      ),
    );
    expect(again.status).toBe(204);
    expect(again.headers.get('etag')).toBe(group.meta.version);
    expect(commandsOf(tableCalls.calls())).not.toContain('TransactWriteItemsCommand');
    const withBody = await client.patch(
      `/Groups/${group.id}?excludedAttributes=members`,
      patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }),
    );
    expect(withBody.status).toBe(200);
    expect(withBody.body).toMatchObject({ id: group.id, displayName: 'Idempotent' });
    expect(withBody.body).not.toHaveProperty('members');
    expect(await members(client, group.id)).toEqual(sorted([alice as string, bob as string]));
  });
});

describe('Entra group provisioning', () => {
  test('create without members, Add, Remove naming members, rename, excludedAttributes, delete', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(client, 4);
    const created = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA, ENTRA_GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Entra Engineers',
      meta: { resourceType: 'Group' },
    });
    expect(created.status).toBe(201);
    const group = created.body as Resource;
    expect(group.members).toEqual([]);

    const byName = await client.get(
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Entra Engineers"')}`,
    );
    expect(resourcesOf(byName)).toEqual([expect.objectContaining({ id: group.id })]);
    expect(resourcesOf(byName)[0]).not.toHaveProperty('members');

    for (const user of users) {
      const add = await client.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'Add', path: 'members', value: [entraMember(user)] }),
      );
      expect(add.status).toBe(204);
      expect(add.body).toBeUndefined();
    }
    expect(await members(client, group.id)).toEqual(sorted(users));

    // The default (legacy) Remove names the member in `value`: only that member goes.
    const remove = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Remove', path: 'members', value: [entraMember(users[0] as string)] }),
    );
    expect(remove.status).toBe(204);
    expect(await members(client, group.id)).toEqual(sorted(users.slice(1)));
    // With aadOptscim062020: a filtered remove; Entra retries removals of members already gone.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const filtered = await client.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'remove', path: `members[value eq "${users[1]}"]` }),
      );
      expect(filtered.status).toBe(204);
    }
    expect(await members(client, group.id)).toEqual(sorted(users.slice(2)));

    const rename = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Replace', path: 'displayName', value: 'Entra Engineering' }),
    );
    expect(rename.status).toBe(204);
    tableCalls.reset();
    const read = await client.get(`/Groups/${group.id}?excludedAttributes=members`);
    expect(read.body).toMatchObject({ displayName: 'Entra Engineering', externalId: group.externalId });
    expect(read.body).not.toHaveProperty('members');
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand']);

    // Entra's membership check, then the deletion when the group leaves scope.
    const check = await client.get(
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${group.id}" and members eq "${users[3]}"`)}`,
    );
    expect(check.body).toMatchObject({ totalResults: 1 });
    expect((await client.delete(`/Groups/${group.id}`)).status).toBe(204);
    expect((await client.get(`/Groups/${group.id}`)).status).toBe(404);
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
    // The users stay, and no longer name the group.
    const user = await client.get(`/Users/${users[3]}`);
    expect(user.status).toBe(200);
    expect(user.body).not.toHaveProperty('groups');
  });

  test('a bare id string as a member value and "$ref": null are accepted', async () => {
    const { client } = await newTenant();
    const [alice, bob] = await createUsers(client, 2);
    const group = (await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Strings' })).body as Resource;
    const add = await client.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: alice }));
    expect(add.status).toBe(204);
    await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'ADD', path: 'members', value: [{ $ref: null, value: bob }] }),
    );
    expect(await members(client, group.id)).toEqual(sorted([alice as string, bob as string]));
  });
});

describe('members that are not users of the tenant', () => {
  test('are skipped and logged; the request succeeds for the others', async () => {
    const { client, tenantId } = await newTenant();
    const [alice] = await createUsers(client, 1);
    const other = await newTenant();
    const [stranger] = await createUsers(other.client, 1);
    const logs = captureLogs();
    try {
      const created = await client.post('/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Mixed',
        members: [{ value: alice }, { value: stranger }, { value: UNKNOWN_USER }, { value: 'not-an-id' }],
      });
      expect(created.status).toBe(201);
      expect(((created.body?.members ?? []) as { value: string }[]).map((m) => m.value)).toEqual([alice]);
      const group = created.body as Resource;
      const patch = await client.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: UNKNOWN_USER }] }),
      );
      expect(patch.status).toBe(204);
      const put = await client.put(`/Groups/${group.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Mixed',
        members: [{ value: alice }, { value: stranger }],
      });
      expect(put.status).toBe(200);
      expect(await members(client, group.id)).toEqual([alice]);
      const warnings = logs.json().filter((line) => line.message === 'Group members skipped: not users of this tenant');
      expect(warnings.length).toBeGreaterThanOrEqual(3);
      expect(warnings[0]).toMatchObject({ skippedMembers: 3, skippedMemberIds: [stranger, UNKNOWN_USER, 'not-an-id'] });
    } finally {
      logs.restore();
    }
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  });
});

describe('users and their groups', () => {
  test('a user’s read-only groups attribute lists its groups; deleting a user removes it from them', async () => {
    const { client, tenantId } = await newTenant();
    const [alice, bob] = await createUsers(client, 2);
    const red = (
      await client.post('/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Red',
        members: [{ value: alice }, { value: bob }],
      })
    ).body as Resource;
    const blue = (
      await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Blue', members: [{ value: alice }] })
    ).body as Resource;
    const read = await client.get(`/Users/${alice}`);
    expect(read.body?.groups).toEqual(
      expect.arrayContaining([
        { value: red.id, $ref: `${service.scimBaseUrl}/Groups/${red.id}`, display: 'Red', type: 'direct' },
        { value: blue.id, $ref: `${service.scimBaseUrl}/Groups/${blue.id}`, display: 'Blue', type: 'direct' },
      ]),
    );
    expect(read.body?.groups).toHaveLength(2);
    expect((await client.get(`/Users/${alice}?excludedAttributes=groups`)).body).not.toHaveProperty('groups');
    expect((await client.get(`/Users/${alice}?attributes=groups.display`)).body?.groups).toEqual(
      expect.arrayContaining([{ display: 'Red' }, { display: 'Blue' }]),
    );
    const listed = await client.get(`/Users?attributes=userName,groups&filter=${encodeURIComponent(`id eq "${bob}"`)}`);
    expect(resourcesOf(listed)[0]?.groups).toEqual([expect.objectContaining({ value: red.id, display: 'Red' })]);

    // groups is read-only: a PUT echoing it changes nothing, a PATCH naming it is refused.
    const echoed = await client.put(`/Users/${bob}`, {
      ...(read.body as object),
      userName: 'person1@example.com',
      groups: [],
    });
    expect(echoed.status).toBe(200);
    expect((await client.get(`/Users/${bob}`)).body?.groups).toHaveLength(1);
    const patched = await client.patch(
      `/Users/${bob}`,
      patchOp({ op: 'add', path: 'groups', value: [{ value: blue.id }] }),
    );
    expect(patched.status).toBe(400);

    expect((await client.delete(`/Users/${alice}`)).status).toBe(204);
    expect(await members(client, red.id)).toEqual([bob]);
    expect(await members(client, blue.id)).toEqual([]);
    expect((await client.get(`/Groups/${blue.id}`)).headers.get('etag')).not.toBe(blue.meta.version);
    expect(await tenantGroupProblems(tenantId)).toEqual([]);

    // Deleting a group removes its memberships from its users.
    expect((await client.delete(`/Groups/${red.id}`)).status).toBe(204);
    expect((await client.get(`/Users/${bob}`)).body).not.toHaveProperty('groups');
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  });
});
