import { type RunningService, startService } from '../support/local-service';
import { patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

type User = Record<string, unknown> & { id: string };
const newTenant = async (): Promise<ScimClient> => scimClient(service, (await scimTestToken()).token);

describe('concurrency', () => {
  test('fifty concurrent creates of one userName (in any letter case) yield exactly one 201, the rest 409', async () => {
    const client = await newTenant();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        client.post('/Users', oktaCreateBody(index % 2 === 0 ? 'race@example.com' : 'RACE@Example.com')),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      expect(response.body).toMatchObject({ scimType: 'uniqueness' });
    }
    const listed = await client.get('/Users');
    expect(listed.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
  });

  test('concurrent creates of different users all succeed and are all counted', async () => {
    const client = await newTenant();
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) => client.post('/Users', oktaCreateBody(`parallel${index}@example.com`))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(201));
    const listed = await client.get('/Users?count=100');
    expect(listed.body).toMatchObject({ totalResults: 40, itemsPerPage: 40 });
    const ids = resourcesOf(listed).map((user) => user.id);
    expect([...ids].sort()).toEqual(ids);
  });

  test('concurrent PATCHes of one user never lose each other’s changes', async () => {
    const client = await newTenant();
    const user = (await client.post('/Users', oktaCreateBody('many.patches@example.com'))).body as User;
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        client.patch(
          `/Users/${user.id}`,
          patchOp({
            op: 'add',
            path: 'phoneNumbers',
            value: [{ value: `+1 555 01${String(index).padStart(2, '0')}` }],
          }),
        ),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(200));
    const stored = (await client.get(`/Users/${user.id}`)).body as {
      phoneNumbers: { value: string }[];
      meta: { version: string };
    };
    expect(stored.phoneNumbers.map((phone) => phone.value).sort()).toEqual(
      Array.from({ length: 12 }, (_, index) => `+1 555 01${String(index).padStart(2, '0')}`),
    );
    expect(stored.meta.version).toBe('W/"13"');
  });

  test('a PATCH and a PUT racing end as if one ran after the other', async () => {
    const client = await newTenant();
    for (let round = 0; round < 5; round += 1) {
      const user = (await client.post('/Users', oktaCreateBody(`race.round${round}@example.com`))).body as User;
      const [patched, replaced] = await Promise.all([
        client.patch(`/Users/${user.id}`, patchOp({ op: 'add', path: 'nickName', value: 'Janie' })),
        client.put(`/Users/${user.id}`, { ...user, title: 'From PUT' }),
      ]);
      expect([patched.status, replaced.status]).toEqual([200, 200]);
      const stored = (await client.get(`/Users/${user.id}`)).body as Record<string, unknown>;
      const { meta: _storedMeta, ...storedAttributes } = stored;
      const { meta: _createdMeta, ...created } = user;
      const putThenPatch = { ...created, title: 'From PUT', nickName: 'Janie' };
      const patchThenPut = { ...created, title: 'From PUT' };
      expect([putThenPatch, patchThenPut]).toContainEqual(storedAttributes);
      expect((stored.meta as { version: string }).version).toBe('W/"3"');
    }
  });

  test('two writers with the same If-Match: one wins, the other gets 412', async () => {
    const client = await newTenant();
    const user = (await client.post('/Users', oktaCreateBody('if.match.race@example.com'))).body as User;
    const etag = (user.meta as { version: string }).version;
    const responses = await Promise.all([
      client.put(`/Users/${user.id}`, { ...user, title: 'A' }, { 'If-Match': etag }),
      client.put(`/Users/${user.id}`, { ...user, title: 'B' }, { 'If-Match': etag }),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
  });

  test('renaming two users to the same userName at once: one wins', async () => {
    const client = await newTenant();
    const first = (await client.post('/Users', oktaCreateBody('first@example.com'))).body as User;
    const second = (await client.post('/Users', oktaCreateBody('second@example.com'))).body as User;
    const responses = await Promise.all([
      client.patch(`/Users/${first.id}`, patchOp({ op: 'replace', path: 'userName', value: 'Wanted@example.com' })),
      client.patch(`/Users/${second.id}`, patchOp({ op: 'replace', path: 'userName', value: 'wanted@EXAMPLE.com' })),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    const listed = await client.get('/Users');
    const names = resourcesOf(listed)
      .map((user) => String(user.userName).toLowerCase())
      .sort();
    expect(names.filter((name) => name === 'wanted@example.com')).toHaveLength(1);
  });

  test('count is capped at the advertised maximum', async () => {
    const client = await newTenant();
    for (let batch = 0; batch < 21; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          client.post('/Users', oktaCreateBody(`cap${batch}-${index}@example.com`)),
        ),
      );
      expect(responses.every((response) => response.status === 201)).toBe(true);
    }
    const config = (await client.get('/ServiceProviderConfig')).body as { filter: { maxResults: number } };
    const page = await client.get('/Users?count=1000');
    expect(page.body).toMatchObject({ totalResults: 210, itemsPerPage: config.filter.maxResults });
  });
});
