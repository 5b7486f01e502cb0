import { ENTERPRISE_USER_SCHEMA } from '../../core/scim/user-schema';
import { recordUsersTableCalls } from '../support/dynamodb-calls';
import { type RunningService, startService } from '../support/local-service';
import { filterPath, patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

let service: RunningService;
const tableCalls = recordUsersTableCalls();

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

type Resource = Record<string, unknown> & { id: string; userName: string };

async function tenantWithUsers(count: number, shape: (index: number) => Record<string, unknown> = () => ({})) {
  const client = scimClient(service, (await scimTestToken()).token);
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const userName = `user${String(index).padStart(3, '0')}@example.com`;
    const response = await client.post('/Users', {
      ...oktaCreateBody(userName),
      externalId: `00u${index}`,
      ...shape(index),
    });
    expect(response.status).toBe(201);
    ids.push((response.body as Resource).id);
  }
  return { client, ids };
}

/** Okta's import: startIndex += count while startIndex <= totalResults. */
async function importWalk(client: ScimClient, count: number) {
  const seen: string[] = [];
  let startIndex = 1;
  let pages = 0;
  for (;;) {
    const page = await client.get(`/Users?startIndex=${startIndex}&count=${count}`);
    expect(page.status).toBe(200);
    pages += 1;
    const resources = resourcesOf(page);
    expect(page.body).toMatchObject({ startIndex, itemsPerPage: resources.length });
    seen.push(...resources.map((resource) => resource.id));
    startIndex += count;
    if (startIndex > (page.body?.totalResults as number)) return { seen, pages };
  }
}

