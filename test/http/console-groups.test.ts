import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { newGroupId } from '../../core/scim/group-record';
import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { documentClient, tableName } from '../../functions/_shared/services';
import { accessServices } from '../support/access-services';
import {
  consoleFormToken,
  launchChromium,
  localContext,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
  tableRows,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';
import { type ScimClient, scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/**
 * The console's Groups pages in Chromium: groups Okta pushed over SCIM (through the real HTTP server, with a
 * token) appear with their member counts, the admin maps one to a role and brands, switches the tenant's
 * access source to groups, and SCIM shows the members' new access; the user's page then says where it comes
 * from. The tests run in order and share the tenant's state.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
let okta: ScimClient;
let patId: string;
let samId: string;
let editorsId: string;
let everyoneId: string;
let globexGroupId: string;
let brandIds: { emea: string; apac: string };
jest.setTimeout(180_000);

const user = (userName: string) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ value: userName, type: 'work', primary: true }],
});

async function pushUser(client: ScimClient, userName: string): Promise<string> {
  const created = await client.post('/Users', user(userName));
  expect(created.status).toBe(201);
  return (created.body as { id: string }).id;
}

async function pushGroup(client: ScimClient, displayName: string, members: readonly string[]): Promise<string> {
  const created = await client.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(created.status).toBe(201);
  return (created.body as { id: string }).id;
}

beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation' });
  globex = await oauthFixture({ tenantName: 'Globex' });
  const { access } = accessServices('operator');
  brandIds = {
    emea: (await access.createBrand(acme.tenantId, 'Acme EMEA')).brandId,
    apac: (await access.createBrand(acme.tenantId, 'Acme APAC')).brandId,
  };
  await access.createRole(acme.tenantId, 'Email Creator', 'Writes the brands’ emails');
  okta = scimClient(service, (await scimTestToken(acme.tenantId)).token);
  patId = await pushUser(okta, 'pat.doe@acme.example');
  samId = await pushUser(okta, 'sam.roe@acme.example');
  editorsId = await pushGroup(okta, 'Email Editors', [patId]);
  everyoneId = await pushGroup(okta, 'Everyone', [patId, samId]);
  const globexOkta = scimClient(service, (await scimTestToken(globex.tenantId)).token);
  const lee = await pushUser(globexOkta, 'lee.poe@globex.example');
  globexGroupId = await pushGroup(globexOkta, 'Globex Staff', [lee]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const account = (fixture: OAuthFixture) => ({
  tenantId: fixture.tenantId,
  email: fixture.adminEmail,
  password: fixture.adminPassword,
});

const accessOf = async (userId: string) => {
  const scim = await okta.get(`/Users/${userId}`);
  expect(scim.status).toBe(200);
  return (scim.body as Record<string, { role: string; allBrands: boolean; brands?: string[] }>)[ACCESS_USER_SCHEMA];
};

const posted = (page: Page) => page.waitForResponse((response) => response.request().method() === 'POST');

describe('the Groups pages', () => {
  test('the admin maps a pushed group to a role and brands, switches the source to groups, and SCIM shows it', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups', exact: true, level: 1 }).waitFor();
    expect(await tableRows(page)).toEqual(['Email Editors 1 Not mapped', 'Everyone 2 Not mapped']);
    await expect(page.getByLabel('Admins set each user’s role and brands').isChecked()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Email Editors' }).click();
    await page.getByRole('heading', { name: 'Email Editors' }).waitFor();
    // A role without a valid priority, and "some brands" with none checked: the page again, input kept.
    await page.getByLabel('Role').selectOption('Email Creator');
    await page.getByLabel('Priority').fill('high');
    await page.getByLabel('Only the brands checked below').check();
    const rejected = posted(page);
    await page.getByRole('button', { name: 'Save mapping' }).click();
    expect((await rejected).status()).toBe(400);
    await page.waitForLoadState('load');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The mapping was not saved');
    await expect(page.getByText('Enter a whole number from 0 to 1000000.').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Check at least one brand, or choose All brands.').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Role').inputValue()).resolves.toBe('Email Creator');
    await expect(page.getByLabel('Priority').inputValue()).resolves.toBe('high');
    await expect(page.getByLabel('Only the brands checked below').isChecked()).resolves.toBe(true);
    const { groupAccess } = accessServices();
    expect((await groupAccess.findGroup(acme.tenantId, editorsId)).mapping).toBeUndefined();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Priority').fill('10');
    await page.getByLabel('Acme EMEA').check();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('Mapping saved: role Email Creator (priority 10), brands Acme EMEA.').waitFor();
    expect((await groupAccess.findGroup(acme.tenantId, editorsId)).mapping).toMatchObject({
      role: { name: 'Email Creator', priority: 10 },
      brands: [brandIds.emea],
    });
    // In admins mode a mapping changes nobody's access yet.
    expect(await accessOf(patId)).toMatchObject({ role: 'collaborator', allBrands: true });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-group.png'), fullPage: true });

    await page.getByRole('link', { name: 'All groups' }).click();
    await page.getByLabel('Your identity provider’s groups give roles and brands').check();
    await page.getByRole('button', { name: 'Save access source' }).click();
    await page.getByText('Roles and brands now come from your identity provider’s groups.').waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('3 users recomputed, 1 changed.');
    expect(await tableRows(page)).toEqual([
      'Email Editors 1 role Email Creator (priority 10), brands Acme EMEA',
      'Everyone 2 Not mapped',
    ]);
    expect(await accessOf(patId)).toMatchObject({ role: 'Email Creator', allBrands: false, brands: [brandIds.emea] });
    expect(await accessOf(samId)).toMatchObject({ role: 'collaborator', allBrands: true });
    // The signed-in admin is a direct admin: the groups keep it.
    expect(await accessOf(acme.adminUserId)).toMatchObject({ role: 'admin' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-groups.png'), fullPage: true });

    // The user's page says where the role and brands come from, and links the group and the Groups page.
    await page.goto(`${baseUrl}/console/users/${patId}`);
    await expect(page.locator('dl').last().textContent()).resolves.toContain(
      'Email Creator, from the group Email Editors',
    );
    await expect(page.getByRole('link', { name: 'Email Editors' }).getAttribute('href')).resolves.toContain(
      `/console/groups/${editorsId}`,
    );
    await expect(page.locator('.notice').getByRole('link', { name: 'Groups' }).getAttribute('href')).resolves.toBe(
      `${baseUrl}/console/groups`,
    );
    await expect(page.getByRole('button', { name: 'Save access' }).count()).resolves.toBe(0);
    expect((await tableRows(page)).join(' ')).toContain('Access from groups');
    expect((await tableRows(page)).join(' ')).toContain(
      'role: collaborator \u2192 Email Creator; brands: all brands \u2192 Acme EMEA; because: access source switched to groups',
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-user-groups.png'), fullPage: true });
    await context.close();
  });

  test('in groups mode the user page refuses a role form from an older tab, and gives and releases a direct admin', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/users/${samId}`);
    const token = await consoleFormToken(page);
    const stale = await page.request.post(`${baseUrl}/console/users/${samId}/access`, {
      form: { csrf_token: token, role: 'admin', brand_scope: 'some', brand: brandIds.apac },
      headers: { origin: baseUrl },
    });
    expect(stale.status()).toBe(409);
    expect(await stale.text()).toContain('takes roles and brands from its groups');
    expect(await accessOf(samId)).toMatchObject({ role: 'collaborator', allBrands: true });

    await page.getByRole('button', { name: 'Give the admin role directly' }).click();
    await page.getByText('The admin role was given directly').waitFor();
    expect(await accessOf(samId)).toMatchObject({ role: 'admin' });
    await page.getByRole('button', { name: 'Let the groups decide the role' }).click();
    await page.getByText('The role now follows this user’s groups: collaborator.').waitFor();
    expect(await accessOf(samId)).toMatchObject({ role: 'collaborator' });

    // The signed-in admin is the tenant's last admin: releasing the role is refused, nothing changes.
    await page.goto(`${baseUrl}/console/users/${acme.adminUserId}`);
    const refused = posted(page);
    await page.getByRole('button', { name: 'Let the groups decide the role' }).click();
    expect((await refused).status()).toBe(409);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('last admin');
    expect(await accessOf(acme.adminUserId)).toMatchObject({ role: 'admin' });
    await context.close();
  });

  test('an unfinished recomputation is shown and continued; unmapping takes back what the group gave', async () => {
    const { groupAccess } = accessServices('operator');
    // A recomputation whose process stopped before its first page, as after a timeout.
    expect(await groupAccess.continueRecompute(acme.tenantId, { pages: 0 })).toMatchObject({ finished: false });
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/groups`);
    await expect(page.locator('.warning').textContent()).resolves.toContain('has not finished');
    await page.getByRole('button', { name: 'Continue the recomputation' }).click();
    await page.getByText('Recomputation continued. 3 users recomputed, 0 changed.').waitFor();
    await expect(page.locator('.warning').count()).resolves.toBe(0);
    expect((await groupAccess.settings(acme.tenantId)).job).toBeUndefined();

    await page.goto(`${baseUrl}/console/groups/${editorsId}`);
    // Once a role is mapped, the form no longer offers "no role": it is changed, or the mapping removed.
    await expect(page.getByRole('option', { name: 'No role (the group gives none)' }).count()).resolves.toBe(0);
    const token = await consoleFormToken(page);
    await page.getByRole('button', { name: 'Remove mapping' }).click();
    await page.getByText('Mapping removed: the group gives nothing now.').waitFor();
    expect(await accessOf(patId)).toMatchObject({ role: 'collaborator', allBrands: true });
    // The same post again (a second tab, the Back button) changes nothing and says so.
    const again = await page.request.post(`${baseUrl}/console/groups`, {
      form: { csrf_token: token, action: 'unmap', group: editorsId },
      headers: { origin: baseUrl },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    await page.goto(`${baseUrl}/console/groups/${editorsId}`);
    await page.getByText('This group has no mapping (any more).').waitFor();
    await expect(page.getByRole('option', { name: 'No role (the group gives none)' }).count()).resolves.toBe(1);

    // A mapping whose group the identity provider deleted (an interrupted deletion leaves one) is listed
    // apart, and can be removed.
    const orphanId = newGroupId();
    await new DynamoDbGroupAccessStore(documentClient(), tableName('users')).putMapping(
      acme.tenantId,
      { groupId: orphanId, brands: 'all', updatedAt: new Date().toISOString() },
      { at: new Date().toISOString(), actor: 'test', action: 'group.map', details: { groupId: orphanId } },
    );
    await page.goto(`${baseUrl}/console/groups`);
    await page.getByRole('heading', { name: 'Mappings of deleted groups' }).waitFor();
    await page.getByRole('link', { name: orphanId }).click();
    await page.getByRole('heading', { name: 'Deleted group' }).waitFor();
    await page.getByRole('button', { name: 'Remove mapping' }).click();
    await page.getByText('Mapping removed: the group gives nothing now.').waitFor();
    await expect(page.getByRole('heading', { name: 'Mappings of deleted groups' }).count()).resolves.toBe(0);

    // All brands, no role: the members get every brand, the role stays the default.
    await page.goto(`${baseUrl}/console/groups/${editorsId}`);
    await page.getByLabel('All brands').check();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('Mapping saved: all brands.').waitFor();
    expect(await accessOf(patId)).toMatchObject({ role: 'collaborator', allBrands: true });
    await context.close();
  });

  test('a form without the session’s token is refused; another tenant’s group is not found and not changed', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const noToken = await page.request.post(`${baseUrl}/console/groups`, {
      form: { action: 'map', group: everyoneId, role: 'admin', priority: '1', brand_scope: 'all' },
      headers: { origin: baseUrl },
    });
    expect(noToken.status()).toBe(403);
    const noTokenSource = await page.request.post(`${baseUrl}/console/groups`, {
      form: { action: 'set-source', source: 'admins' },
      headers: { origin: baseUrl },
    });
    expect(noTokenSource.status()).toBe(403);
    const { groupAccess } = accessServices();
    expect((await groupAccess.findGroup(acme.tenantId, everyoneId)).mapping).toBeUndefined();
    expect(await groupAccess.source(acme.tenantId)).toBe('groups');

    const shown = await page.goto(`${baseUrl}/console/groups/${globexGroupId}`);
    expect(shown?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' }).isVisible()).resolves.toBe(true);
    await page.goto(`${baseUrl}/console/groups`);
    const token = await consoleFormToken(page);
    for (const action of ['map', 'unmap']) {
      const crossTenant = await page.request.post(`${baseUrl}/console/groups`, {
        form: { csrf_token: token, action, group: globexGroupId, role: 'admin', priority: '1', brand_scope: 'all' },
        headers: { origin: baseUrl },
      });
      expect(crossTenant.status()).toBe(404);
    }
    expect((await groupAccess.findGroup(globex.tenantId, globexGroupId)).mapping).toBeUndefined();
    const badSource = await page.request.post(`${baseUrl}/console/groups`, {
      form: { csrf_token: token, action: 'set-source', source: 'everyone' },
      headers: { origin: baseUrl },
    });
    expect(badSource.status()).toBe(400);
    expect(await badSource.text()).toContain('Choose where roles and brands come from');
    expect(await groupAccess.source(acme.tenantId)).toBe('groups');
    await context.close();
  });

  test('the pages fit a phone-width screen with no serious accessibility violation', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    // The next page after the first group, and a cursor that is no group id (the first page, with a message).
    await page.goto(`${baseUrl}/console/groups?after=${editorsId}`);
    expect((await tableRows(page)).map((row) => row.split(' ')[0])).toEqual(['Everyone']);
    await expect(page.getByRole('link', { name: 'First groups' }).isVisible()).resolves.toBe(true);
    const badCursor = await page.goto(`${baseUrl}/console/groups?after=${encodeURIComponent('x'.repeat(300))}`);
    expect(badCursor?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('That page of groups does not exist');
    for (const path of ['/console/groups', `/console/groups/${everyoneId}`]) {
      await page.goto(`${baseUrl}${path}`);
      await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'console-group-phone.png'), fullPage: true });
    await context.close();
  });
});
