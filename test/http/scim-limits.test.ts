import { MAX_PAGE_SIZE, MAX_USER_BYTES, MAX_VALUES_PER_ATTRIBUTE } from '../../core/scim/limits';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { type RunningService, startService } from '../support/local-service';
import { filterPath, patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

// Requests as big as a body may be (128 KiB), and values longer than any key may be, through the local server:
// each is refused with a SCIM 400 (or, for a lookup of a value no user can carry, answered with no users) and
// changes nothing. What keeps the refusals quick is their construction (limits checked on linear work), so no
// timing is asserted here; bench/ measures.

let service: RunningService;
let client: ScimClient;

beforeAll(async () => {
  service = await startService();
  client = scimClient(service, (await scimTestToken()).token);
});
afterAll(() => service.close());

type User = Record<string, unknown> & { id: string; meta: { version: string } };

let serial = 0;
async function create(body: Record<string, unknown> = oktaCreateBody(`limits.${++serial}@example.com`)) {
  const response = await client.post('/Users', body);
  expect(response.status).toBe(201);
  return response.body as User;
}

/** `count` distinct phone numbers as bare values (`"a1"`, as `{ value }`): 12,000 of them are about 70 KB. */
const phoneNumbers = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => (from + index).toString(36));

const MULTI_VALUED: Record<string, (index: number) => Record<string, unknown>> = {
  phoneNumbers: (index) => ({ value: `+1 555 ${index}` }),
  ims: (index) => ({ value: `im-${index}` }),
  photos: (index) => ({ value: `https://photos.example.com/${index}.jpg` }),
  addresses: (index) => ({ streetAddress: `${index} Main St` }),
  entitlements: (index) => ({ value: `entitlement-${index}` }),
  roles: (index) => ({ value: `role-${index}` }),
  x509Certificates: (index) => ({ value: `MIIC${index}` }),
  emails: () => ({ value: 'same.address@example.com' }),
};

async function expectRefused(response: { status: number; body: Record<string, unknown> | undefined }) {
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
}

async function expectUnchanged(user: User) {
  const now = await client.get(`/Users/${user.id}`);
  expect(now.status).toBe(200);
  expect((now.body as User).meta.version).toBe(user.meta.version);
}

describe('many values', () => {
  test('a PATCH adding 12,000 distinct phone numbers (70 KB) is refused with 400 invalidValue, and changes nothing', async () => {
    const user = await create();
    const body = patchOp({ op: 'add', path: 'phoneNumbers', value: phoneNumbers(12_000) });
    expect(JSON.stringify(body).length).toBeGreaterThan(65_000);
    await expectRefused(await client.patch(`/Users/${user.id}`, body));
    await expectUnchanged(user);
  });

  test('a path-less PATCH, a POST and a PUT with 20,000 phone numbers are refused the same way', async () => {
    const user = await create();
    const many = phoneNumbers(20_000);
    await expectRefused(await client.patch(`/Users/${user.id}`, patchOp({ op: 'add', value: { phoneNumbers: many } })));
    await expectRefused(
      await client.post('/Users', { ...oktaCreateBody('many.phones@example.com'), phoneNumbers: many }),
    );
    await expectRefused(
      await client.put(`/Users/${user.id}`, { ...oktaCreateBody(String(user.userName)), phoneNumbers: many }),
    );
    await expectUnchanged(user);
    expect(resourcesOf(await client.get(filterPath('userName eq "many.phones@example.com"')))).toEqual([]);
  });

  test('removing 12,000 values at once is answered (member-style removal is linear too)', async () => {
    const user = await create({ ...oktaCreateBody('remove.many@example.com'), phoneNumbers: phoneNumbers(3, 5) });
    const removal = await client.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'remove', path: 'phoneNumbers', value: phoneNumbers(12_000) }),
    );
    expect(removal.status).toBe(200);
    expect(removal.body?.phoneNumbers).toBeUndefined();
  });

  test.each(Object.keys(MULTI_VALUED))(
    `%s: ${MAX_VALUES_PER_ATTRIBUTE} values are stored, one more is refused on POST, PUT and PATCH`,
    async (name) => {
      const values = (count: number) => Array.from({ length: count }, (_, index) => MULTI_VALUED[name]?.(index));
      const userName = `${name}.limit@example.com`;
      const user = await create({ ...oktaCreateBody(userName), [name]: values(MAX_VALUES_PER_ATTRIBUTE) });
      expect(user[name]).toHaveLength(MAX_VALUES_PER_ATTRIBUTE);
      const over = values(MAX_VALUES_PER_ATTRIBUTE + 1);
      await expectRefused(await client.post('/Users', { ...oktaCreateBody(`${name}.over@example.com`), [name]: over }));
      await expectRefused(await client.put(`/Users/${user.id}`, { ...oktaCreateBody(userName), [name]: over }));
      const extra =
        name === 'emails' ? { value: 'another@example.com' } : MULTI_VALUED[name]?.(MAX_VALUES_PER_ATTRIBUTE);
      await expectRefused(await client.patch(`/Users/${user.id}`, patchOp({ op: 'add', path: name, value: [extra] })));
      await expectUnchanged(user);
    },
  );
});

