import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';
import { commandsOf, recordUsersTableCalls } from '../support/dynamodb-calls';
import { type RunningService, startService } from '../support/local-service';
import { filterPath, patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { rememberSecret } from '../support/secrets';
import { scimTestToken } from '../support/tokens';

let service: RunningService;
let client: ScimClient;
const tableCalls = recordUsersTableCalls();

beforeAll(async () => {
  service = await startService();
  client = scimClient(service, (await scimTestToken()).token);
});
afterAll(() => service.close());

type User = Record<string, unknown> & { id: string };

async function create(body: Record<string, unknown>): Promise<User> {
  const response = await client.post('/Users', body);
  expect(response.status).toBe(201);
  return response.body as User;
}

describe('Okta catalogue (OIN) apps: PUT for profiles, PATCH for (de)activation and passwords (okta-scim §1.5–§1.8)', () => {
  test('lookup, create, profile PUT, deactivate, reactivate, password sync', async () => {
    const password = `Pw-${Date.now()}-patch`;
    rememberSecret(password);
    expect((await client.get(filterPath('userName eq "oin.user@example.com"'))).body).toMatchObject({
      totalResults: 0,
    });
    const user = await create(oktaCreateBody('oin.user@example.com'));
    const profile = await client.put(`/Users/${user.id}`, { ...user, name: { givenName: 'Janet', familyName: 'Doe' } });
    expect(profile.body).toMatchObject({ name: { givenName: 'Janet', familyName: 'Doe' } });

    // The exact deactivation body Okta sends: no path, value is an object.
    const deactivate = await client.patch(
      `/Users/${user.id}`,
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}',
    );
    expect(deactivate.status).toBe(200);
    expect(deactivate.body).toMatchObject({ id: user.id, active: false, name: { givenName: 'Janet' } });
    expect((await client.get(`/Users/${user.id}`)).body).toMatchObject({ active: false });
    expect((await client.get(filterPath('userName eq "OIN.USER@example.com"'))).body).toMatchObject({
      totalResults: 1,
    });

    const reactivate = await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: true } }));
    expect(reactivate.body).toMatchObject({ id: user.id, active: true, externalId: user.externalId });

    const passwordSync = await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { password } }));
    expect(passwordSync.status).toBe(200);
    expect(JSON.stringify(passwordSync.body)).not.toContain(password);
    expect(passwordSync.headers.get('etag')).toBe(reactivate.headers.get('etag'));
  });

  test('profile PATCH (“Support PATCH for User”): nested, dotted and filtered paths', async () => {
    const user = await create(oktaCreateBody('patch.profile@example.com'));
    const response = await client.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'replace', value: { name: { givenName: 'Jo' }, displayName: 'Jo Doe' } },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'jo.doe@example.com' },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0100', type: 'mobile' }] },
        { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Sales' },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: { givenName: 'Jo', familyName: 'Doe' },
      displayName: 'Jo Doe',
      emails: [{ value: 'jo.doe@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'boss-id' } },
    });
    // The email lookup item followed the change.
    const found = await client.get(filterPath('emails.value eq "JO.DOE@example.com"'));
    expect(resourcesOf(found).map((resource) => resource.id)).toEqual([user.id]);
    expect((await client.get(filterPath('emails.value eq "patch.profile@example.com"'))).body).toMatchObject({
      totalResults: 0,
    });
  });

  test('costs one read, one transaction and the groups Query', async () => {
    const user = await create(oktaCreateBody('patch.cost@example.com'));
    tableCalls.reset();
    await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } }));
    // The last call is the Query of the user's memberships for its `groups`.
    expect(commandsOf(tableCalls.calls())).toEqual(['GetItemCommand', 'TransactWriteItemsCommand', 'QueryCommand']);
  });
});

