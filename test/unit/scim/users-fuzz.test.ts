import fc from 'fast-check';
import { MemoryUserStore } from '../../../adapters/memory/user-store';
import { ScimError } from '../../../core/scim/errors';
import {
  MAX_EMAILS_PER_USER,
  MAX_FILTER_LENGTH,
  MAX_KEY_VALUE_BYTES,
  MAX_PAGE_SIZE,
  MAX_PATCH_OPERATIONS,
  MAX_USER_BYTES,
  MAX_VALUES_PER_ATTRIBUTE,
} from '../../../core/scim/limits';
import { listQueryFromParameters, listQueryFromSearchRequest } from '../../../core/scim/list-query';
import { LIST_RESPONSE_SCHEMA, PATCH_OP_SCHEMA } from '../../../core/scim/messages';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { createUser, getUser, listUsers, patchUser, replaceUser, type UsersContext } from '../../../core/scim/users';
import { oktaCreateBody } from '../../support/scim-fixtures';

// Random SCIM bodies and queries straight into the Users core on the in-memory store, which enforces DynamoDB's
// key and item size limits as the DynamoDB adapter does (test/contract holds them to one behaviour). Without the
// network or a database, thousands of cases take seconds, so this is where most of the SCIM fuzzing lives; the
// handler-level fuzzer in test/reliability covers the HTTP envelope. Sizes run up to and past every documented
// limit (core/scim/limits.ts), so a bound missing before the store shows up as an error that is not a SCIM 4xx.

const TENANT = 'tenant-fuzz';
const BASE_URL = 'https://scim.example.test/scim/v2';

/** What a client may be answered: every other outcome (a TypeError, a storage error leaking out) is a 500. */
const CLIENT_ERROR_STATUSES = new Set([400, 404, 409, 412, 413]);

const expectClientError = (error: unknown) => {
  if (!(error instanceof ScimError) || !CLIENT_ERROR_STATUSES.has(error.status)) throw error;
};

/** Characters of 1 to 4 UTF-8 bytes, so that byte limits and character counts part ways. */
const WIDE_CHARACTERS = ['a', 'é', '€', '😀'] as const;

/** A string of a length drawn around a limit: just under, at, just over, and far over. */
const sizedAround = (limit: number) =>
  fc
    .tuple(
      fc.constantFrom(0, 1, limit - 1, limit, limit + 1, limit * 4),
      fc.constantFrom(...WIDE_CHARACTERS),
      fc.integer({ min: 0, max: 1 }),
    )
    .map(([length, character, pad]) => character.repeat(Math.max(0, length)) + 'x'.repeat(pad));

const shortText = fc.string({ maxLength: 24 });

const scalar = fc.oneof(
  shortText,
  sizedAround(MAX_KEY_VALUE_BYTES),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('__proto__', 'constructor', 'toString', '<script>alert(1)</script>', 'True', ''),
);

const anything = fc.oneof(scalar, fc.jsonValue({ maxDepth: 3 }), fc.array(scalar, { maxLength: 4 }));

/** A list of `count` values, the count drawn around a limit. */
const listAround = <T>(limit: number, value: fc.Arbitrary<T>) =>
  fc
    .tuple(fc.constantFrom(0, 1, 2, limit, limit + 1), value)
    .map(([count, element]) => Array.from({ length: count }, () => element));

const email = fc.record(
  {
    value: fc.oneof(
      fc.emailAddress(),
      sizedAround(MAX_KEY_VALUE_BYTES).map((local) => `${local}@example.com`),
      anything,
    ),
    type: fc.oneof(fc.constantFrom('work', 'home', 'other'), anything),
    primary: fc.oneof(fc.boolean(), anything),
  },
  { requiredKeys: [] },
);

const userBody = fc.record(
  {
    schemas: fc.oneof(
      fc.constantFrom([CORE_USER_SCHEMA], [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA], [], ['urn:x']),
      anything,
    ),
    userName: fc.oneof(fc.emailAddress(), sizedAround(MAX_KEY_VALUE_BYTES), anything),
    externalId: fc.oneof(fc.uuid(), sizedAround(MAX_KEY_VALUE_BYTES), anything),
    displayName: fc.oneof(shortText, sizedAround(MAX_USER_BYTES), anything),
    name: fc.oneof(
      fc.record({ givenName: fc.oneof(shortText, anything), familyName: fc.oneof(shortText, anything) }),
      anything,
    ),
    emails: fc.oneof(listAround(MAX_EMAILS_PER_USER, email), listAround(MAX_VALUES_PER_ATTRIBUTE, email), anything),
    phoneNumbers: fc.oneof(listAround(MAX_VALUES_PER_ATTRIBUTE, fc.record({ value: shortText })), anything),
    active: fc.oneof(fc.boolean(), anything),
    title: fc.oneof(shortText, sizedAround(MAX_USER_BYTES)),
    [ENTERPRISE_USER_SCHEMA]: fc.oneof(
      fc.record({ employeeNumber: fc.oneof(shortText, anything), department: fc.oneof(shortText, anything) }),
      anything,
    ),
    id: anything,
    meta: anything,
  },
  { requiredKeys: [] },
);

/** Bodies an IdP really sends, so that every property also sees writes that succeed, whatever the draw. */
const oktaUserBody = fc.emailAddress().map((email) => oktaCreateBody(email));
const fuzzedOrOktaUser = fc.oneof(userBody, oktaUserBody);

const PATHS = [
  'active',
  'userName',
  'name.givenName',
  'emails',
  'emails[type eq "work"].value',
  'emails[primary eq true]',
  'title',
  `${ENTERPRISE_USER_SCHEMA}:department`,
  'groups',
  'id',
  'meta.created',
  'members[value eq "x"]',
  'emails[',
  '',
];

