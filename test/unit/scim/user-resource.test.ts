import { isUserId, newUserId } from '../../../core/scim/ids';
import { userAttributesFromResource, userNameKey } from '../../../core/scim/user-attributes';
import { etagOf } from '../../../core/scim/user-record';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { BASE_URL, oktaCreateBody, representationOf, scimErrorOf } from '../../support/scim-fixtures';

describe('create and replace bodies (RFC 7644 §3.3, §3.5.1)', () => {
  test('Okta’s create body: password, groups, id and meta are dropped; the rest is kept as sent', () => {
    const attributes = userAttributesFromResource({ ...oktaCreateBody(), id: 'x', meta: { version: 'v1' } });
    expect(attributes).toEqual({
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
      displayName: 'Jane Doe',
      locale: 'en_US',
      externalId: '00uv931EiyRsnwOGa0g3',
      active: true,
      [ENTERPRISE_USER_SCHEMA]: { department: 'Research', manager: { value: 'boss-id' } },
    });
  });

  test('unknown attributes, unknown extensions and the access extension are ignored, never an error', () => {
    const attributes = userAttributesFromResource({
      schemas: [CORE_USER_SCHEMA, 'urn:okta:custom:1.0'],
      userName: 'a@b.c',
      favouriteColour: 'green',
      'urn:okta:custom:1.0': { x: 1 },
      [ACCESS_USER_SCHEMA]: { role: 'admin', allBrands: false },
      name: { givenName: 'A', nickname: 'unknown sub-attribute' },
    });
    expect(attributes).toEqual({ userName: 'a@b.c', name: { givenName: 'A' } });
  });

  test('names are case-insensitive; canonical spelling is stored', () => {
    expect(
      userAttributesFromResource({
        SCHEMAS: [CORE_USER_SCHEMA.toUpperCase()],
        USERNAME: 'a@b.c',
        DisplayName: 'A',
        [ENTERPRISE_USER_SCHEMA.toUpperCase()]: { EmployeeNumber: '7' },
      }),
    ).toEqual({ userName: 'a@b.c', displayName: 'A', [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '7' } });
  });

  test('multi-valued attributes are always arrays; null, [] and {} mean unassigned', () => {
    expect(
      userAttributesFromResource({
        schemas: [CORE_USER_SCHEMA],
        userName: 'a@b.c',
        emails: { value: 'a@b.c' },
        phoneNumbers: [],
        name: {},
        title: null,
        addresses: [null, { locality: 'Paris' }],
      }),
    ).toEqual({ userName: 'a@b.c', emails: [{ value: 'a@b.c' }], addresses: [{ locality: 'Paris' }] });
  });

  test('booleans may be strings in any case; numbers for strings become strings', () => {
    expect(
      userAttributesFromResource({
        schemas: [CORE_USER_SCHEMA],
        userName: 'a@b.c',
        active: 'False',
        emails: [{ value: 'a@b.c', primary: 'TRUE' }],
        [ENTERPRISE_USER_SCHEMA]: { employeeNumber: 42 },
      }),
    ).toEqual({
      userName: 'a@b.c',
      active: false,
      emails: [{ value: 'a@b.c', primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '42' },
    });
  });

  test.each([
    [{ userName: 'a' }, 'invalidSyntax'],
    [{ schemas: 'urn:ietf:params:scim:schemas:core:2.0:User', userName: 'a' }, 'invalidSyntax'],
    [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'a' }, 'invalidSyntax'],
    [[], 'invalidSyntax'],
    ['text', 'invalidSyntax'],
    [null, 'invalidSyntax'],
    [{ schemas: [CORE_USER_SCHEMA] }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: '' }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: '   ' }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: true }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: 'a', active: 'yes' }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: 'a', name: 'A B' }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: 'a', displayName: true }, 'invalidValue'],
    [{ schemas: [CORE_USER_SCHEMA], userName: 'a', [ENTERPRISE_USER_SCHEMA]: 'x' }, 'invalidValue'],
    [
      {
        schemas: [CORE_USER_SCHEMA],
        userName: 'a',
        emails: [
          { value: 'a', primary: true },
          { value: 'b', primary: true },
        ],
      },
      'invalidValue',
    ],
    [{ schemas: [CORE_USER_SCHEMA], userName: 'x'.repeat(300) }, 'invalidValue'],
    [
      {
        schemas: [CORE_USER_SCHEMA],
        userName: 'a',
        emails: Array.from({ length: 21 }, (_, index) => ({ value: `${index}@x` })),
      },
      'invalidValue',
    ],
  ])('%j → 400 %s', (body, scimType) => {
    expect(scimErrorOf(() => userAttributesFromResource(body))).toMatchObject({ status: 400, scimType });
  });

  test('the userName key is NFC and lower case', () => {
    expect(userNameKey('Ren\u0065\u0301@Example.COM')).toBe('ren\u00e9@example.com');
    expect(userNameKey('İstanbul')).toBe('i̇stanbul');
  });
});

describe('the User representation (RFC 7643 §4.1, §3.1)', () => {
  test('schemas, id, attributes, access extension and meta with an absolute location and the ETag', () => {
    const representation = representationOf();
    expect(representation).toEqual({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, ACCESS_USER_SCHEMA],
      id: '01jd0000000000000000000000',
      externalId: '00uv931EiyRsnwOGa0g3',
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane', familyName: 'Doe' },
      displayName: 'Jane Doe',
      locale: 'en_US',
      active: true,
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Research', manager: { value: 'boss-id' } },
      [ACCESS_USER_SCHEMA]: { role: 'collaborator', allBrands: true },
      meta: {
        resourceType: 'User',
        created: '2024-05-01T10:00:00.000Z',
        lastModified: '2024-05-02T10:00:00.000Z',
        location: `${BASE_URL}/Users/01jd0000000000000000000000`,
        version: 'W/"3"',
      },
    });
  });

  test('brands appear when the admins restricted them', () => {
    const representation = representationOf(oktaCreateBody(), {
      access: { role: 'editor', allBrands: false, brands: ['63eff7760568a'] },
    });
    expect(representation[ACCESS_USER_SCHEMA]).toEqual({ role: 'editor', allBrands: false, brands: ['63eff7760568a'] });
  });

  test('the ETag is weak and follows the version', () => {
    expect(etagOf({ version: 12 })).toBe('W/"12"');
  });
});

describe('user ids', () => {
  test('are 26 URL-safe characters, unique, and sort in creation order', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => newUserId(1_700_000_000_000 + Math.floor(index / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) {
      expect(isUserId(id)).toBe(true);
      expect(encodeURIComponent(id)).toBe(id);
    }
  });

  test('ids from an earlier clock still sort after the last one issued here', () => {
    const later = newUserId(1_800_000_000_000);
    expect(newUserId(1_700_000_000_000) > later).toBe(true);
  });

  test.each(['', 'abc', '../etc/passwd', '01JD0000000000000000000000', '01jd000000000000000000000u', 'u'.repeat(26)])(
    '%j is not an id',
    (value) => {
      expect(isUserId(value)).toBe(false);
    },
  );
});
