import { compileFilter, lookupKeys, matchesFilter } from '../../../core/scim/filter';
import { ENTERPRISE_USER_SCHEMA } from '../../../core/scim/user-schema';
import { oktaCreateBody, representationOf, scimErrorOf } from '../../support/scim-fixtures';

const jane = representationOf({
  ...oktaCreateBody('Jane.Doe@Example.com'),
  title: 'Engineer',
  emails: [
    { value: 'jane.doe@example.com', type: 'work', primary: true },
    { value: 'jane@home.example', type: 'home' },
  ],
});
const matches = (filter: string, resource = jane) => matchesFilter(compileFilter(filter), resource);

describe('filter evaluation (RFC 7644 §3.4.2.2)', () => {
  test.each([
    ['userName eq "jane.doe@example.com"', true],
    ['userName eq "JANE.DOE@EXAMPLE.COM"', true],
    ['USERNAME EQ "jane.doe@example.com"', true],
    ['userName ne "jane.doe@example.com"', false],
    ['userName co "doe@"', true],
    ['userName sw "JANE"', true],
    ['userName ew ".com"', true],
    ['userName gt "a"', true],
    ['userName lt "a"', false],
    ['userName ge "jane.doe@example.com"', true],
    ['userName le "jane.doe@example.com"', true],
    ['externalId eq "00uv931EiyRsnwOGa0g3"', true],
    ['externalId eq "00UV931EIYRSNWOGA0G3"', false],
    ['title pr', true],
    ['nickName pr', false],
    ['nickName eq null', true],
    ['title ne null', true],
    ['active eq true', true],
    ['active eq "True"', true],
    ['active ne true', false],
    ['name.givenName eq "jane"', true],
    ['name pr', true],
    ['emails pr', true],
    ['emails co "@home.example"', true],
    ['emails.value eq "JANE@HOME.EXAMPLE"', true],
    ['emails.type eq "home"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    ['emails[type eq "home" or primary eq true]', true],
    ['emails[not (type eq "work")]', true],
    ['email eq "jane.doe@example.com"', true],
    [`${ENTERPRISE_USER_SCHEMA}:department eq "research"`, true],
    [`${ENTERPRISE_USER_SCHEMA.toUpperCase()}:Department eq "research"`, true],
    [`${ENTERPRISE_USER_SCHEMA}:manager.value eq "boss-id"`, true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jane.doe@example.com"', true],
    ['meta.created gt "2024-04-30T23:59:59Z"', true],
    ['meta.created lt "2024-05-01T12:00:00+02:00"', false],
    ['meta.created le "2024-05-01T12:00:00+02:00"', true],
    ['meta.created eq "2024-05-01T10:00:00Z"', true],
    ['meta.lastModified ge "2024-05-02T10:00:00.000Z"', true],
    ['meta.resourceType eq "User"', true],
    ['title eq "Engineer" and (active eq false or userName sw "jane")', true],
    ['title eq "Manager" or userName sw "jane" and active eq false', false],
    ['not (title eq "Manager")', true],
    ['not(title eq "Engineer") or not (active eq true)', false],
    ['((title eq "Engineer"))', true],
    ['title  eq   "Engineer"', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  test('and binds tighter than or', () => {
    expect(matches('userName eq "x" and title eq "Engineer" or active eq true')).toBe(true);
    expect(matches('active eq true or userName eq "x" and title eq "nope"')).toBe(true);
    expect(matches('(active eq true or userName eq "x") and title eq "nope"')).toBe(false);
  });

  test('string escapes are decoded; strings may contain spaces, brackets and quotes', () => {
    const quirky = representationOf({ ...oktaCreateBody(), displayName: 'Ann "The" [Boss] (x)' });
    expect(matches('displayName eq "Ann \\"The\\" [Boss] (x)"', quirky)).toBe(true);
    expect(matches('displayName eq "Ann \\u0022The\\u0022 [Boss] (x)"', quirky)).toBe(true);
  });

  test('userName compares after Unicode NFC and lower-casing', () => {
    const composed = representationOf({ ...oktaCreateBody('Ren\u00e9@example.com') });
    expect(matches('userName eq "RENE\u0301@EXAMPLE.COM"', composed)).toBe(true);
  });

  test('`+` outside strings is a space in query strings, and stays a + inside them', () => {
    const plus = representationOf(oktaCreateBody('jane+tag@example.com'));
    const filter = compileFilter('userName+eq+"jane+tag@example.com"', { plusIsSpace: true });
    expect(matchesFilter(filter, plus)).toBe(true);
    expect(scimErrorOf(() => compileFilter('userName+eq+"x"')).scimType).toBe('invalidFilter');
  });

  test.each([
    ['', 'empty'],
    ['userName', 'no operator'],
    ['userName eq', 'no value'],
    ['userName eq jane', 'unquoted string'],
    ['userName xx "a"', 'unknown operator'],
    ['userName eq "a" and', 'dangling and'],
    ['(userName eq "a"', 'unclosed parenthesis'],
    ['userName eq "a")', 'stray parenthesis'],
    ['userName eq "a', 'unterminated string'],
    ['userName eq "\\q"', 'bad escape'],
    ['emails[type eq "work"', 'unclosed bracket'],
    ['emails[type eq "work"].value eq "x"', 'sub-attribute after a value filter'],
    ['emails[value[type eq "a"]]', 'nested value filter'],
    ['nosuch eq "a"', 'unknown attribute'],
    ['name.nosuch eq "a"', 'unknown sub-attribute'],
    ['urn:example:unknown:2.0:User:x eq "a"', 'unknown schema'],
    ['emails[nosuch eq "a"]', 'unknown attribute inside a value filter'],
    ['name eq "a"', 'complex attribute compared'],
    ['active gt true', 'ordering on a boolean'],
    ['active co "t"', 'substring on a boolean'],
    ['active eq "yes"', 'non-boolean value for a boolean'],
    ['userName eq 12', 'number for a string'],
    ['userName gt null', 'ordering with null'],
    ['meta.created gt "yesterday"', 'not a date'],
    ['userName.value eq "a"', 'sub-attribute of a simple attribute'],
    ['title[value eq "x"]', 'value filter on a simple attribute'],
    ['not title eq "x"', 'not without parentheses'],
    [`${'('.repeat(40)}title pr${')'.repeat(40)}`, 'too deep'],
    [Array.from({ length: 70 }, () => 'title pr').join(' or '), 'too many terms'],
    [`title eq "${'x'.repeat(3000)}"`, 'too long'],
  ])('refuses %j (%s) with 400 invalidFilter', (filter) => {
    expect(scimErrorOf(() => compileFilter(filter))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });

  test('a deeply nested filter never overflows the stack', () => {
    const deep = `${'not ('.repeat(5000)}title pr${')'.repeat(5000)}`;
    expect(scimErrorOf(() => compileFilter(deep)).scimType).toBe('invalidFilter');
  });
});

describe('key lookups planned from filters', () => {
  const keys = (filter: string) => lookupKeys(compileFilter(filter));

  test.each([
    ['userName eq "Jane@Example.COM"', [{ kind: 'userName', value: 'jane@example.com' }]],
    ['id eq "01jd0000000000000000000000"', [{ kind: 'id', value: '01jd0000000000000000000000' }]],
    ['externalId eq "00uX"', [{ kind: 'externalId', value: '00uX' }]],
    ['emails.value eq "A@B.C"', [{ kind: 'email', value: 'a@b.c' }]],
    ['emails eq "A@B.C"', [{ kind: 'email', value: 'a@b.c' }]],
    ['email eq "A@B.C"', [{ kind: 'email', value: 'a@b.c' }]],
    ['emails[type eq "work" and value eq "A@B.C"]', [{ kind: 'email', value: 'a@b.c' }]],
    ['userName eq "a" and active eq true', [{ kind: 'userName', value: 'a' }]],
    [
      'userName eq "a" or externalId eq "b"',
      [
        { kind: 'userName', value: 'a' },
        { kind: 'externalId', value: 'b' },
      ],
    ],
  ])('%s is a key lookup', (filter, expected) => {
    expect(keys(filter)).toEqual(expected);
  });

  test.each([
    ['id eq "abc"', 'not the shape of an id'],
    [`userName eq "${'x'.repeat(1100)}"`, 'longer than a userName may be'],
    [`externalId eq "${'x'.repeat(1100)}"`, 'longer than an externalId may be'],
    [`emails.value eq "${'x'.repeat(1100)}@example.com"`, 'longer than an email may be'],
    [`emails[value eq "${'é'.repeat(200)}"]`, 'longer in UTF-8 bytes than an email may be'],
    [`externalId eq "${'x'.repeat(1100)}" and userName eq "a"`, 'and-ed with one that names no user'],
  ])('%s names no user (%s): a lookup of no keys', (filter) => {
    expect(keys(filter)).toEqual([]);
  });

  test('a value no user can carry drops out of an or, leaving the other keys', () => {
    expect(keys(`userName eq "${'x'.repeat(1100)}" or externalId eq "b"`)).toEqual([
      { kind: 'externalId', value: 'b' },
    ]);
  });

  test.each([
    'userName ne "a"',
    'userName co "a"',
    'active eq true',
    'userName eq "a" or active eq true',
    'not (userName eq "a")',
    'emails[type eq "work" or value eq "a"]',
    'emails.type eq "work"',
  ])('%s is not', (filter) => {
    expect(keys(filter)).toBeUndefined();
  });
});