describe('index paging (RFC 7644 §3.4.2.4)', () => {
  let client: ScimClient;
  let ids: string[];
  beforeAll(async () => {
    ({ client, ids } = await tenantWithUsers(45));
  });

  test('an import walk returns every user once, in creation order, reading each user item once', async () => {
    tableCalls.reset();
    const { seen, pages } = await importWalk(client, 10);
    expect(pages).toBe(5);
    expect(seen).toEqual(ids);
    const queried = tableCalls.callsWithPrefixes().filter((call) => call.command === 'QueryCommand');
    const userQueries = queried.filter((call) => call.queriedPrefix === 'USER#');
    expect(userQueries).toHaveLength(pages);
    expect(userQueries.reduce((sum, call) => sum + call.itemsRead, 0)).toBe(ids.length);
    // The other read of each page is the small one: the counter shards and bookmark slots, never more.
    const counterQueries = queried.filter((call) => call.queriedPrefix === 'COUNT#');
    expect(counterQueries).toHaveLength(pages);
    expect(queried).toHaveLength(2 * pages);
    for (const call of counterQueries) expect(call.itemsRead).toBeLessThanOrEqual(8 + 12);
  });

  test('each page is one query of users plus one small read of counters and bookmarks, and the bookmark write', async () => {
    await client.get('/Users?startIndex=1&count=10');
    tableCalls.reset();
    await client.get('/Users?startIndex=11&count=10');
    expect(tableCalls.callsWithPrefixes().map((call) => [call.command, call.queriedPrefix])).toEqual([
      ['QueryCommand', 'COUNT#'],
      ['QueryCommand', 'USER#'],
      ['PutItemCommand', undefined],
    ]);
  });

  test('the same pages come back whatever page size is used', async () => {
    expect((await importWalk(client, 7)).seen).toEqual(ids);
    expect((await importWalk(client, 100)).seen).toEqual(ids);
    const middle = await client.get('/Users?startIndex=13&count=4');
    expect(resourcesOf(middle).map((user) => user.id)).toEqual(ids.slice(12, 16));
  });

  test('count 0 gives only totalResults; startIndex below 1 means 1; past the end is empty; a huge count is capped', async () => {
    expect((await client.get('/Users?count=0')).body).toMatchObject({
      totalResults: 45,
      itemsPerPage: 0,
      Resources: [],
    });
    expect(resourcesOf(await client.get('/Users?startIndex=-3&count=2')).map((user) => user.id)).toEqual(
      ids.slice(0, 2),
    );
    expect((await client.get('/Users?startIndex=46&count=10')).body).toMatchObject({
      totalResults: 45,
      itemsPerPage: 0,
    });
    expect((await client.get('/Users?count=100000')).body).toMatchObject({ itemsPerPage: 45 });
    expect((await client.get('/Users?startindex=44&COUNT=5')).body).toMatchObject({ startIndex: 44, itemsPerPage: 2 });
  });

  test('a walk after a delete counts positions again, once, and then pages from bookmarks', async () => {
    const { client: shrinking, ids: shrinkingIds } = await tenantWithUsers(12);
    await importWalk(shrinking, 4);
    expect((await shrinking.delete(`/Users/${shrinkingIds[1]}`)).status).toBe(204);
    const remaining = shrinkingIds.filter((_, index) => index !== 1);
    tableCalls.reset();
    const page = await shrinking.get('/Users?startIndex=5&count=4');
    expect(page.body).toMatchObject({ totalResults: 11 });
    expect(resourcesOf(page).map((user) => user.id)).toEqual(remaining.slice(4, 8));
    const queries = tableCalls.callsWithPrefixes().filter((call) => call.queriedPrefix === 'USER#');
    expect(queries.map((call) => call.itemsRead)).toEqual([4, 4]);
    expect((await importWalk(shrinking, 4)).seen).toEqual(remaining);
  });

  test('bad paging parameters are 400 invalidValue', async () => {
    for (const query of ['startIndex=abc', 'count=1.5', 'startIndex=1&cursor=']) {
      expect((await client.get(`/Users?${query}`)).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    }
  });
});

describe('cursor paging (RFC 9865)', () => {
  test('a cursor walk returns every user once and stays correct while users are deleted', async () => {
    const { client, ids } = await tenantWithUsers(13);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await client.get(`/Users?cursor=${cursor}&count=5`);
      expect(page.status).toBe(200);
      expect(page.body).not.toHaveProperty('startIndex');
      expect(page.body).toMatchObject({ totalResults: pages === 0 ? 13 : 12 });
      seen.push(...resourcesOf(page).map((user) => user.id));
      cursor = (page.body?.nextCursor as string | undefined) ?? '';
      // A user already seen disappears mid-walk: nothing after it is skipped.
      if (pages === 0) expect((await client.delete(`/Users/${ids[0]}`)).status).toBe(204);
      pages += 1;
    } while (cursor !== '');
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  test('cursors with a filter and a sort; a cursor for another query is invalidCursor', async () => {
    const { client } = await tenantWithUsers(9, (index) => ({ title: index % 3 === 0 ? 'Manager' : 'Engineer' }));
    const walk = async (query: string) => {
      const names: string[] = [];
      let cursor = '';
      do {
        const page = await client.get(`/Users?${query}&cursor=${cursor}&count=2`);
        expect(page.status).toBe(200);
        names.push(...resourcesOf(page).map((user) => user.userName));
        cursor = (page.body?.nextCursor as string | undefined) ?? '';
      } while (cursor !== '');
      return names;
    };
    expect(
      await walk(`filter=${encodeURIComponent('title eq "engineer"')}&sortBy=userName&sortOrder=descending`),
    ).toEqual([
      'user008@example.com',
      'user007@example.com',
      'user005@example.com',
      'user004@example.com',
      'user002@example.com',
      'user001@example.com',
    ]);
    const first = await client.get(`/Users?filter=${encodeURIComponent('title eq "Manager"')}&cursor=&count=1`);
    const next = first.body?.nextCursor as string;
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
    const foreign = await client.get(
      `/Users?filter=${encodeURIComponent('title eq "Engineer"')}&cursor=${next}&count=1`,
    );
    expect(foreign.body).toMatchObject({ status: '400', scimType: 'invalidCursor' });
    expect((await client.get('/Users?cursor=garbage!&count=1')).body).toMatchObject({ scimType: 'invalidCursor' });
  });
});

describe('filters (RFC 7644 §3.4.2.2)', () => {
  let client: ScimClient;
  let ids: string[];
  beforeAll(async () => {
    ({ client, ids } = await tenantWithUsers(6, (index) => ({
      title: ['Engineer', 'Manager'][index % 2],
      active: index !== 4,
      emails: [
        { value: `user${String(index).padStart(3, '0')}@example.com`, type: 'work', primary: true },
        { value: index < 2 ? 'shared@home.example' : `own${index}@home.example`, type: 'home' },
      ],
      [ENTERPRISE_USER_SCHEMA]: { department: index < 3 ? 'Research' : 'Sales' },
    })));
  });
  const idsFor = async (filter: string) => {
    const response = await client.get(filterPath(filter));
    expect(response.status).toBe(200);
    return resourcesOf(response).map((user) => user.id);
  };

  test('userName eq in any case, with %20 or + encoding, costs at most two reads', async () => {
    tableCalls.reset();
    expect(await idsFor('userName eq "USER003@EXAMPLE.COM"')).toEqual([ids[3]]);
    expect(tableCalls.calls().length).toBeLessThanOrEqual(2);
    expect(tableCalls.calls().every((call) => call.command !== 'QueryCommand')).toBe(true);
    const plus = await client.get('/Users?filter=userName+eq+%22user003%40example.com%22&startIndex=1&count=100');
    expect(resourcesOf(plus).map((user) => user.id)).toEqual([ids[3]]);
  });

  test('id, externalId and emails.value equality are key lookups', async () => {
    tableCalls.reset();
    expect(await idsFor(`id eq "${ids[2]}"`)).toEqual([ids[2]]);
    expect(await idsFor('externalId eq "00u5"')).toEqual([ids[5]]);
    expect(await idsFor('externalId eq "00U5"')).toEqual([]);
    expect(await idsFor('emails.value eq "SHARED@home.example"')).toEqual([ids[0], ids[1]]);
    expect(await idsFor('emails[type eq "home" and value eq "shared@home.example"]')).toEqual([ids[0], ids[1]]);
    expect(await idsFor('email eq "own3@home.example"')).toEqual([ids[3]]);
    // An email that is the user's userName is found through the userName item, and still checked as an email.
    expect(await idsFor('emails.value eq "USER002@example.com"')).toEqual([ids[2]]);
    expect(await idsFor('emails[type eq "home" and value eq "user002@example.com"]')).toEqual([]);
    expect(await idsFor('userName eq "user001@example.com" or externalId eq "00u2"')).toEqual([ids[1], ids[2]]);
    const queries = tableCalls.calls().filter((call) => call.command === 'QueryCommand');
    // Lookup queries read key items only: never more items than the users they name.
    expect(queries.every((call) => call.itemsRead <= 2)).toBe(true);
  });

  test('other filters evaluate over the tenant’s users: deactivated users are findable', async () => {
    expect(await idsFor('active eq false')).toEqual([ids[4]]);
    expect(await idsFor('title eq "manager" and not (active eq false)')).toEqual([ids[1], ids[3], ids[5]]);
    expect(await idsFor(`${ENTERPRISE_USER_SCHEMA}:department eq "Research" or title sw "Man"`)).toEqual([
      ids[0],
      ids[1],
      ids[2],
      ids[3],
      ids[5],
    ]);
    expect(await idsFor('emails[type eq "home" and value co "own"]')).toEqual(ids.slice(2));
    expect(await idsFor(`meta.created ge "2000-01-01T00:00:00Z" and userName ew "5@example.com"`)).toEqual([ids[5]]);
  });

  test('a write is visible to the next lookup at once', async () => {
    const created = await client.post('/Users', oktaCreateBody('fresh.user@example.com'));
    const id = (created.body as Resource).id;
    expect(await idsFor('userName eq "Fresh.User@example.com"')).toEqual([id]);
    await client.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: 'fresher@example.com' }));
    expect(await idsFor('userName eq "fresh.user@example.com"')).toEqual([]);
    expect(await idsFor('userName eq "fresher@example.com"')).toEqual([id]);
    await client.delete(`/Users/${id}`);
    expect(await idsFor('userName eq "fresher@example.com"')).toEqual([]);
  });

  test('an unparseable or unknown filter is 400 invalidFilter, never an empty 200', async () => {
    for (const filter of ['userName eq', 'userName equals "x"', 'nosuch eq "x"', 'active gt true', '(userName pr']) {
      const response = await client.get(filterPath(filter));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    }
  });

  test('sortBy and sortOrder, with paging and projection', async () => {
    const page = await client.get(
      '/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2&attributes=userName',
    );
    expect(page.body).toMatchObject({ totalResults: 6, startIndex: 2, itemsPerPage: 2 });
    expect(resourcesOf(page)).toEqual([
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: ids[4], userName: 'user004@example.com' },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: ids[3], userName: 'user003@example.com' },
    ]);
    expect((await client.get('/Users?sortBy=nosuch')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  test('POST /Users/.search takes the same query in a SearchRequest', async () => {
    const response = await client.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'title eq "Engineer"',
      attributes: ['userName', 'title'],
      startIndex: 1,
      count: 2,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 3, itemsPerPage: 2, startIndex: 1 });
    expect(resourcesOf(response).map((user) => Object.keys(user).sort())).toEqual([
      ['id', 'schemas', 'title', 'userName'],
      ['id', 'schemas', 'title', 'userName'],
    ]);
    const bad = await client.post('/Users/.search', { filter: 'title pr' });
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
  });
});
