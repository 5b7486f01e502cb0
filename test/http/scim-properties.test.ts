import fc from 'fast-check';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';
import { type RunningService, startService } from '../support/local-service';
import { type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

let service: RunningService;
let client: ScimClient;

beforeAll(async () => {
  service = await startService();
  client = scimClient(service, (await scimTestToken()).token);
});
afterAll(() => service.close());

type User = Record<string, unknown> & { id: string };

const names = fc.constantFrom(
  'userName',
  'active',
  'title',
  'displayName',
  'name',
  'name.givenName',
  'emails',
  'emails.value',
  'emails[type eq "work"].value',
  'emails[type eq "home"]',
  'phoneNumbers[type eq "mobile"].value',
  'id',
  'meta',
  'groups',
  'password',
  'externalId',
  `${ENTERPRISE_USER_SCHEMA}:department`,
  `${ENTERPRISE_USER_SCHEMA}:manager`,
  ENTERPRISE_USER_SCHEMA,
  `${ACCESS_USER_SCHEMA}:role`,
  'nosuch',
  'emails[type eq',
);
const values = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('False', 'True', null, '', [], {}, { active: false }, [{ value: 'x@y.z', primary: true }]),
);
const operations = fc.array(
  fc.record(
    { op: fc.constantFrom('add', 'replace', 'remove', 'Replace', 'bogus'), path: names, value: values },
    { requiredKeys: ['op'] },
  ),
  { minLength: 1, maxLength: 4 },
);
const patchBodies = fc.oneof(
  operations.map((Operations) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations })),
  fc.jsonValue({ maxDepth: 3 }),
);
const resourceBodies = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc
    .record({
      schemas: fc.constantFrom([CORE_USER_SCHEMA], [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA], ['nope'], 'x'),
      userName: fc.oneof(fc.emailAddress(), fc.jsonValue({ maxDepth: 1 })),
      extra: fc.dictionary(names, values, { maxKeys: 4 }),
    })
    .map(({ extra, ...rest }) => ({ ...extra, ...rest })),
);

/** The user as stored, read back through the API. */
const snapshot = async (id: string) => (await client.get(`/Users/${id}`)).body;

describe('random requests over HTTP (fast-check)', () => {
  // Each run reads the state back once, after its request, and compares it with what the run before read:
  // the state a run starts from is known without another request, even after a failed run.
  test('random PATCH bodies never give a 500, and a rejected one leaves the user exactly as it was', async () => {
    const user = (await client.post('/Users', oktaCreateBody('property.patch@example.com'))).body as User;
    let current = await snapshot(user.id);
    await fc.assert(
      fc.asyncProperty(patchBodies, async (body) => {
        const response = await client.patch(`/Users/${user.id}`, body);
        expect(response.status === 200 || response.status === 400 || response.status === 409).toBe(true);
        const [before, after] = [current, await snapshot(user.id)];
        current = after;
        if (response.status !== 200) {
          expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
          expect(after).toEqual(before);
        } else {
          expect(after).toEqual(response.body);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('random PUT bodies never give a 500, and a rejected one changes nothing', async () => {
    const user = (await client.post('/Users', oktaCreateBody('property.put@example.com'))).body as User;
    let current = await snapshot(user.id);
    await fc.assert(
      fc.asyncProperty(resourceBodies, async (body) => {
        const response = await client.put(`/Users/${user.id}`, body);
        expect([200, 400, 409]).toContain(response.status);
        const [before, after] = [current, await snapshot(user.id)];
        current = after;
        expect(after).toEqual(response.status === 200 ? response.body : before);
      }),
      { numRuns: 150 },
    );
  });

  test('random POST bodies never give a 500, and a rejected one creates nothing', async () => {
    const tenant = scimClient(service, (await scimTestToken()).token);
    const totalResults = async () => (await tenant.get('/Users?count=0')).body?.totalResults as number;
    let count = await totalResults();
    await fc.assert(
      fc.asyncProperty(resourceBodies, async (body) => {
        const response = await tenant.post('/Users', body);
        expect([201, 400, 409]).toContain(response.status);
        const [before, after] = [count, await totalResults()];
        count = after;
        expect(after).toBe(response.status === 201 ? before + 1 : before);
      }),
      { numRuns: 150 },
    );
  });

  test('random filters and list parameters give 200 or 400, never a 500', async () => {
    const parameter = fc.tuple(
      fc.constantFrom(
        'filter',
        'sortBy',
        'sortOrder',
        'startIndex',
        'count',
        'attributes',
        'excludedAttributes',
        'cursor',
      ),
      fc.oneof(
        fc.string(),
        names.map((name) => `${name} eq "x"`),
        fc
          .tuple(names, fc.constantFrom('pr', 'eq 1', 'gt true', 'co null', '[type eq "x"]'))
          .map(([a, b]) => `${a} ${b}`),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(parameter, { maxLength: 3 }), async (parameters) => {
        const query = parameters.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
        const response = await client.get(`/Users?${query}`);
        expect([200, 400]).toContain(response.status);
        if (response.status === 400) expect(response.body).toMatchObject({ status: '400' });
      }),
      { numRuns: 200 },
    );
  });
});