describe('Entra ID quirks (peers §2)', () => {
  const entraUser = (userName: string) => ({
    schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    externalId: 'b3e1c2f4-entra',
    userName,
    active: true,
    addresses: [{ primary: true, type: 'work', formatted: '1 Main St' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
    roles: [],
    emails: [{ primary: true, type: 'work', value: userName }],
    [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering', employeeNumber: '1815' },
  });

  test('"Replace" with a capital, "False" as a string, and reactivation with "True"', async () => {
    const user = await create(entraUser('ada@contoso.example'));
    const disabled = await client.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false });
    const enabled = await client.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    expect(enabled.body).toMatchObject({ active: true });
  });

  test('dotted keys and URN paths inside a path-less value', async () => {
    const user = await create(entraUser('grace@contoso.example'));
    const response = await client.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'Replace',
        value: {
          'name.givenName': 'Grace',
          'name.familyName': 'Hopper',
          [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Navy',
          'emails[type eq "work"].value': 'grace.hopper@contoso.example',
          active: 'False',
        },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: { givenName: 'Grace', familyName: 'Hopper', formatted: 'Ada Lovelace' },
      emails: [{ primary: true, type: 'work', value: 'grace.hopper@contoso.example' }],
      active: false,
      [ENTERPRISE_USER_SCHEMA]: { department: 'Navy', employeeNumber: '1815' },
    });
  });

  test('the manager as a bare id, answered in RFC form, and removed', async () => {
    const manager = await create(entraUser('boss@contoso.example'));
    const user = await create(entraUser('report@contoso.example'));
    const managerPath = `${ENTERPRISE_USER_SCHEMA}:manager`;
    const added = await client.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: managerPath, value: manager.id }));
    expect(added.body).toMatchObject({ [ENTERPRISE_USER_SCHEMA]: { manager: { value: manager.id } } });
    const found = await client.get(filterPath(`${ENTERPRISE_USER_SCHEMA}:manager.value eq "${manager.id}"`));
    expect(resourcesOf(found).map((resource) => resource.id)).toEqual([user.id]);
    const removed = await client.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: managerPath }));
    expect(removed.body).toMatchObject({ [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering' } });
    expect((removed.body as Record<string, Record<string, unknown>>)[ENTERPRISE_USER_SCHEMA]).not.toHaveProperty(
      'manager',
    );
  });

  test('a filtered path that matches nothing creates the element instead of failing', async () => {
    const user = await create(entraUser('linus@contoso.example'));
    const response = await client.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0101' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0102' },
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
      ),
    );
    expect(response.body).toMatchObject({
      phoneNumbers: [
        { type: 'work', value: '+1 555 0101' },
        { type: 'mobile', value: '+1 555 0102' },
      ],
      addresses: [{ primary: true, type: 'work', formatted: '1 Main St', locality: 'Redmond' }],
    });
  });

  test('Entra finds users by externalId too', async () => {
    const user = await create({ ...entraUser('ext@contoso.example'), externalId: 'entra-object-42' });
    const found = await client.get(filterPath('externalId eq "entra-object-42"'));
    expect(resourcesOf(found).map((resource) => resource.id)).toEqual([user.id]);
  });
});

describe('PATCH errors change nothing', () => {
  test.each([
    [patchOp({ op: 'remove' }), 'noTarget'],
    [patchOp({ op: 'remove', path: 'emails[type eq "pager"]' }), 'noTarget'],
    [patchOp({ op: 'replace', path: 'nosuch', value: 1 }), 'invalidPath'],
    [patchOp({ op: 'replace', path: 'emails[type eq', value: 1 }), 'invalidPath'],
    [patchOp({ op: 'replace', path: 'id', value: 'x' }), 'mutability'],
    [patchOp({ op: 'replace', path: `${ACCESS_USER_SCHEMA}:role`, value: 'owner' }), 'mutability'],
    [patchOp({ op: 'replace', value: { [ACCESS_USER_SCHEMA]: { allBrands: false } } }), 'mutability'],
    [
      patchOp({ op: 'replace', path: 'title', value: 'ok' }, { op: 'replace', path: 'active', value: 'maybe' }),
      'invalidValue',
    ],
    [patchOp({ op: 'remove', path: 'userName' }), 'invalidValue'],
    [{ Operations: [{ op: 'replace', value: { active: false } }] }, 'invalidSyntax'],
    [patchOp({ op: 'move', path: 'title' }), 'invalidSyntax'],
  ])('%j → 400 %s', async (body, scimType) => {
    const user = await create(oktaCreateBody(`patch.error.${scimType}.${Math.random()}@example.com`));
    const response = await client.patch(`/Users/${user.id}`, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: '400', scimType });
    expect((await client.get(`/Users/${user.id}`)).body).toEqual(user);
  });

  test('PATCH of an unknown user is 404', async () => {
    const response = await client.patch(
      '/Users/01jd0000000000000000000000',
      patchOp({ op: 'replace', value: { active: false } }),
    );
    expect(response.status).toBe(404);
  });
});
