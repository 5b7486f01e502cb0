import { resourceTypeById, resourceTypesList, schemaById, schemasList } from '../../../core/scim/discovery';
import { MAX_PAGE_SIZE } from '../../../core/scim/limits';
import { encodeCursor, listQueryFromParameters, listQueryFromSearchRequest } from '../../../core/scim/list-query';
import { SEARCH_REQUEST_SCHEMA } from '../../../core/scim/messages';
import { parseAttributeList, projectResource } from '../../../core/scim/projection';
import { parseSort, sortResources } from '../../../core/scim/sort';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { BASE_URL, oktaCreateBody, representationOf, scimErrorOf } from '../../support/scim-fixtures';

const jane = representationOf();

describe('attributes / excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  const project = (attributes?: string, excludedAttributes?: string) =>
    projectResource(jane, {
      ...(attributes ? { attributes: parseAttributeList(attributes) } : {}),
      ...(excludedAttributes ? { excludedAttributes: parseAttributeList(excludedAttributes) } : {}),
    });

  test('without either, everything returned by default', () => {
    expect(project()).toEqual(jane);
  });

  test('attributes keeps the named ones, sub-attributes and extension attributes, plus id and schemas', () => {
    expect(project(`userName, name.givenName,${ENTERPRISE_USER_SCHEMA}:department, EMAILS.value`)).toEqual({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: jane.id,
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane' },
      emails: [{ value: 'jane.doe@example.com' }],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Research' },
    });
  });

  test('a schema URN in attributes keeps the whole extension', () => {
    expect(project(ACCESS_USER_SCHEMA)).toEqual({
      schemas: [CORE_USER_SCHEMA, ACCESS_USER_SCHEMA],
      id: jane.id,
      [ACCESS_USER_SCHEMA]: { role: 'collaborator', allBrands: true },
    });
  });

  test('excludedAttributes drops the named ones but never id', () => {
    const projected = project(undefined, `id,meta,emails,name.familyName,${ENTERPRISE_USER_SCHEMA}`);
    expect(projected.id).toBe(jane.id);
    expect(projected.meta).toBeUndefined();
    expect(projected.emails).toBeUndefined();
    expect(projected.name).toEqual({ givenName: 'Jane' });
    expect(projected[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    expect(projected.schemas).toEqual([CORE_USER_SCHEMA, ACCESS_USER_SCHEMA]);
  });

  test('unknown names are ignored', () => {
    expect(project('nosuch')).toEqual({ schemas: [CORE_USER_SCHEMA], id: jane.id });
    expect(project(undefined, 'nosuch')).toEqual(jane);
  });
});

describe('sortBy / sortOrder (RFC 7644 §3.4.2.3)', () => {
  const users = [
    representationOf({ ...oktaCreateBody('b@x'), title: 'Zed' }, { id: '01jd0000000000000000000001' }),
    representationOf({ ...oktaCreateBody('A@x') }, { id: '01jd0000000000000000000002' }),
    representationOf({ ...oktaCreateBody('c@x'), title: 'alpha' }, { id: '01jd0000000000000000000003' }),
    representationOf({ ...oktaCreateBody('d@x'), title: 'Alpha' }, { id: '01jd0000000000000000000004' }),
  ];
  const order = (sortBy: string, sortOrder?: string) =>
    sortResources(users, parseSort(sortBy, sortOrder) as NonNullable<ReturnType<typeof parseSort>>).map(
      (user) => user.userName,
    );

  test('case-insensitive strings sort ignoring case; ties keep creation order', () => {
    expect(order('userName')).toEqual(['A@x', 'b@x', 'c@x', 'd@x']);
    expect(order('title')).toEqual(['c@x', 'd@x', 'b@x', 'A@x']);
  });

  test('missing values come last ascending and first descending', () => {
    expect(order('title', 'descending')).toEqual(['A@x', 'b@x', 'c@x', 'd@x']);
  });

  test('multi-valued attributes sort by their primary value; names are case-insensitive', () => {
    expect(order('EMAILS', 'DESCENDING')).toEqual(['d@x', 'c@x', 'b@x', 'A@x']);
  });

  test.each([
    ['nosuch', undefined],
    ['name', undefined],
    ['userName', 'up'],
  ])('sortBy %j sortOrder %j is invalidValue', (sortBy, sortOrder) => {
    expect(scimErrorOf(() => parseSort(sortBy, sortOrder)).scimType).toBe('invalidValue');
  });
});

describe('list queries', () => {
  test('startIndex and count per RFC 7644 §3.4.2.4: defaults, below 1, negative, capped', () => {
    const paging = (parameters: Record<string, string>) => {
      const query = listQueryFromParameters(parameters);
      return { count: query.count, paging: query.paging };
    };
    expect(paging({})).toEqual({ count: 100, paging: { kind: 'index', startIndex: 1 } });
    expect(paging({ startIndex: '0', count: '-5' })).toEqual({ count: 0, paging: { kind: 'index', startIndex: 1 } });
    expect(paging({ startindex: '101', COUNT: '100' })).toEqual({
      count: 100,
      paging: { kind: 'index', startIndex: 101 },
    });
    expect(paging({ count: '100000' }).count).toBe(MAX_PAGE_SIZE);
  });

  test.each([{ startIndex: 'one' }, { count: '1.5' }, { count: '1e3' }, { startIndex: '1', cursor: '' }])(
    '%j is invalidValue',
    (parameters) => {
      expect(scimErrorOf(() => listQueryFromParameters(parameters)).scimType).toBe('invalidValue');
    },
  );

  test('a filter from a query string reads + as a space; from a body it does not', () => {
    expect(listQueryFromParameters({ filter: 'userName+eq+"a+b@x"' }).filter).toBeDefined();
    expect(
      scimErrorOf(() => listQueryFromSearchRequest({ schemas: [SEARCH_REQUEST_SCHEMA], filter: 'userName+eq+"a"' }))
        .scimType,
    ).toBe('invalidFilter');
  });

  test('a SearchRequest body carries the same parameters', () => {
    const query = listQueryFromSearchRequest({
      schemas: [SEARCH_REQUEST_SCHEMA],
      filter: 'userName sw "j"',
      attributes: ['userName'],
      sortBy: 'userName',
      startIndex: 3,
      count: '5',
    });
    expect(query.filter).toBeDefined();
    expect(query.sort?.order).toBe('ascending');
    expect(query.projection.attributes).toEqual([{ attribute: 'userName' }]);
    expect(query.paging).toEqual({ kind: 'index', startIndex: 3 });
    expect(query.count).toBe(5);
  });

  test.each([
    [{ filter: 'x' }, 'invalidSyntax'],
    [{ schemas: [SEARCH_REQUEST_SCHEMA], filter: 3 }, 'invalidValue'],
    [{ schemas: [SEARCH_REQUEST_SCHEMA], attributes: [1] }, 'invalidValue'],
    [{ schemas: [SEARCH_REQUEST_SCHEMA], count: true }, 'invalidValue'],
  ])('a bad SearchRequest %j → %s', (body, scimType) => {
    expect(scimErrorOf(() => listQueryFromSearchRequest(body)).scimType).toBe(scimType);
  });

  test('cursors (RFC 9865): empty starts, a cursor resumes, foreign or altered cursors are invalidCursor', () => {
    expect(listQueryFromParameters({ cursor: '' }).paging).toEqual({ kind: 'cursor' });
    const fingerprint = listQueryFromParameters({ cursor: '', filter: 'title pr' }).fingerprint;
    const cursor = encodeCursor({ id: '01jd0000000000000000000001' }, fingerprint);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(listQueryFromParameters({ cursor, filter: 'title pr' }).paging).toEqual({
      kind: 'cursor',
      after: { id: '01jd0000000000000000000001' },
    });
    expect(scimErrorOf(() => listQueryFromParameters({ cursor, filter: 'title pr and active eq true' }))).toMatchObject(
      {
        status: 400,
        scimType: 'invalidCursor',
      },
    );
    for (const bad of ['%%%', 'bm90IGpzb24', Buffer.from('{"a":1}').toString('base64url')]) {
      expect(scimErrorOf(() => listQueryFromParameters({ cursor: bad })).scimType).toBe('invalidCursor');
    }
  });
});

describe('discovery (RFC 7644 §4)', () => {
  test('/Schemas lists the three User schemas and the Group schema with every characteristic of every attribute', () => {
    const list = schemasList(BASE_URL);
    const schemas = list.Resources as Record<string, unknown>[];
    expect(schemas.map((schema) => schema.id)).toEqual([
      CORE_USER_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
      ACCESS_USER_SCHEMA,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const characteristics = [
      'name',
      'type',
      'multiValued',
      'description',
      'required',
      'caseExact',
      'mutability',
      'returned',
      'uniqueness',
    ];
    const visit = (attributes: Record<string, unknown>[]) => {
      for (const attribute of attributes) {
        for (const key of characteristics) expect(attribute).toHaveProperty(key);
        if (attribute.subAttributes) visit(attribute.subAttributes as Record<string, unknown>[]);
      }
    };
    for (const schema of schemas) visit(schema.attributes as Record<string, unknown>[]);
  });

  test('the access extension is read-only, with its defaults described', () => {
    const access = schemaById(ACCESS_USER_SCHEMA.toUpperCase(), BASE_URL) as { attributes: Record<string, unknown>[] };
    expect(
      access.attributes.map((attribute) => [
        attribute.name,
        attribute.type,
        attribute.multiValued,
        attribute.mutability,
      ]),
    ).toEqual([
      ['role', 'string', false, 'readOnly'],
      ['allBrands', 'boolean', false, 'readOnly'],
      ['brands', 'string', true, 'readOnly'],
    ]);
  });

  test('userName is required, unique and case-insensitive; password is never returned', () => {
    const core = schemaById(CORE_USER_SCHEMA, BASE_URL) as { attributes: Record<string, unknown>[] };
    expect(core.attributes.find((attribute) => attribute.name === 'userName')).toMatchObject({
      required: true,
      uniqueness: 'server',
      caseExact: false,
    });
    expect(core.attributes.find((attribute) => attribute.name === 'password')).toMatchObject({
      mutability: 'writeOnly',
      returned: 'never',
    });
    expect(schemaById('urn:nope', BASE_URL)).toBeUndefined();
  });

  test('/ResourceTypes has User with both extensions, and Group', () => {
    expect(resourceTypesList(BASE_URL).totalResults).toBe(2);
    expect(resourceTypeById('User', BASE_URL)).toMatchObject({
      endpoint: '/Users',
      schema: CORE_USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        { schema: ACCESS_USER_SCHEMA, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${BASE_URL}/ResourceTypes/User` },
    });
    expect(resourceTypeById('Group', BASE_URL)).toMatchObject({ endpoint: '/Groups', schemaExtensions: [] });
    expect(resourceTypeById('Nope', BASE_URL)).toBeUndefined();
  });
});
