import { PATCH_OP_SCHEMA } from '../../../core/scim/messages';
import { applyPatch } from '../../../core/scim/patch';
import { ACCESS_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { oktaCreateBody, recordOf, scimErrorOf } from '../../support/scim-fixtures';

const user = recordOf({
  ...oktaCreateBody(),
  emails: [
    { value: 'jane.doe@example.com', type: 'work', primary: true },
    { value: 'jane@home.example', type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
});
const patch = (...operations: unknown[]) => applyPatch(user, { schemas: [PATCH_OP_SCHEMA], Operations: operations });
const patchError = (...operations: unknown[]) => scimErrorOf(() => patch(...operations));

describe('PATCH (RFC 7644 §3.5.2)', () => {
  describe('Okta', () => {
    test('deactivates and reactivates with a path-less replace', () => {
      expect(patch({ op: 'replace', value: { active: false } }).active).toBe(false);
      expect(patch({ op: 'replace', value: { active: true } }).active).toBe(true);
    });

    test('updates profile attributes, nested and by path', () => {
      const result = patch(
        { op: 'replace', value: { name: { givenName: 'Janet' }, title: 'CTO' } },
        { op: 'replace', path: 'name.familyName', value: 'Smith' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'janet.smith@example.com' },
      );
      expect(result.name).toEqual({ givenName: 'Janet', familyName: 'Smith' });
      expect(result.title).toBe('CTO');
      expect(result.emails).toEqual([
        { value: 'janet.smith@example.com', type: 'work', primary: true },
        { value: 'jane@home.example', type: 'home' },
      ]);
    });

    test('accepts and discards a password', () => {
      const result = patch(
        { op: 'replace', value: { password: 'n3w' } },
        { op: 'replace', path: 'password', value: 'x' },
      );
      expect(result).toEqual(user.attributes);
      expect(JSON.stringify(result)).not.toContain('n3w');
    });
  });

  describe('Entra', () => {
    test('"Replace" in any case and booleans as strings', () => {
      expect(patch({ op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
      expect(patch({ op: 'REPLACE', path: 'active', value: 'True' }).active).toBe(true);
      expect(patch({ op: 'Add', path: 'emails[type eq "work"].primary', value: 'true' }).emails).toContainEqual({
        value: 'jane.doe@example.com',
        type: 'work',
        primary: true,
      });
    });

    test('full paths as the keys of a path-less value', () => {
      const result = patch({
        op: 'Replace',
        value: {
          'name.givenName': 'Janet',
          'name.familyName': 'Smith',
          [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Sales',
          'emails[type eq "work"].value': 'janet@example.com',
          active: 'False',
        },
      });
      expect(result.name).toEqual({ givenName: 'Janet', familyName: 'Smith' });
      expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales', manager: { value: 'boss-id' } });
      expect((result.emails as { value: string }[])[0]?.value).toBe('janet@example.com');
      expect(result.active).toBe(false);
    });

    test('the enterprise manager as a bare id, and its removal', () => {
      const path = `${ENTERPRISE_USER_SCHEMA}:manager`;
      expect(patch({ op: 'Add', path, value: 'new-boss' })[ENTERPRISE_USER_SCHEMA]).toEqual({
        department: 'Research',
        manager: { value: 'new-boss' },
      });
      expect(patch({ op: 'Remove', path })[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Research' });
    });

    test('add/replace through an unmatched value filter creates the element it describes', () => {
      const result = patch(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0199' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].primary', value: true },
      );
      expect(result.phoneNumbers).toEqual([
        { value: '+1 555 0100', type: 'mobile' },
        { type: 'work', value: '+1 555 0199', primary: true },
      ]);
    });

    test('remove with a value removes only the given values of a multi-valued attribute', () => {
      const result = patch({ op: 'Remove', path: 'emails', value: [{ value: 'JANE@HOME.EXAMPLE' }] });
      expect(result.emails).toEqual([{ value: 'jane.doe@example.com', type: 'work', primary: true }]);
    });
  });

  describe('RFC forms', () => {
    test('add to a multi-valued attribute appends, skips duplicates, and moves primary', () => {
      const result = patch({
        op: 'add',
        path: 'emails',
        value: [
          { value: 'jane@home.example', type: 'home' },
          { value: 'jd@example.org', type: 'other', primary: true },
        ],
      });
      expect(result.emails).toEqual([
        { value: 'jane.doe@example.com', type: 'work', primary: false },
        { value: 'jane@home.example', type: 'home' },
        { value: 'jd@example.org', type: 'other', primary: true },
      ]);
    });

    test('add on a single-valued attribute replaces it; add on a complex one merges', () => {
      expect(patch({ op: 'add', path: 'displayName', value: 'JD' }).displayName).toBe('JD');
      expect(patch({ op: 'add', value: { name: { middleName: 'Q' } } }).name).toEqual({
        givenName: 'Jane',
        familyName: 'Doe',
        middleName: 'Q',
      });
    });

    test('replace of a multi-valued attribute replaces all its values', () => {
      expect(patch({ op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] }).emails).toEqual([
        { value: 'only@example.com' },
      ]);
    });

    test('replace through a filter replaces the matched values and keeps what they were selected by', () => {
      expect(
        patch({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'new@home.example' } }).emails,
      ).toEqual([
        { value: 'jane.doe@example.com', type: 'work', primary: true },
        { type: 'home', value: 'new@home.example' },
      ]);
    });

    test('remove: attribute, sub-attribute, filtered values, filtered sub-attribute, whole extension', () => {
      expect(patch({ op: 'remove', path: 'title' }).title).toBeUndefined();
      expect(patch({ op: 'remove', path: 'displayName' }).displayName).toBeUndefined();
      expect(patch({ op: 'remove', path: 'name.givenName' }).name).toEqual({ familyName: 'Doe' });
      expect(patch({ op: 'remove', path: 'emails[type eq "home"]' }).emails).toEqual([
        { value: 'jane.doe@example.com', type: 'work', primary: true },
      ]);
      expect(patch({ op: 'remove', path: 'emails[type eq "work"].primary' }).emails).toEqual([
        { value: 'jane.doe@example.com', type: 'work' },
        { value: 'jane@home.example', type: 'home' },
      ]);
      expect(patch({ op: 'remove', path: ENTERPRISE_USER_SCHEMA })[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
      expect(patch({ op: 'remove', path: 'phoneNumbers' }).phoneNumbers).toBeUndefined();
    });

    test('replace with null unassigns the attribute', () => {
      expect(patch({ op: 'replace', path: 'displayName', value: null }).displayName).toBeUndefined();
      expect(patch({ op: 'replace', value: { emails: [] } }).emails).toBeUndefined();
    });

    test('attribute names and URNs are case-insensitive; the result uses the schema spelling', () => {
      const result = patch(
        { op: 'replace', path: 'DISPLAYNAME', value: 'JD' },
        { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA.toUpperCase()}:DEPARTMENT`, value: 'Ops' },
        { op: 'replace', value: { NAME: { GIVENNAME: 'J' } } },
      );
      expect(result.displayName).toBe('JD');
      expect(result[ENTERPRISE_USER_SCHEMA]).toMatchObject({ department: 'Ops' });
      expect(result.name).toEqual({ givenName: 'J', familyName: 'Doe' });
    });

    test('operations apply in order', () => {
      const result = patch(
        { op: 'add', path: 'title', value: 'A' },
        { op: 'replace', path: 'title', value: 'B' },
        { op: 'remove', path: 'nickName' },
      );
      expect(result.title).toBe('B');
    });

    test('a path-less value ignores read-only and unknown attributes, like a PUT', () => {
      const result = patch({
        op: 'replace',
        value: { id: 'other', meta: { version: 'x' }, groups: [{ value: 'g' }], schemas: [], custom: 1, title: 'T' },
      });
      expect(result).toEqual({ ...user.attributes, title: 'T' });
    });

    test('a path-less value may echo the access extension unchanged', () => {
      const result = patch({
        op: 'replace',
        value: { [ACCESS_USER_SCHEMA]: { role: 'collaborator', allBrands: true }, title: 'T' },
      });
      expect(result.title).toBe('T');
    });
  });

  describe('errors', () => {
    test.each([
      [[{ op: 'remove' }], 'noTarget'],
      [[{ op: 'remove', path: 'emails[type eq "pager"]' }], 'noTarget'],
      [[{ op: 'replace', path: 'emails[type co "p"].value', value: 'x@y' }], 'noTarget'],
      [[{ op: 'replace', path: 'nosuch', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'name.nosuch', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'emails[nosuch eq "work"].value', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'title[value eq "x"]', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 42, value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
      [[{ op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }], 'mutability'],
      [[{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], 'mutability'],
      [[{ op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager.displayName`, value: 'x' }], 'mutability'],
      [[{ op: 'replace', path: `${ACCESS_USER_SCHEMA}:role`, value: 'admin' }], 'mutability'],
      [[{ op: 'remove', path: `${ACCESS_USER_SCHEMA}:brands` }], 'mutability'],
      [[{ op: 'replace', path: ACCESS_USER_SCHEMA, value: { allBrands: false } }], 'mutability'],
      [[{ op: 'replace', value: { [ACCESS_USER_SCHEMA]: { role: 'admin' } } }], 'mutability'],
      [[{ op: 'replace', value: { [`${ACCESS_USER_SCHEMA}:allBrands`]: false } }], 'mutability'],
      [[{ op: 'remove', path: 'userName' }], 'invalidValue'],
      [[{ op: 'replace', path: 'userName', value: '' }], 'invalidValue'],
      [[{ op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue'],
      [[{ op: 'replace', path: 'name', value: 'Jane' }], 'invalidValue'],
      [[{ op: 'replace', path: 'title' }], 'invalidValue'],
      [[{ op: 'replace', value: 'x' }], 'invalidValue'],
      [
        [
          {
            op: 'add',
            path: 'emails',
            value: [
              { value: 'a@x', primary: true },
              { value: 'b@x', primary: true },
            ],
          },
        ],
        'invalidValue',
      ],
      [[{ op: 'copy', path: 'title', value: 'x' }], 'invalidSyntax'],
      [[{ path: 'title', value: 'x' }], 'invalidSyntax'],
      [['replace'], 'invalidSyntax'],
    ])('%j → %s', (operations, scimType) => {
      expect(patchError(...(operations as unknown[]))).toMatchObject({ status: 400, scimType });
    });

    test.each([
      [{ Operations: [{ op: 'replace', value: { active: false } }] }],
      [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'replace', value: {} }] }],
      [{ schemas: [PATCH_OP_SCHEMA], Operations: [] }],
      [{ schemas: [PATCH_OP_SCHEMA] }],
      [[]],
      ['x'],
      [null],
    ])('a malformed message %j is invalidSyntax', (body) => {
      expect(scimErrorOf(() => applyPatch(user, body))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    });

    test('too many operations is refused', () => {
      const operations = Array.from({ length: 101 }, () => ({ op: 'replace', path: 'title', value: 'x' }));
      expect(patchError(...operations)).toMatchObject({ status: 400, scimType: 'invalidValue' });
    });

    test('the detail names the failing operation, and a failure changes nothing', () => {
      const before = structuredClone(user.attributes);
      const error = patchError(
        { op: 'replace', path: 'title', value: 'changed' },
        { op: 'replace', path: 'id', value: 'x' },
      );
      expect(error.detail).toMatch(/^Operation 2: /);
      expect(user.attributes).toEqual(before);
    });

    test('lower-case "operations" is accepted', () => {
      expect(
        applyPatch(user, { schemas: [PATCH_OP_SCHEMA], operations: [{ op: 'replace', path: 'title', value: 'X' }] })
          .title,
      ).toBe('X');
    });
  });
});
