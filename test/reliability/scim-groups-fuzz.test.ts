import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { groupPartitionProblems } from '../support/group-consistency';
import { invoke } from '../support/invoke';
import { useLocalEnvironment } from '../support/local-service';
import { oktaCreateBody } from '../support/scim-fixtures';
import { tenantPartition } from '../support/storage-consistency';
import { scimTestToken, type TestToken } from '../support/tokens';

// Random group bodies and PATCH operations, in every shape the IdPs send and many they do not, straight into
// the Group handlers: never a 500, never a stack trace, and a rejected request leaves the stored items exactly
// as they were. Accepted ones must leave every membership whole and every member count exact.

let token: TestToken;
let users: string[];
let groupId: string;

const headers = () => ({ authorization: `Bearer ${token.token}`, 'content-type': 'application/scim+json' });

beforeAll(async () => {
  useLocalEnvironment();
  token = await scimTestToken();
  users = [];
  for (const name of ['ann', 'ben', 'cat']) {
    const created = await invoke({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: headers(),
      body: JSON.stringify(oktaCreateBody(`${name}@example.com`)),
    });
    users.push((JSON.parse(created.body) as { id: string }).id);
  }
  const group = await invoke({
    method: 'POST',
    url: '/scim/v2/Groups',
    headers: headers(),
    body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: 'Fuzzed', members: [{ value: users[0] }] }),
  });
  expect(group.statusCode).toBe(201);
  groupId = (JSON.parse(group.body) as { id: string }).id;
});

const storedState = async () =>
  JSON.stringify(
    (await tenantPartition(token.tenantId))
      .filter((item) => !String(item.sk).startsWith('COUNT#PAGE#'))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
  );

const text = (maxLength = 30) => fc.string({ maxLength });
const userRef = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map((index) => users[index] as string),
  fc.constantFrom('01jd0000000000000000000000', 'not-an-id', '', 'x'.repeat(300)),
  text(),
);
const memberValue = fc.oneof(
  fc.record(
    {
      value: fc.oneof(userRef, fc.jsonValue({ maxDepth: 1 })),
      display: fc.oneof(text(), fc.constant(null), fc.integer()),
      $ref: fc.constantFrom(null, 'https://x/Users/1'),
      type: fc.constantFrom('User', 'Group', 'user', 7),
    },
    { requiredKeys: [] },
  ),
  userRef,
  fc.jsonValue({ maxDepth: 1 }),
);
const memberValues = fc.oneof(fc.array(memberValue, { maxLength: 5 }), memberValue, fc.constant(null));
const paths = fc.oneof(
  fc.constantFrom(
    'members',
    'Members',
    'displayName',
    'externalId',
    'id',
    'meta.created',
    'members.value',
    'members[value eq "x"].display',
    'members[display eq "x"]',
    'members[value eq',
    'urn:okta:custom:group:1.0:description',
    'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
    'title',
  ),
  userRef.map((id) => `members[value eq ${JSON.stringify(id)}]`),
  text(),
);
const operation = fc.record(
  {
    op: fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'ADD', 'move', 1),
    path: fc.oneof(paths, fc.constant(null), fc.integer()),
    value: fc.oneof(
      memberValues,
      text(),
      fc.record(
        { id: text(), displayName: fc.oneof(text(), fc.constant(null)), members: memberValues },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: ['op'] },
);
const patchBodies = fc.oneof(
  fc
    .record(
      {
        schemas: fc.constantFrom(['urn:ietf:params:scim:api:messages:2.0:PatchOp'], [], 'x'),
        Operations: fc.oneof(fc.array(operation, { maxLength: 6 }), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: ['schemas'] },
    )
    .map((body) => JSON.stringify(body)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  text(100),
);
const groupBodies = fc
  .record(
    {
      schemas: fc.constantFrom(
        [GROUP_SCHEMA],
        [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        [],
        'x',
      ),
      displayName: fc.oneof(fc.constant('Fuzzed'), fc.constant('FUZZED'), text(), fc.jsonValue({ maxDepth: 1 })),
      externalId: fc.oneof(text(), fc.constant(null), fc.integer()),
      members: memberValues,
      id: text(),
      meta: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));

function expectProtocolShape(result: APIGatewayProxyResult): void {
  expect(result.statusCode).toBeLessThan(500);
  if (result.statusCode < 400) return;
  const body = JSON.parse(result.body) as Record<string, unknown>;
  expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: String(result.statusCode) });
  expect(result.body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
}

describe('group requests from a fuzzer', () => {
  test('PATCH, PUT and POST: never a 500; rejected requests change nothing; storage stays whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          patchBodies.map((body) => ({ method: 'PATCH', body })),
          groupBodies.map((body) => ({ method: 'PUT', body })),
          groupBodies.map((body) => ({ method: 'POST', body })),
        ),
        async ({ method, body }) => {
          const before = await storedState();
          const url = method === 'POST' ? '/scim/v2/Groups' : `/scim/v2/Groups/${groupId}`;
          const result = await invoke({ method, url, headers: headers(), body });
          expectProtocolShape(result);
          if (result.statusCode >= 400) expect(await storedState()).toBe(before);
          expect(groupPartitionProblems(await tenantPartition(token.tenantId))).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  }, 300_000);

  test('list queries: never a 500', async () => {
    const queryValues = fc.oneof(
      text(),
      fc.constantFrom(
        'displayName eq "Fuzzed"',
        'members eq "x"',
        'members[value eq "x"]',
        'members[display eq "x"]',
        'id eq "x" and members[value eq "y"]',
        'members',
        'meta.created gt "2020-01-01T00:00:00Z"',
        'meta.created gt "nope"',
        'not (displayName pr)',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom('filter', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'count', 'cursor'),
            queryValues,
          ),
          { maxLength: 3 },
        ),
        async (pairs) => {
          const query = pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
          expectProtocolShape(await invoke({ method: 'GET', url: `/scim/v2/Groups?${query}`, headers: headers() }));
        },
      ),
      { numRuns: 100 },
    );
  }, 300_000);
});
