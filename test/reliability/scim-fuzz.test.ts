import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import {
  MAX_EMAILS_PER_USER,
  MAX_FILTER_LENGTH,
  MAX_KEY_VALUE_BYTES,
  MAX_PATCH_OPERATIONS,
  MAX_USER_BYTES,
  MAX_VALUES_PER_ATTRIBUTE,
} from '../../core/scim/limits';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';
import { handler as createUser } from '../../functions/scim/users/create';
import { handler as listUsers } from '../../functions/scim/users/list';
import { apiEvent, lambdaContext } from '../support/api-event';
import { invoke } from '../support/invoke';
import { useLocalEnvironment } from '../support/local-service';
import { oktaCreateBody } from '../support/scim-fixtures';
import { tenantPartition, userPartitionProblems } from '../support/storage-consistency';
import { scimTestToken, type TestToken } from '../support/tokens';

// Random requests straight into the SCIM handlers (the API Gateway event the local server builds, without the
// network, so that thousands of cases stay fast): headers, query strings, paths and raw bodies. The HTTP
// property tests and the core property tests cover well-formed PATCH, PUT, POST bodies and filters; here the
// envelope is random too, and "nothing changed" is checked on the stored items themselves.

// Each request goes to the handler of the route the API Gateway emulation matches (an empty id, say, is the
// collection's route; a method the path has no route for gets the gateway's own 405, as in AWS).
const ROUTES: Record<string, (id: string) => string> = {
  'GET /Users': () => '/scim/v2/Users',
  'POST /Users': () => '/scim/v2/Users',
  'POST /Users/.search': () => '/scim/v2/Users/.search',
  'GET /Users/{id}': (id) => `/scim/v2/Users/${encodeURIComponent(id)}`,
  'PUT /Users/{id}': (id) => `/scim/v2/Users/${encodeURIComponent(id)}`,
  'PATCH /Users/{id}': (id) => `/scim/v2/Users/${encodeURIComponent(id)}`,
  // Only random ids are deleted, so that the user under test stays.
  'DELETE /Users/{id}': (id) => `/scim/v2/Users/${encodeURIComponent(id)}`,
  'HEAD /Users': () => '/scim/v2/Users',
  'OPTIONS /Users/{id}': (id) => `/scim/v2/Users/${encodeURIComponent(id)}`,
};

let token: TestToken;
let userId: string;

beforeAll(async () => {
  useLocalEnvironment();
  token = await scimTestToken();
  const created = await createUser(
    apiEvent('POST', '/scim/v2/Users', {
      headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify(oktaCreateBody('fuzz.target@example.com')),
    }),
    lambdaContext(),
  );
  userId = (JSON.parse(created.body) as { id: string }).id;
});

/** The tenant's stored items without the paging bookmarks, which list requests may write (a cache). */
const storedState = async () =>
  JSON.stringify(
    (await tenantPartition(token.tenantId))
      .filter((item) => !String(item.sk).startsWith('COUNT#PAGE#'))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
  );

/** A lone surrogate cannot come out of UTF-8 decoding: the decoder gives U+FFFD instead. */
const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** Strings as they can reach a handler: well-formed UTF-16, with U+FFFD where invalid UTF-8 was. */
const text = (maxLength = 40) =>
  fc
    .tuple(fc.string({ unit: 'binary', maxLength }), fc.boolean())
    .map(([value, replaced]) => wellFormed(replaced ? `${value}\uFFFD` : value));

const HTML = fc.constantFrom(
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, meant literally
  '${jndi:ldap://x}',
  "' OR 1=1 --",
);

const nested = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

