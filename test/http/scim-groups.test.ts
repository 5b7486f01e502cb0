import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { commandsOf, recordUsersTableCalls } from '../support/dynamodb-calls';
import { type RunningService, startService } from '../support/local-service';
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
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Resource = Record<string, unknown> & { id: string; meta: { version: string } };

const newTenant = async (): Promise<ScimClient> => scimClient(service, (await scimTestToken()).token);

async function createUsers(client: ScimClient, count: number, prefix = 'member'): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await client.post('/Users', oktaCreateBody(`${prefix}${index}@example.com`));
    expect(response.status).toBe(201);
    ids.push((response.body as Resource).id);
  }
  return ids;
}

async function createGroup(client: ScimClient, body: Record<string, unknown>): Promise<Resource> {
  const response = await client.post('/Groups', { schemas: [GROUP_SCHEMA], ...body });
  expect(response.status).toBe(201);
  return response.body as Resource;
}

const memberIds = (group: Record<string, unknown> | undefined): string[] =>
  ((group?.members ?? []) as { value: string }[]).map((member) => member.value).sort();

const groupsPath = (filter: string, extra = '') => `/Groups?filter=${encodeURIComponent(filter)}${extra}`;

describe('the Group resource', () => {
  test('create, read, ETag and Location, members with value, display, $ref and type', async () => {
    const client = await newTenant();
    const [alice, bob] = await createUsers(client, 2);
    const created = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA, 'urn:okta:custom:group:1.0'],
      displayName: 'Test SCIMv2',
      externalId: 'okta-00g1',
      members: [{ value: alice, display: 'member0@example.com' }, { value: bob }],
      'urn:okta:custom:group:1.0': { description: 'ignored' },
      unknownAttribute: 'ignored',
    });
    expect(created.status).toBe(201);
    const group = created.body as Resource;
    expect(created.headers.get('location')).toBe(`${service.scimBaseUrl}/Groups/${group.id}`);
    expect(created.headers.get('etag')).toBe(group.meta.version);
    expect(group).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      externalId: 'okta-00g1',
      displayName: 'Test SCIMv2',
      members: expect.arrayContaining([
        {
          value: alice,
          display: 'member0@example.com',
          $ref: `${service.scimBaseUrl}/Users/${alice}`,
          type: 'User',
        },
        { value: bob, $ref: `${service.scimBaseUrl}/Users/${bob}`, type: 'User' },
      ]),
      meta: {
        resourceType: 'Group',
        created: expect.any(String),
        lastModified: expect.any(String),
        location: `${service.scimBaseUrl}/Groups/${group.id}`,
        version: expect.stringMatching(/^W\/"\d+"$/),
      },
    });

    expect(memberIds(group)).toEqual([alice, bob].sort());
    const read = await client.get(`/Groups/${group.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(group);
    expect(read.headers.get('etag')).toBe(group.meta.version);
    const notModified = await client.get(`/Groups/${group.id}`, { 'If-None-Match': group.meta.version });
    expect(notModified.status).toBe(304);

    // Another tenant cannot see it.
    const other = await newTenant();
    expect((await other.get(`/Groups/${group.id}`)).status).toBe(404);
    expect((await client.get('/Groups/not-an-id')).status).toBe(404);
  });

  test('Entra’s create: extra schema URN, meta sent, no members → members: []', async () => {
    const client = await newTenant();
    const created = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA, ENTRA_GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Entra Group',
      meta: { resourceType: 'Group' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ displayName: 'Entra Group', members: [] });
  });

  test('displayName is required and unique per tenant, case-insensitively; other tenants may reuse it', async () => {
    const client = await newTenant();
    await createGroup(client, { displayName: 'Marketing' });
    const duplicate = await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'MARKETING' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const missing = await client.post('/Groups', { schemas: [GROUP_SCHEMA], members: [] });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ scimType: 'invalidValue' });
    const tooLong = await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'x'.repeat(300) });
    expect(tooLong.status).toBe(400);
    const noSchema = await client.post('/Groups', { displayName: 'No schema' });
    expect(noSchema.status).toBe(400);
    expect(noSchema.body).toMatchObject({ scimType: 'invalidSyntax' });
    const other = await newTenant();
    await createGroup(other, { displayName: 'marketing' });

    // Fifty concurrent creates of one name: exactly one wins.
    const raced = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: index % 2 ? 'Race' : 'RACE' }),
      ),
    );
    expect(raced.filter((response) => response.status === 201)).toHaveLength(1);
    expect(raced.filter((response) => response.status === 409)).toHaveLength(19);

    // A rename frees the old name and takes the new one.
    const sales = await createGroup(client, { displayName: 'Sales' });
    const clash = await client.patch(
      `/Groups/${sales.id}`,
      patchOp({ op: 'replace', path: 'displayName', value: 'marketing' }),
    );
    expect(clash.status).toBe(409);
    const renamed = await client.patch(
      `/Groups/${sales.id}`,
      patchOp({ op: 'Replace', path: 'displayName', value: 'Revenue' }),
    );
    expect(renamed.status).toBe(204);
    await createGroup(client, { displayName: 'Sales' });
  });

  test('list, filters answered by key lookups, sort, paging and projection', async () => {
    const client = await newTenant();
    const [alice, bob] = await createUsers(client, 2);
    const engineering = await createGroup(client, {
      displayName: 'Engineering',
      externalId: 'ext-eng',
      members: [{ value: alice }],
    });
    const design = await createGroup(client, { displayName: 'Design', members: [{ value: alice }, { value: bob }] });
    const empty = await createGroup(client, { displayName: 'Empty Group' });

    const all = await client.get('/Groups?startIndex=1&count=100');
    expect(all.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 3, itemsPerPage: 3, startIndex: 1 });
    expect(resourcesOf(all).map((group) => group.id)).toEqual([engineering.id, design.id, empty.id]);

    tableCalls.reset();
    const byName = await client.get(
      `/Groups?filter=${encodeURIComponent('displayName eq "engineering"')}&startIndex=1&count=100`,
    );
    expect(byName.body).toMatchObject({ totalResults: 1 });
    expect(resourcesOf(byName)[0]).toMatchObject({ id: engineering.id, members: [{ value: alice }] });
    expect(commandsOf(tableCalls.calls())).not.toContain('ScanCommand');
    expect(tableCalls.calls().every((call) => call.itemsRead <= 2)).toBe(true);

    const okta = await client.get('/Groups?filter=displayName%20eq%20%22Empty%20Group%22&startIndex=1&count=100');
    expect(resourcesOf(okta).map((group) => group.id)).toEqual([empty.id]);
    const miss = await client.get(groupsPath('displayName eq "Nobody"'));
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });

    expect(resourcesOf(await client.get(groupsPath('externalId eq "ext-eng"'))).map((g) => g.id)).toEqual([
      engineering.id,
    ]);
    expect(resourcesOf(await client.get(groupsPath('externalId eq "EXT-ENG"')))).toEqual([]);
    expect(resourcesOf(await client.get(groupsPath(`id eq "${design.id}"`))).map((g) => g.id)).toEqual([design.id]);

    // Entra's and AWS's membership checks, answered from the user's side of the memberships.
    tableCalls.reset();
    const check = await client.get(
      groupsPath(`id eq "${design.id}" and members[value eq "${bob}"]`, '&excludedAttributes=members'),
    );
    expect(resourcesOf(check)).toEqual([expect.objectContaining({ id: design.id })]);
    expect(resourcesOf(check)[0]).not.toHaveProperty('members');
    const memberQueries = tableCalls.calls().filter((call) => call.command === 'QueryCommand');
    expect(memberQueries.every((call) => call.itemsRead <= 2)).toBe(true);
    const notMember = await client.get(groupsPath(`id eq "${engineering.id}" and members eq "${bob}"`));
    expect(notMember.body).toMatchObject({ totalResults: 0 });
    const ofAlice = await client.get(groupsPath(`members.value eq "${alice}"`, '&sortBy=displayName'));
    expect(resourcesOf(ofAlice).map((group) => group.displayName)).toEqual(['Design', 'Engineering']);

    const startsWith = await client.get(groupsPath('displayName sw "e"', '&sortBy=displayName&sortOrder=descending'));
    expect(resourcesOf(startsWith).map((group) => group.displayName)).toEqual(['Engineering', 'Empty Group']);
    const withMembers = await client.get(groupsPath('members pr'));
    expect(resourcesOf(withMembers).map((group) => group.id)).toEqual([engineering.id, design.id]);

    const bad = await client.get(groupsPath('members co "x"'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidFilter' });
    expect((await client.get(groupsPath('title eq "x"'))).status).toBe(400);
    expect((await client.get(groupsPath('displayName eq'))).status).toBe(400);

    const page = await client.get('/Groups?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 2 });
    expect(resourcesOf(page)[0]?.id).toBe(design.id);
    const first = await client.get('/Groups?cursor=&count=2');
    expect(resourcesOf(first).map((group) => group.id)).toEqual([engineering.id, design.id]);
    const next = await client.get(`/Groups?cursor=${first.body?.nextCursor}&count=2`);
    expect(resourcesOf(next).map((group) => group.id)).toEqual([empty.id]);
    expect(next.body).not.toHaveProperty('nextCursor');

    const names = await client.get('/Groups?attributes=displayName');
    expect(resourcesOf(names)[0]).toEqual({ schemas: [GROUP_SCHEMA], id: engineering.id, displayName: 'Engineering' });
    const valuesOnly = await client.get(`/Groups/${design.id}?attributes=members.value`);
    expect(valuesOnly.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: design.id,
      members: expect.arrayContaining([{ value: alice }, { value: bob }]),
    });

    const search = await client.post('/Groups/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'displayName eq "Design"',
      excludedAttributes: ['members'],
    });
    expect(search.status).toBe(200);
    expect(resourcesOf(search)).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    expect(resourcesOf(search)[0]?.id).toBe(design.id);
  });

  test('excludedAttributes=members never reads the member list', async () => {
    const client = await newTenant();
    const members = await createUsers(client, 3);
    const group = await createGroup(client, {
      displayName: 'Readers',
      members: members.map((value) => ({ value })),
    });
    tableCalls.reset();
    const read = await client.get(`/Groups/${group.id}?excludedAttributes=members`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('members');
    expect(read.body).toMatchObject({ id: group.id, displayName: 'Readers' });
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand']);

    tableCalls.reset();
    const listed = await client.get(groupsPath('displayName eq "Readers"', '&excludedAttributes=members'));
    expect(resourcesOf(listed)[0]).not.toHaveProperty('members');
    expect(commandsOf(tableCalls.calls())).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);

    tableCalls.reset();
    await client.get(`/Groups/${group.id}`);
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand', 'QueryCommand']);
  });

  test('ETags: If-Match on PUT, PATCH and DELETE', async () => {
    const client = await newTenant();
    const group = await createGroup(client, { displayName: 'Versioned' });
    const stale = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', path: 'displayName', value: 'New' }),
      { 'If-Match': 'W/"7"' },
    );
    expect(stale.status).toBe(412);
    const fresh = await client.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', path: 'displayName', value: 'New' }),
      { 'If-Match': group.meta.version },
    );
    expect(fresh.status).toBe(204);
    expect(fresh.headers.get('etag')).toBe('W/"2"');
    const put = await client.put(
      `/Groups/${group.id}`,
      { schemas: [GROUP_SCHEMA], displayName: 'Put' },
      { 'If-Match': 'W/"1"' },
    );
    expect(put.status).toBe(412);
    expect((await client.delete(`/Groups/${group.id}`, { 'If-Match': 'W/"1"' })).status).toBe(412);
    expect((await client.delete(`/Groups/${group.id}`, { 'If-Match': 'W/"2"' })).status).toBe(204);
    expect((await client.get(`/Groups/${group.id}`)).status).toBe(404);
    expect((await client.delete(`/Groups/${group.id}`)).status).toBe(404);
  });

  test('group bodies may carry a full member list (up to 4 MiB); larger ones get 413', async () => {
    const client = await newTenant();
    // 3,000 member values that name no user: far over the 128 KiB of other SCIM bodies, and all skipped.
    const members = Array.from({ length: 3_000 }, (_, index) => ({
      value: `01jd${String(index).padStart(22, '0')}`,
      display: `someone.with.a.long.name.${index}@example.com`,
    }));
    const large = await client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Large body', members });
    expect(large.status).toBe(201);
    expect(large.body).toMatchObject({ members: [] });
    const tooLarge = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Too large',
      externalId: 'x'.repeat(4 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ status: '413' });
    const tooMany = await client.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Too many',
      members: Array.from({ length: 10_001 }, (_, index) => String(index)),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ scimType: 'invalidValue' });
    expect((await client.get(groupsPath('displayName eq "Too many"'))).body).toMatchObject({ totalResults: 0 });
  });

  test('discovery describes Groups; other methods get 405', async () => {
    const client = await newTenant();
    const types = await client.get('/ResourceTypes');
    expect(resourcesOf(types).map((type) => type.id)).toEqual(['User', 'Group']);
    const groupType = await client.get('/ResourceTypes/Group');
    expect(groupType.body).toMatchObject({ endpoint: '/Groups', schema: GROUP_SCHEMA });
    const schema = await client.get(`/Schemas/${GROUP_SCHEMA}`);
    expect(schema.status).toBe(200);
    const attributes = (schema.body?.attributes ?? []) as { name: string; required: boolean; uniqueness: string }[];
    expect(attributes.map((attribute) => attribute.name)).toEqual(['displayName', 'members']);
    expect(attributes[0]).toMatchObject({ required: true, uniqueness: 'server' });
    const schemas = await client.get('/Schemas');
    expect(resourcesOf(schemas).map((entry) => entry.id)).toContain(GROUP_SCHEMA);

    const wrong = await client.send('POST', '/Groups/abc', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
  });
});