const operation = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'copy'), anything),
    path: fc.oneof(fc.constantFrom(...PATHS), sizedAround(MAX_FILTER_LENGTH), shortText),
    value: fc.oneof(userBody, anything, fc.constant({ active: false })),
  },
  { requiredKeys: [] },
);

const deactivation = fc.boolean().map((active) => ({
  schemas: [PATCH_OP_SCHEMA],
  Operations: [{ op: 'replace', value: { active } }],
}));

const patchBody = fc.oneof(
  deactivation,
  fc.record(
    {
      schemas: fc.oneof(fc.constant([PATCH_OP_SCHEMA]), anything),
      Operations: fc.oneof(
        fc.array(operation, { maxLength: 6 }),
        listAround(MAX_PATCH_OPERATIONS, operation),
        anything,
      ),
    },
    { requiredKeys: [] },
  ),
  anything,
);

/** The store's whole state, to compare before and after a rejected request. */
const snapshot = async (store: MemoryUserStore) =>
  JSON.stringify((await store.readAll(TENANT)).sort((a, b) => a.id.localeCompare(b.id)));

async function storeWithOneUser() {
  const store = new MemoryUserStore();
  const context: UsersContext = { store, tenantId: TENANT };
  const user = await createUser(context, oktaCreateBody('fuzz.target@example.com'));
  return { store, context, user };
}

/** Outcomes seen by one property, so that a generator that only ever reaches one of them fails the test. */
type Tally = Record<'written' | 'refused', number>;

/**
 * Runs a write; when it is written, every stored user is within the documented size; when it is refused, the
 * refusal is a SCIM client error and nothing stored changed.
 */
async function writeOrRefuse(store: MemoryUserStore, tally: Tally, write: () => Promise<unknown>): Promise<void> {
  const before = await snapshot(store);
  try {
    await write();
    tally.written += 1;
    for (const user of await store.readAll(TENANT)) {
      expect(JSON.stringify(user.attributes).length).toBeLessThanOrEqual(MAX_USER_BYTES);
    }
  } catch (error) {
    expectClientError(error);
    expect(await snapshot(store)).toBe(before);
    tally.refused += 1;
  }
}

const newTally = (): Tally => ({ written: 0, refused: 0 });

test('random POST bodies create a whole user or are refused with a SCIM 4xx, changing nothing', async () => {
  const tally = newTally();
  await fc.assert(
    // A fresh store each case, so that the check of the whole store after each write stays O(1).
    fc.asyncProperty(fuzzedOrOktaUser, async (body) => {
      const { store, context } = await storeWithOneUser();
      await writeOrRefuse(store, tally, () => createUser(context, body));
    }),
    { numRuns: 2000 },
  );
  expect(tally.written).toBeGreaterThan(0);
  expect(tally.refused).toBeGreaterThan(0);
});

test('random PUT bodies replace the user or are refused with a SCIM 4xx, changing nothing', async () => {
  const { store, context, user } = await storeWithOneUser();
  const tally = newTally();
  await fc.assert(
    fc.asyncProperty(fuzzedOrOktaUser, fc.constantFrom(undefined, '*', 'W/"1"', '"nope"'), async (body, ifMatch) => {
      await writeOrRefuse(store, tally, () => replaceUser(context, user.id, body, ifMatch));
      await getUser(context, user.id);
    }),
    { numRuns: 1500 },
  );
  expect(tally.written).toBeGreaterThan(0);
  expect(tally.refused).toBeGreaterThan(0);
});

test('random PATCH bodies apply or are refused with a SCIM 4xx, changing nothing', async () => {
  const { store, context, user } = await storeWithOneUser();
  const tally = newTally();
  await fc.assert(
    fc.asyncProperty(patchBody, async (body) => {
      await writeOrRefuse(store, tally, () => patchUser(context, user.id, body, undefined));
      await getUser(context, user.id);
    }),
    { numRuns: 2000 },
  );
  expect(tally.written).toBeGreaterThan(0);
  expect(tally.refused).toBeGreaterThan(0);
});

const queryValue = fc.oneof(
  shortText,
  sizedAround(MAX_FILTER_LENGTH),
  fc.integer().map(String),
  fc.constantFrom(
    'userName eq "fuzz.target@example.com"',
    'emails[type eq "work" and value co "@"]',
    'not (active eq true)',
    '(((((((((((((((((((active eq true)))))))))))))))))))',
    `${'active eq true and '.repeat(100)}active eq true`,
    String(MAX_PAGE_SIZE + 1),
    '-1',
    '1e9',
    'meta.lastModified gt "2020-01-01T00:00:00Z"',
  ),
);

const queryParameters = fc.dictionary(
  fc.constantFrom('filter', 'startIndex', 'count', 'attributes', 'excludedAttributes', 'sortBy', 'sortOrder', 'cursor'),
  queryValue,
  { maxKeys: 5 },
);

test('random list queries and SearchRequests answer a ListResponse or a SCIM 400', async () => {
  const { context } = await storeWithOneUser();
  await fc.assert(
    fc.asyncProperty(queryParameters, fc.boolean(), async (parameters, asSearchRequest) => {
      try {
        const query = asSearchRequest ? listQueryFromSearchRequest(parameters) : listQueryFromParameters(parameters);
        const body = await listUsers(context, query, BASE_URL);
        expect(body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
        expect((body.Resources as unknown[]).length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
      } catch (error) {
        expectClientError(error);
      }
    }),
    { numRuns: 1500 },
  );
});