const resourceLike = fc
  .record(
    {
      schemas: fc.constantFrom([CORE_USER_SCHEMA], [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA], [], 'nope'),
      userName: fc.oneof(text(), HTML, fc.jsonValue({ maxDepth: 1 })),
      displayName: fc.oneof(text(), HTML),
      name: fc.record({ givenName: fc.oneof(text(), HTML), familyName: fc.jsonValue({ maxDepth: 1 }) }),
      emails: fc.oneof(fc.array(fc.record({ value: fc.oneof(text(), HTML), primary: fc.boolean() })), text()),
      active: fc.oneof(fc.boolean(), fc.constantFrom('True', 'false', 0, null)),
      Operations: fc.array(
        fc.record({ op: fc.constantFrom('add', 'replace', 'remove', 'x'), path: text(), value: fc.jsonValue() }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));

const bodies = fc.oneof(
  fc.constant(undefined),
  text(200),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  resourceLike,
  nested,
  fc
    .integer({ min: 128 * 1024 - 64, max: 128 * 1024 + 64 })
    .map((size) => JSON.stringify({ userName: 'x'.repeat(size) })),
);

const queryKeys = fc.oneof(
  fc.constantFrom(
    'filter',
    'startIndex',
    'count',
    'attributes',
    'excludedAttributes',
    'sortBy',
    'sortOrder',
    'cursor',
    'FILTER',
  ),
  text(12),
);
const queryValues = fc.oneof(
  text(),
  HTML,
  fc.constantFrom('userName eq "fuzz.target@example.com"', 'userName eq', '-1', '0', '1e9', '201', 'emails[', '""'),
  fc.integer().map(String),
);
const queryStrings = fc
  .array(fc.tuple(queryKeys, queryValues), { maxLength: 4 })
  .map((pairs) => pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&'));

const headerSets = fc.record(
  {
    authorization: fc.oneof(
      fc.constant('valid'),
      fc.constant('valid-lowercase-scheme'),
      text().map((value) => `Bearer ${value}`),
      fc.constantFrom('Basic Zm9vOmJhcg==', 'Bearer', '', 'Bearer a.b.c'),
    ),
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/scim+json',
        'application/json; charset=utf-8',
        'application/scim+json; charset=latin1',
        'text/plain',
        'multipart/form-data; boundary=x',
        '',
      ),
      text(),
    ),
    accept: fc.oneof(fc.constantFrom('application/scim+json', '*/*', 'text/html', ''), text()),
    'if-match': fc.oneof(fc.constantFrom('*', 'W/"1"', '"1"', 'W/"999"', ''), text()),
    'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"1"', ''), text()),
    extra: fc.dictionary(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
      text().map((value) => value.replace(/[\r\n]/g, '')),
      {
        maxKeys: 3,
      },
    ),
  },
  { requiredKeys: ['authorization'] },
);

const requests = fc.record({
  route: fc.constantFrom(...Object.keys(ROUTES)),
  id: fc.oneof(
    fc.constant('target'),
    text(30),
    fc.constantFrom('..', '%2F', '01jd0000000000000000000000'),
    // Up to and past the length a sort key may have (1,024 bytes).
    fc.integer({ min: 20, max: 1100 }).map((length) => 'x'.repeat(length)),
  ),
  query: queryStrings,
  headers: headerSets,
  body: bodies,
});

type HeaderSet = typeof headerSets extends fc.Arbitrary<infer H> ? H : never;

function headersOf(headers: HeaderSet): Record<string, string> {
  const { authorization, extra, ...rest } = headers;
  const auth =
    authorization === 'valid'
      ? `Bearer ${token.token}`
      : authorization === 'valid-lowercase-scheme'
        ? `bearer ${token.token}`
        : authorization;
  return { ...(extra ?? {}), ...(rest as Record<string, string>), authorization: auth };
}

/** What every SCIM answer must be, whatever was asked. */
function expectProtocolShape(result: APIGatewayProxyResult): void {
  expect(result.statusCode).toBeLessThan(500);
  if (result.statusCode < 400) return;
  expect(result.headers?.['Content-Type']).toMatch(/^application\/scim\+json/);
  const body = JSON.parse(result.body) as Record<string, unknown>;
  expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: String(result.statusCode) });
  expect(typeof body.detail).toBe('string');
  expect(result.body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  if (result.statusCode === 401) expect(result.headers?.['WWW-Authenticate']).toMatch(/^Bearer/);
}

const isWrite = (route: string) => /^(POST|PUT|PATCH|DELETE) /.test(route) && route !== 'POST /Users/.search';