describe('long attribute lists', () => {
  test('a search whose attributes list names 10,000 entries is answered with the projection they ask for', async () => {
    await create(oktaCreateBody('projected.user@example.com'));
    const names = Array.from({ length: 10_000 }, (_, index) => (index % 2 === 0 ? 'userName' : `unknown${index}`));
    const response = await client.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "projected.user@example.com"',
      attributes: names,
    });
    expect(response.status).toBe(200);
    const [user] = resourcesOf(response);
    expect(Object.keys(user ?? {}).sort()).toEqual(['id', 'schemas', 'userName']);
  });
});

describe('big users', () => {
  /** A body whose stored attributes are `bytes` long as JSON, give or take the other attributes. */
  const withDisplayName = (userName: string, length: number) => ({
    schemas: [CORE_USER_SCHEMA],
    userName,
    displayName: 'd'.repeat(length),
  });

  test(`a user just under ${MAX_USER_BYTES} bytes is stored; over it, POST, PUT and PATCH are refused`, async () => {
    const userName = 'big.user@example.com';
    const overhead = JSON.stringify({ userName, displayName: '', active: true }).length;
    const user = await create(withDisplayName(userName, MAX_USER_BYTES - overhead));
    expect(String(user.displayName)).toHaveLength(MAX_USER_BYTES - overhead);
    await expectRefused(await client.post('/Users', withDisplayName('bigger.user@example.com', MAX_USER_BYTES)));
    await expectRefused(await client.put(`/Users/${user.id}`, withDisplayName(userName, MAX_USER_BYTES)));
    await expectRefused(
      await client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'nickName', value: 'n' })),
    );
    await expectUnchanged(user);
  });

  test('a user cannot be grown past the limit by repeated PATCHes, each under the body limit', async () => {
    const user = await create();
    const chunk = (index: number) => ({ value: `${index}:${'r'.repeat(3000)}` });
    let last: { status: number; body: Record<string, unknown> | undefined } | undefined;
    for (let index = 0; index < 10; index += 1) {
      last = await client.patch(`/Users/${user.id}`, patchOp({ op: 'add', path: 'roles', value: [chunk(index)] }));
      if (last.status !== 200) break;
    }
    await expectRefused(last as { status: number; body: Record<string, unknown> | undefined });
    const stored = await client.get(`/Users/${user.id}`);
    expect(JSON.stringify(stored.body).length).toBeLessThan(MAX_USER_BYTES + 2048);
  });
});

describe('values longer than any key', () => {
  const long = 'x'.repeat(1100);

  test.each([
    `userName eq "${long}"`,
    `id eq "${long}"`,
    `externalId eq "${long}"`,
    `emails.value eq "${long}"`,
    `emails[value eq "${long}"]`,
    `userName eq "${long}" or externalId eq "${long.slice(0, 800)}"`,
  ])('the filter %# on a 1,100-character value matches no user (RFC 7644 §3.4.2.2), answered 200', async (filter) => {
    const response = await client.get(filterPath(filter));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 0, Resources: [] });
    const search = await client.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter,
    });
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ totalResults: 0 });
  });

  test('the same values are refused on write with 400 invalidValue', async () => {
    await expectRefused(await client.post('/Users', oktaCreateBody(`${long}@example.com`)));
    await expectRefused(
      await client.post('/Users', { ...oktaCreateBody('long.external@example.com'), externalId: long }),
    );
    await expectRefused(
      await client.post('/Users', { ...oktaCreateBody('long.email@example.com'), emails: [{ value: long }] }),
    );
  });

  test('a 1,100-character id in the path is an unknown user: 404 on every method', async () => {
    const path = `/Users/${long}`;
    for (const response of [
      await client.get(path),
      await client.put(path, oktaCreateBody('nobody@example.com')),
      await client.patch(path, patchOp({ op: 'replace', path: 'active', value: false })),
      await client.delete(path),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ status: '404' });
    }
  });

  test('a cursor naming a position that is not an id is refused with 400 invalidCursor', async () => {
    await create();
    await create();
    const first = await client.get('/Users?cursor=&count=1');
    const issued = JSON.parse(Buffer.from(String(first.body?.nextCursor), 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...issued, a: long })).toString('base64url');
    expect((await client.get(`/Users?cursor=${String(first.body?.nextCursor)}&count=1`)).status).toBe(200);
    const response = await client.get(`/Users?cursor=${forged}&count=${MAX_PAGE_SIZE}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: 'invalidCursor' });
  });
});
