import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { createUser } from '../../core/scim/users';
import { documentClient, tableName } from '../../functions/_shared/services';
import { tenantGroupProblems } from '../support/group-consistency';
import { type RunningService, startService } from '../support/local-service';
import { patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

type Resource = Record<string, unknown> & { id: string };

interface Tenant {
  readonly client: ScimClient;
  readonly tenantId: string;
}

async function newTenant(): Promise<Tenant> {
  const { token, tenantId } = await scimTestToken();
  return { client: scimClient(service, token), tenantId };
}

/** Users created through the Users core and its DynamoDB store (what POST /Users does), several at a time. */
async function createUsers(tenantId: string, count: number): Promise<string[]> {
  const store = new DynamoDbUserStore(documentClient(), tableName('users'));
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      ids[index] = (await createUser({ store, tenantId }, oktaCreateBody(`bulk${index}@example.com`))).id;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

async function newGroup(client: ScimClient, displayName: string, members: readonly string[] = []): Promise<Resource> {
  const response = await client.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(response.status).toBe(201);
  return response.body as Resource;
}

async function memberIds(client: ScimClient, groupId: string): Promise<string[]> {
  const response = await client.get(`/Groups/${groupId}`);
  expect(response.status).toBe(200);
  return ((response.body?.members ?? []) as { value: string }[]).map((member) => member.value).sort();
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('concurrent membership changes', () => {
  test('50 concurrent single-member Add PATCHes on one group end with 50 members', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(tenantId, 50);
    const group = await newGroup(client, 'Concurrent');
    const responses = await Promise.all(
      users.map((user) =>
        client.patch(
          `/Groups/${group.id}`,
          patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user }] }),
        ),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(users.map(() => 204));
    expect(await memberIds(client, group.id)).toEqual(sorted(users));
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);

  test('concurrent adds and removes of different members never lose each other', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(tenantId, 30);
    const group = await newGroup(client, 'Mixed traffic', users.slice(0, 15));
    await Promise.all([
      ...users
        .slice(0, 10)
        .map((user) =>
          client.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${user}"]` })),
        ),
      ...users
        .slice(15)
        .map((user) =>
          client.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user }] })),
        ),
    ]);
    expect(await memberIds(client, group.id)).toEqual(sorted(users.slice(10)));
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);

  test('a replace racing an add ends in one of the two serial orders', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(tenantId, 12);
    const [added, ...rest] = users as [string, ...string[]];
    for (let round = 0; round < 4; round += 1) {
      const group = await newGroup(client, `Race ${round}`, rest.slice(0, 6));
      const replacement = rest.slice(3);
      const [replace, add] = await Promise.all([
        client.patch(
          `/Groups/${group.id}`,
          patchOp({ op: 'replace', path: 'members', value: replacement.map((value) => ({ value })) }),
        ),
        client.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: added }] })),
      ]);
      expect([replace.status, add.status]).toEqual([204, 204]);
      const final = await memberIds(client, group.id);
      // add then replace: exactly the replacement; replace then add: the replacement and the added user.
      expect([sorted(replacement), sorted([...replacement, added])]).toContainEqual(final);
    }
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);

  test('a user deleted while it is being added to groups leaves no membership behind', async () => {
    const { client, tenantId } = await newTenant();
    const users = await createUsers(tenantId, 6);
    const groups = await Promise.all(Array.from({ length: 6 }, (_, index) => newGroup(client, `Doomed ${index}`)));
    const doomed = users[0] as string;
    await Promise.all([
      ...groups.map((group) =>
        client.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: doomed }] })),
      ),
      client.delete(`/Users/${doomed}`),
    ]);
    for (const group of groups) expect(await memberIds(client, group.id)).not.toContain(doomed);
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);
});

describe('scale', () => {
  let tenant: Tenant;
  let users: string[];

  beforeAll(async () => {
    tenant = await newTenant();
    users = await createUsers(tenant.tenantId, 1_000);
  }, 300_000);

  test('one PATCH with 1,000 member additions, then one with 500 removes, 500 repeated adds and a rename', async () => {
    const { client, tenantId } = tenant;
    const group = await newGroup(client, 'Thousand');
    const adds = await client.patch(
      `/Groups/${group.id}`,
      patchOp(...users.map((user) => ({ op: 'add', path: 'members', value: [{ value: user, display: user }] }))),
    );
    expect(adds.status).toBe(204);
    expect(await memberIds(client, group.id)).toEqual(sorted(users));
    const mixed = await client.patch(
      `/Groups/${group.id}`,
      patchOp(
        { op: 'replace', value: { id: group.id, displayName: 'Thousand renamed' } },
        ...users.slice(0, 499).map((user) => ({ op: 'remove', path: `members[value eq "${user}"]` })),
        ...users.slice(500).map((user) => ({ op: 'add', path: 'members', value: [{ value: user }] })),
      ),
    );
    expect(mixed.status).toBe(204);
    expect(await memberIds(client, group.id)).toEqual(sorted(users.slice(499)));
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);

  test('Okta pushes a large group with POST and PUT, and reads it back whole', async () => {
    const { client, tenantId } = tenant;
    const group = await newGroup(client, 'Everyone', users.slice(0, 400));
    const put = await client.put(`/Groups/${group.id}`, {
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Everyone',
      members: users.map((value) => ({ value, display: `${value}@example.com` })),
    });
    expect(put.status).toBe(200);
    expect(((put.body?.members ?? []) as unknown[]).length).toBe(users.length);
    expect(await memberIds(client, group.id)).toEqual(sorted(users));
    const listed = await client.get('/Groups?filter=displayName%20eq%20%22Everyone%22');
    expect(resourcesOf(listed)[0]?.members).toHaveLength(users.length);
    expect(await tenantGroupProblems(tenantId)).toEqual([]);
  }, 120_000);
});