test('random SCIM requests: never a 500, always a SCIM Error, and a rejected request changes nothing stored', async () => {
  let before = await storedState();
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const [method = 'GET'] = request.route.split(' ');
      const path = ROUTES[request.route] as (id: string) => string;
      const id = request.id === 'target' && method !== 'DELETE' ? userId : request.id;
      const result = await invoke({
        method,
        url: `${path(id)}${request.query ? `?${request.query}` : ''}`,
        headers: headersOf(request.headers),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      expectProtocolShape(result);
      if (!isWrite(request.route)) return;
      const after = await storedState();
      if (result.statusCode >= 400) expect(after).toBe(before);
      before = after;
    }),
    { numRuns: 2500 },
  );
  expect(userPartitionProblems(await tenantPartition(token.tenantId))).toEqual([]);
}, 240_000);

test('userNames differing only by Unicode normalisation form or letter case are one user', async () => {
  const names = ['José.Núñez@example.com', 'Zoë.Ångström@example.com', 'Łukasz.Dvořák@example.com', '한국@example.com'];
  const create = (userName: string) =>
    createUser(
      apiEvent('POST', '/scim/v2/Users', {
        headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/scim+json' },
        body: JSON.stringify(oktaCreateBody(userName)),
      }),
      lambdaContext(),
    );
  for (const name of names) {
    const nfc = name.normalize('NFC');
    const nfd = name.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect((await create(nfc)).statusCode).toBe(201);
    for (const variant of [nfd, nfc.toUpperCase(), nfd.toUpperCase(), nfd.toLowerCase()]) {
      const answer = await create(variant);
      expect(answer.statusCode).toBe(409);
      expect(JSON.parse(answer.body)).toMatchObject({ scimType: 'uniqueness' });
    }
    const found = await listUsers(
      apiEvent('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${nfd.toUpperCase()}"`)}`, {
        headers: { Authorization: `Bearer ${token.token}` },
      }),
      lambdaContext(),
    );
    expect(JSON.parse(found.body)).toMatchObject({ totalResults: 1, Resources: [{ userName: nfc }] });
  }
  expect(userPartitionProblems(await tenantPartition(token.tenantId))).toEqual([]);
});

// Sizes up to and past every limit: key values (userName, externalId, email) around the key limit in bytes of
// one to four bytes a character, value counts around the per-attribute and email limits, users around the
// size limit, PATCH requests around the operation limit. A write within the limits is stored and found by
// its key; past them it is refused with 400 invalidValue and changes nothing; a lookup of the same value is
// always an answer (no user when the value could not be stored).

const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');
const CHARACTERS = ['a', 'é', '€', '😀'];
const MULTI_VALUED = ['phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'];

/** A value of about `bytes` UTF-8 bytes, made of one repeated (lower-case, so case folding keeps it) character. */
const sizedValue = fc
  .tuple(fc.integer({ min: MAX_KEY_VALUE_BYTES - 8, max: 1100 }), fc.constantFrom(...CHARACTERS))
  .map(([bytes, character]) => character.repeat(Math.max(1, Math.round(bytes / utf8Bytes(character)))));

type LimitCase =
  | { kind: 'userName' | 'externalId' | 'email'; value: string }
  | { kind: 'values'; attribute: string; count: number }
  | { kind: 'emails'; count: number }
  | { kind: 'size'; bytes: number }
  | { kind: 'operations'; count: number };

const limitCases: fc.Arbitrary<LimitCase> = fc.oneof(
  fc.record({ kind: fc.constantFrom('userName' as const, 'externalId' as const, 'email' as const), value: sizedValue }),
  fc.record({
    kind: fc.constant('values' as const),
    attribute: fc.constantFrom(...MULTI_VALUED),
    count: fc.integer({ min: MAX_VALUES_PER_ATTRIBUTE - 2, max: MAX_VALUES_PER_ATTRIBUTE + 2 }),
  }),
  fc.record({
    kind: fc.constant('emails' as const),
    count: fc.integer({ min: MAX_EMAILS_PER_USER - 2, max: MAX_EMAILS_PER_USER + 2 }),
  }),
  fc.record({
    kind: fc.constant('size' as const),
    bytes: fc.integer({ min: MAX_USER_BYTES - 64, max: MAX_USER_BYTES + 64 }),
  }),
  fc.record({
    kind: fc.constant('operations' as const),
    count: fc.integer({ min: MAX_PATCH_OPERATIONS - 2, max: MAX_PATCH_OPERATIONS + 2 }),
  }),
);

