import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';
import { commandsOf, recordUsersTableCalls } from '../support/dynamodb-calls';
import { type RunningService, startService } from '../support/local-service';
import { filterPath, patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { rememberSecret } from '../support/secrets';
import { scimTestToken } from '../support/tokens';

let service: RunningService;
let okta: ScimClient;
const tableCalls = recordUsersTableCalls();

beforeAll(async () => {
  service = await startService();
  okta = scimClient(service, (await scimTestToken()).token);
});
afterAll(() => service.close());

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

async function createUser(client: ScimClient, body: Record<string, unknown>) {
  const response = await client.post('/Users', body);
  expect(response.status).toBe(201);
  return response.body as Record<string, unknown> & { id: string };
}

describe('Okta’s App Integration Wizard sequence (okta-scim §1.2–§1.7)', () => {
  test('connection test, lookup, create, read, PUT echo, deactivate, reactivate, import', async () => {
    const tenant = scimClient(service, (await scimTestToken()).token);
    const password = `Pw-${Date.now()}-secret`;
    rememberSecret(password);

    // Test Connector Configuration: an empty tenant still answers a valid ListResponse with integers.
    const probe = await tenant.get('/Users?startIndex=1&count=2');
    expect(probe.status).toBe(200);
    expect(probe.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(probe.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });

    // Push New Users: lookup by userName in another letter case, not found → create.
    const miss = await tenant.get('/Users?filter=userName+eq+%22JANE.DOE%40EXAMPLE.COM%22&startIndex=1&count=100');
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await tenant.post('/Users', { ...oktaCreateBody('jane.doe@example.com'), password });
    expect(created.status).toBe(201);
    const jane = created.body as Record<string, unknown> & { id: string; meta: Record<string, string> };
    expect(created.headers.get('location')).toBe(`${service.scimBaseUrl}/Users/${jane.id}`);
    expect(created.headers.get('etag')).toBe(jane.meta.version);
    expect(jane).toMatchObject({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ACCESS_USER_SCHEMA],
      userName: 'jane.doe@example.com',
      active: true,
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
      externalId: '00uv931EiyRsnwOGa0g3',
      [ACCESS_USER_SCHEMA]: { role: 'collaborator', allBrands: true },
      meta: { resourceType: 'User', location: `${service.scimBaseUrl}/Users/${jane.id}` },
    });
    expect(JSON.stringify(jane)).not.toContain(password);
    expect(jane).not.toHaveProperty('groups');

    // The lookup in another letter case now finds her.
    const hit = await tenant.get(filterPath('userName eq "Jane.Doe@Example.COM"'));
    expect(hit.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(resourcesOf(hit)[0]?.id).toBe(jane.id);

    // Profile push: GET, then PUT of the whole echoed body with the changed attribute.
    const read = await tenant.get(`/Users/${jane.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(jane.meta.version);
    const echoed = { ...(read.body as Record<string, unknown>), password, groups: [], displayName: 'Jane Q. Doe' };
    const put = await tenant.put(`/Users/${jane.id}`, echoed);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: jane.id, displayName: 'Jane Q. Doe', active: true });
    expect(put.headers.get('etag')).not.toBe(jane.meta.version);

    // Deactivate by PUT: the user stays readable and findable.
    const deactivated = await tenant.put(`/Users/${jane.id}`, { ...(put.body as object), active: false });
    expect(deactivated.body).toMatchObject({ active: false });
    expect((await tenant.get(`/Users/${jane.id}`)).body).toMatchObject({ active: false, displayName: 'Jane Q. Doe' });
    expect((await tenant.get(filterPath('userName eq "jane.doe@example.com"'))).body).toMatchObject({
      totalResults: 1,
    });

    // Reactivate by PUT: same id, same attributes.
    const reactivated = await tenant.put(`/Users/${jane.id}`, { ...(deactivated.body as object), active: true });
    expect(reactivated.body).toEqual({
      ...(put.body as object),
      active: true,
      meta: expect.objectContaining({ created: jane.meta.created }),
    });

    // Import: the user is listed with integer paging fields.
    const imported = await tenant.get('/Users?startIndex=1&count=100');
    expect(imported.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(resourcesOf(imported).map((user) => user.id)).toEqual([jane.id]);
  });
});

describe('create (RFC 7644 §3.3)', () => {
  test('a second create of the same userName in any letter case is 409 uniqueness', async () => {
    await createUser(okta, oktaCreateBody('dup.user@example.com'));
    const again = await okta.post('/Users', oktaCreateBody('DUP.User@Example.com'));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.any(String),
    });
  });

  test.each([
    ['no userName', { schemas: [CORE_USER_SCHEMA] }, 'invalidValue'],
    ['an empty userName', { schemas: [CORE_USER_SCHEMA], userName: '' }, 'invalidValue'],
    ['no schemas', { userName: 'x@example.com' }, 'invalidSyntax'],
    [
      'a Group schema',
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'x@example.com' },
      'invalidSyntax',
    ],
    ['malformed JSON', '{"schemas":', 'invalidSyntax'],
  ])('%s: 400 %s', async (_case, body, scimType) => {
    const response = await okta.post('/Users', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '400', scimType });
  });

  test('a body over the limit is 413', async () => {
    const response = await okta.post('/Users', { ...oktaCreateBody('big@example.com'), title: 'x'.repeat(200_000) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '413' });
  });

  test('costs one transaction', async () => {
    tableCalls.reset();
    await createUser(okta, oktaCreateBody('one.transaction@example.com'));
    expect(commandsOf(tableCalls.calls())).toEqual(['TransactWriteItemsCommand']);
  });
});

describe('read (RFC 7644 §3.4.1)', () => {
  test('one read, an ETag, and 304 for If-None-Match', async () => {
    const user = await createUser(okta, oktaCreateBody('etag.reader@example.com'));
    tableCalls.reset();
    const read = await okta.get(`/Users/${user.id}`);
    expect(read.status).toBe(200);
    // The user item, and the Query of its memberships for `groups` (none).
    expect(tableCalls.calls()).toEqual([
      { command: 'GetItemCommand', itemsRead: 1 },
      { command: 'QueryCommand', itemsRead: 0 },
    ]);
    const etag = read.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const notModified = await okta.get(`/Users/${user.id}`, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect((await okta.get(`/Users/${user.id}`, { 'If-None-Match': 'W/"0"' })).status).toBe(200);
  });

  test.each(['01jd0000000000000000000000', 'not-an-id', '..', 'x'.repeat(300), '%E2%82%AC'])(
    'an unknown or malformed id (%s) is a 404 SCIM Error',
    async (id) => {
      tableCalls.reset();
      const response = await okta.get(`/Users/${id}`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
    },
  );

  test('attributes and excludedAttributes shape the response', async () => {
    const user = await createUser(okta, oktaCreateBody('projection@example.com'));
    const only = await okta.get(`/Users/${user.id}?attributes=userName,name.familyName`);
    expect(only.body).toEqual({
      schemas: [CORE_USER_SCHEMA],
      id: user.id,
      userName: 'projection@example.com',
      name: { familyName: 'Doe' },
    });
    const without = await okta.get(`/Users/${user.id}?excludedAttributes=meta,emails`);
    expect(without.body).not.toHaveProperty('meta');
    expect(without.body).not.toHaveProperty('emails');
    expect(without.body).toHaveProperty('userName');
  });
});

describe('replace (RFC 7644 §3.5.1)', () => {
  test('read-only, write-only and unknown attributes in the body are ignored; the access extension is untouched', async () => {
    const user = await createUser(okta, oktaCreateBody('put.echo@example.com'));
    const response = await okta.put(`/Users/${user.id}`, {
      ...user,
      id: 'someone-else',
      meta: { resourceType: 'User', created: '04-12-2018 00:00:00', version: 'v1.0' },
      groups: [{ value: 'g1' }],
      password: 'TkdFNVdIVkxhM2c9',
      favouriteColour: 'green',
      [ACCESS_USER_SCHEMA]: { role: 'owner', allBrands: false, brands: ['b1'] },
      title: 'Lead',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: user.id,
      title: 'Lead',
      [ACCESS_USER_SCHEMA]: { role: 'collaborator', allBrands: true },
    });
    expect(response.body).not.toHaveProperty('favouriteColour');
    expect(response.body).not.toHaveProperty('groups');
  });

  test('omitted attributes are cleared, except active, which keeps its value', async () => {
    const user = await createUser(okta, { ...oktaCreateBody('put.clears@example.com'), title: 'Lead', active: false });
    const response = await okta.put(`/Users/${user.id}`, {
      schemas: [CORE_USER_SCHEMA],
      userName: 'put.clears@example.com',
    });
    expect(response.body).toMatchObject({ userName: 'put.clears@example.com', active: false });
    expect(response.body).not.toHaveProperty('title');
    expect(response.body).not.toHaveProperty('emails');
    expect(response.body).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
  });

  test('active may be a string; a changed userName keeps uniqueness and frees the old one', async () => {
    const user = await createUser(okta, oktaCreateBody('rename.me@example.com'));
    await createUser(okta, oktaCreateBody('taken.name@example.com'));
    const clash = await okta.put(`/Users/${user.id}`, { ...oktaCreateBody('TAKEN.name@example.com') });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ scimType: 'uniqueness' });
    const renamed = await okta.put(`/Users/${user.id}`, { ...oktaCreateBody('renamed@example.com'), active: 'False' });
    expect(renamed.body).toMatchObject({ userName: 'renamed@example.com', active: false });
    expect((await okta.get(filterPath('userName eq "rename.me@example.com"'))).body).toMatchObject({ totalResults: 0 });
    expect((await okta.get(filterPath('userName eq "RENAMED@example.com"'))).body).toMatchObject({ totalResults: 1 });
    await createUser(okta, oktaCreateBody('rename.me@example.com'));
  });

  test('If-Match with a stale version is 412 and changes nothing; a current one succeeds', async () => {
    const user = await createUser(okta, oktaCreateBody('if.match@example.com'));
    const etag = (user.meta as { version: string }).version;
    const first = await okta.put(`/Users/${user.id}`, { ...user, title: 'One' }, { 'If-Match': etag });
    expect(first.status).toBe(200);
    const stale = await okta.put(`/Users/${user.id}`, { ...user, title: 'Two' }, { 'If-Match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '412' });
    const stalePatch = await okta.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'title', value: 'Three' }),
      {
        'If-Match': etag,
      },
    );
    expect(stalePatch.status).toBe(412);
    expect((await okta.get(`/Users/${user.id}`)).body).toMatchObject({ title: 'One' });
    expect((await okta.put(`/Users/${user.id}`, { ...user, title: 'Four' }, { 'If-Match': '*' })).status).toBe(200);
  });

  test('costs one read, one transaction and the groups Query; an unchanged PUT writes nothing', async () => {
    const user = await createUser(okta, oktaCreateBody('put.cost@example.com'));
    tableCalls.reset();
    await okta.put(`/Users/${user.id}`, { ...user, title: 'Changed', userName: 'put.cost.renamed@example.com' });
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand', 'TransactWriteItemsCommand', 'QueryCommand']);
    tableCalls.reset();
    const again = await okta.put(`/Users/${user.id}`, {
      ...user,
      title: 'Changed',
      userName: 'put.cost.renamed@example.com',
    });
    expect(again.status).toBe(200);
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand', 'QueryCommand']);
  });

  test('a PUT to an unknown user is 404', async () => {
    expect((await okta.put('/Users/01jd0000000000000000000000', oktaCreateBody())).status).toBe(404);
  });
});

describe('delete (RFC 7644 §3.6)', () => {
  test('204, then 404; the userName is free again for a new user with a new id', async () => {
    const user = await createUser(okta, oktaCreateBody('delete.me@example.com'));
    const deleted = await okta.delete(`/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await okta.get(`/Users/${user.id}`)).status).toBe(404);
    expect((await okta.delete(`/Users/${user.id}`)).status).toBe(404);
    expect((await okta.get(filterPath('userName eq "delete.me@example.com"'))).body).toMatchObject({ totalResults: 0 });
    expect((await okta.get(filterPath('externalId eq "00uv931EiyRsnwOGa0g3"'))).body).not.toMatchObject({
      Resources: expect.arrayContaining([expect.objectContaining({ id: user.id })]),
    });
    const again = await createUser(okta, oktaCreateBody('DELETE.me@example.com'));
    expect(again.id).not.toBe(user.id);
  });

  test('If-Match with a stale version is 412', async () => {
    const user = await createUser(okta, oktaCreateBody('delete.stale@example.com'));
    await okta.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }));
    const stale = await okta.delete(`/Users/${user.id}`, { 'If-Match': (user.meta as { version: string }).version });
    expect(stale.status).toBe(412);
    expect((await okta.get(`/Users/${user.id}`)).status).toBe(200);
  });
});

