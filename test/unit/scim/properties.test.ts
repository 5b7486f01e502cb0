import fc from 'fast-check';
import { ScimError } from '../../../core/scim/errors';
import { compileFilter, matchesFilter } from '../../../core/scim/filter';
import { listQueryFromParameters } from '../../../core/scim/list-query';
import { PATCH_OP_SCHEMA } from '../../../core/scim/messages';
import { applyPatch } from '../../../core/scim/patch';
import { userAttributesFromResource } from '../../../core/scim/user-attributes';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { oktaCreateBody, recordOf, representationOf } from '../../support/scim-fixtures';

/** Runs `run`; anything thrown must be a ScimError with a 4xx status. */
function onlyClientErrors<T>(run: () => T): T | ScimError {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ScimError) || error.status < 400 || error.status >= 500) throw error;
    return error;
  }
}

const attributeNames = fc.constantFrom(
  'userName',
  'USERNAME',
  'id',
  'externalId',
  'active',
  'title',
  'name',
  'name.givenName',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'meta.created',
  'meta.lastModified',
  'groups',
  'password',
  'nosuch',
  `${ENTERPRISE_USER_SCHEMA}:department`,
  `${ENTERPRISE_USER_SCHEMA}:manager.value`,
  `${ACCESS_USER_SCHEMA}:role`,
  `${CORE_USER_SCHEMA}:userName`,
  'urn:x:y',
  '',
);
const operators = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'pr', 'xx');
const literals = fc.oneof(
  fc.string().map((text) => JSON.stringify(text)),
  fc.constantFrom('true', 'false', 'null', 'True', '12', '-1.5e3', '"2024-05-01T10:00:00Z"', 'bare', '"'),
);

const filterText: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(attributeNames, operators, literals)
      .map(([name, op, value]) => (op.toLowerCase() === 'pr' ? `${name} pr` : `${name} ${op} ${value}`)),
    fc
      .tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'xor'), tie('filter'))
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('filter').map((inner) => `not (${inner})`),
    tie('filter').map((inner) => `(${inner})`),
    fc
      .tuple(fc.constantFrom('emails', 'name', 'title', 'phoneNumbers'), tie('filter'))
      .map(([name, inner]) => `${name}[${inner}]`),
  ),
})).filter;

const patchPaths = fc.oneof(
  attributeNames,
  fc.constantFrom(
    'emails[type eq "work"].value',
    'emails[type eq "home"]',
    'emails[value co "@"].primary',
    'phoneNumbers[type eq "mobile"].value',
    ENTERPRISE_USER_SCHEMA,
    ACCESS_USER_SCHEMA,
    'emails[type eq "work"',
    'emails[nosuch eq 1].value',
  ),
  fc.string(),
);
const patchValues = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('False', 'true', null, { active: false }, { 'name.givenName': 'X' }, [
    { value: 'a@b.c', primary: true },
  ]),
);
const operation = fc.record(
  {
    op: fc.constantFrom('add', 'replace', 'remove', 'Replace', 'ADD', 'copy', 3),
    path: patchPaths,
    value: patchValues,
  },
  { requiredKeys: ['op'] },
);

const user = recordOf({
  ...oktaCreateBody(),
  emails: [
    { value: 'jane.doe@example.com', type: 'work', primary: true },
    { value: 'jane@home.example', type: 'home' },
  ],
});
const janeResource = representationOf();

describe('properties', () => {
  test('random and grammar-shaped filters either compile and evaluate, or are 400 invalidFilter', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          filterText,
          fc.string(),
          fc.string({ unit: fc.constantFrom('(', ')', '[', ']', '"', ' ', '+', 'a', 'eq', 'not') }),
        ),
        (text) => {
          const compiled = onlyClientErrors(() => compileFilter(text, { plusIsSpace: true }));
          if (compiled instanceof ScimError) {
            expect(compiled.scimType).toBe('invalidFilter');
            return;
          }
          expect(typeof matchesFilter(compiled, janeResource)).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('random list parameters never throw anything but a 400', () => {
    const parameter = fc.dictionary(
      fc.constantFrom(
        'filter',
        'startIndex',
        'count',
        'sortBy',
        'sortOrder',
        'attributes',
        'excludedAttributes',
        'cursor',
      ),
      fc.oneof(fc.string(), filterText, fc.integer().map(String)),
    );
    fc.assert(
      fc.property(parameter, (parameters) => {
        const result = onlyClientErrors(() => listQueryFromParameters(parameters));
        if (result instanceof ScimError) expect(result.status).toBe(400);
      }),
      { numRuns: 1000 },
    );
  });

  test('random PATCH operations either produce normalised attributes or a 400, and never touch the input', () => {
    const before = structuredClone(user.attributes);
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 5 }), (operations) => {
        const result = onlyClientErrors(() => applyPatch(user, { schemas: [PATCH_OP_SCHEMA], Operations: operations }));
        if (result instanceof ScimError) {
          expect(result.status).toBe(400);
        } else {
          // A patched user is a fixed point of normalisation: exactly what a PUT of it would store.
          expect(userAttributesFromResource({ ...result, schemas: [CORE_USER_SCHEMA] })).toEqual(result);
          expect(typeof result.userName).toBe('string');
        }
        expect(user.attributes).toEqual(before);
      }),
      { numRuns: 2000 },
    );
  });

  test('random create bodies either normalise or are a 400; password never survives', () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc
        .record({
          schemas: fc.constantFrom([CORE_USER_SCHEMA], [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA], ['x'], 'x'),
          userName: fc.oneof(fc.string(), fc.jsonValue()),
          password: fc.string(),
          extra: fc.dictionary(
            fc.constantFrom('name', 'emails', 'active', 'title', 'groups', ENTERPRISE_USER_SCHEMA, 'x'),
            fc.jsonValue(),
          ),
        })
        .map(({ extra, ...rest }) => ({ ...extra, ...rest })),
    );
    fc.assert(
      fc.property(body, (candidate) => {
        const result = onlyClientErrors(() => userAttributesFromResource(candidate));
        if (result instanceof ScimError) {
          expect(result.status).toBe(400);
          return;
        }
        expect(result).not.toHaveProperty('password');
        expect(userAttributesFromResource({ ...result, schemas: [CORE_USER_SCHEMA] })).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });
});