let limitSerial = 0;

/** The create body of a case, whether it is past its limit, and the filter that must find it when stored. */
function limitBody(limitCase: LimitCase): { body: Record<string, unknown>; over: boolean; filter?: string } {
  limitSerial += 1;
  const userName = `limit.${limitSerial}.${Date.now()}@example.com`;
  const base = { schemas: [CORE_USER_SCHEMA], userName };
  switch (limitCase.kind) {
    case 'userName':
    case 'externalId':
    case 'email': {
      // The serial keeps every key distinct; it counts towards the limit like any other character.
      const key = `${limitSerial}.${limitCase.value}`;
      const body =
        limitCase.kind === 'userName'
          ? { ...base, userName: key }
          : limitCase.kind === 'externalId'
            ? { ...base, externalId: key }
            : { ...base, emails: [{ value: key }] };
      const attribute = { userName: 'userName', externalId: 'externalId', email: 'emails.value' }[limitCase.kind];
      return { body, over: utf8Bytes(key) > MAX_KEY_VALUE_BYTES, filter: `${attribute} eq ${JSON.stringify(key)}` };
    }
    case 'values':
      return {
        body: {
          ...base,
          [limitCase.attribute]: Array.from({ length: limitCase.count }, (_, index) =>
            limitCase.attribute === 'addresses' ? { streetAddress: `${index} Main St` } : { value: `v${index}` },
          ),
        },
        over: limitCase.count > MAX_VALUES_PER_ATTRIBUTE,
      };
    case 'emails':
      return {
        body: {
          ...base,
          emails: Array.from({ length: limitCase.count }, (_, index) => ({ value: `${index}.${userName}` })),
        },
        over: limitCase.count > MAX_EMAILS_PER_USER,
      };
    case 'size': {
      // Stored as {"userName":…,"displayName":…,"active":true}: the display name fills the rest exactly.
      const overhead = JSON.stringify({ userName, displayName: '', active: true }).length;
      return {
        body: { ...base, displayName: 'd'.repeat(limitCase.bytes - overhead) },
        over: limitCase.bytes > MAX_USER_BYTES,
      };
    }
    case 'operations':
      return { body: base, over: limitCase.count > MAX_PATCH_OPERATIONS };
  }
}

test('sizes up to and past every limit: stored and found within, 400 invalidValue past, never a 500', async () => {
  const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/scim+json' };
  await fc.assert(
    fc.asyncProperty(limitCases, async (limitCase) => {
      const { body, over, filter } = limitBody(limitCase);
      const before = await storedState();
      if (limitCase.kind === 'operations') {
        const operations = Array.from({ length: limitCase.count }, (_, index) => ({
          op: 'replace',
          path: 'nickName',
          value: `n${index}`,
        }));
        const patched = await invoke({
          method: 'PATCH',
          url: `/scim/v2/Users/${userId}`,
          headers,
          body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }),
        });
        expectProtocolShape(patched);
        expect(patched.statusCode).toBe(over ? 400 : 200);
        if (over) expect(await storedState()).toBe(before);
        return;
      }
      const created = await invoke({ method: 'POST', url: '/scim/v2/Users', headers, body: JSON.stringify(body) });
      expectProtocolShape(created);
      if (over) {
        expect(created.statusCode).toBe(400);
        expect(JSON.parse(created.body)).toMatchObject({ scimType: 'invalidValue' });
        expect(await storedState()).toBe(before);
      } else {
        expect(created.statusCode).toBe(201);
      }
      if (filter === undefined) return;
      const found = await invoke({
        method: 'GET',
        url: `/scim/v2/Users?filter=${encodeURIComponent(filter)}`,
        headers: { authorization: headers.authorization },
      });
      expectProtocolShape(found);
      if (filter.length > MAX_FILTER_LENGTH) {
        expect(JSON.parse(found.body)).toMatchObject({ scimType: 'invalidFilter' });
        return;
      }
      expect(found.statusCode).toBe(200);
      expect(JSON.parse(found.body)).toMatchObject({ totalResults: over ? 0 : 1 });
    }),
    { numRuns: 150 },
  );
  expect(userPartitionProblems(await tenantPartition(token.tenantId))).toEqual([]);
}, 240_000);