describe('other methods, discovery and groups', () => {
  test.each([
    ['DELETE', '/Users'],
    ['PUT', '/Users'],
    ['GET', '/Users/.search'],
    ['POST', '/Users/01jd0000000000000000000000'],
    ['POST', '/ServiceProviderConfig'],
    ['PATCH', '/Schemas'],
    ['DELETE', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'],
    ['POST', '/ResourceTypes'],
    ['PUT', '/ResourceTypes/User'],
    ['DELETE', '/Groups'],
  ])('%s %s is a 405 SCIM Error with Allow', async (method, path) => {
    const response = await okta.send(method, path, method === 'GET' || method === 'DELETE' ? undefined : '{');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/^(GET|POST)/);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '405' });
  });

  test('/Schemas, /Schemas/{id}, /ResourceTypes, /ResourceTypes/{id}', async () => {
    const schemas = await okta.get('/Schemas');
    expect(schemas.status).toBe(200);
    expect(resourcesOf(schemas).map((schema) => schema.id)).toEqual([
      CORE_USER_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
      ACCESS_USER_SCHEMA,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const access = await okta.get(`/Schemas/${ACCESS_USER_SCHEMA}`);
    expect(access.body).toMatchObject({ id: ACCESS_USER_SCHEMA, meta: { resourceType: 'Schema' } });
    expect((await okta.get('/Schemas/urn:nope')).status).toBe(404);
    expect((await okta.get('/ResourceTypes')).body).toMatchObject({ totalResults: 2 });
    expect((await okta.get('/ResourceTypes/User')).body).toMatchObject({ id: 'User', endpoint: '/Users' });
    expect((await okta.get('/ResourceTypes/Group')).body).toMatchObject({ id: 'Group', endpoint: '/Groups' });
    expect((await okta.get('/ResourceTypes/Nope')).status).toBe(404);
  });

  test('/Groups of a tenant without groups answers an empty ListResponse (Okta’s connection test)', async () => {
    const fresh = scimClient(service, (await scimTestToken()).token);
    expect((await fresh.get('/Groups?startIndex=1&count=100')).body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  test('without a token every SCIM route but ServiceProviderConfig is a 401 with a Bearer challenge', async () => {
    const anonymous = scimClient(service, undefined);
    for (const path of ['/Users', '/Users/01jd0000000000000000000000', '/Schemas', '/ResourceTypes', '/Groups']) {
      const response = await anonymous.get(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
    }
    expect((await anonymous.post('/Users', oktaCreateBody('anon@example.com'))).status).toBe(401);
  });
});

describe('tenant isolation', () => {
  test('a token of tenant A never sees or changes tenant B’s users', async () => {
    const tenantA = scimClient(service, (await scimTestToken()).token);
    const tenantB = scimClient(service, (await scimTestToken()).token);
    const bob = await createUser(tenantB, oktaCreateBody('bob@example.com'));
    // The same userName is free in another tenant.
    const aliceBob = await createUser(tenantA, oktaCreateBody('bob@example.com'));
    expect(aliceBob.id).not.toBe(bob.id);

    expect((await tenantA.get(`/Users/${bob.id}`)).status).toBe(404);
    expect((await tenantA.put(`/Users/${bob.id}`, { ...bob, title: 'hijacked' })).status).toBe(404);
    expect((await tenantA.patch(`/Users/${bob.id}`, patchOp({ op: 'replace', value: { active: false } }))).status).toBe(
      404,
    );
    expect((await tenantA.delete(`/Users/${bob.id}`)).status).toBe(404);
    const listed = await tenantA.get('/Users');
    expect(resourcesOf(listed).map((user) => user.id)).toEqual([aliceBob.id]);
    for (const filter of [`id eq "${bob.id}"`, 'userName eq "bob@example.com"', 'title pr or active eq true']) {
      const found = await tenantA.get(filterPath(filter));
      expect(resourcesOf(found).map((user) => user.id)).not.toContain(bob.id);
    }
    expect((await tenantB.get(`/Users/${bob.id}`)).body).toMatchObject({ active: true, id: bob.id });
    expect((await tenantB.get(`/Users/${bob.id}`)).body).not.toHaveProperty('title');
  });
});
