import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CSRF_FIELD } from '../../core/console/csrf';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { accessServices } from '../support/access-services';
import {
  launchChromium,
  localContext,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';
import { type ScimClient, scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/**
 * The console's Users pages in Chromium, the guide's last step: users Okta pushed over SCIM (through the real
 * HTTP server, with a token) appear, the admin sets a user's role and brands, and SCIM shows them.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
let okta: ScimClient;
let patId: string;
let globexUserId: string;
let brandIds: { emea: string; apac: string };
jest.setTimeout(120_000);

const user = (userName: string) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ value: userName, type: 'work', primary: true }],
});

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
  const created = await okta.post('/Users', user('pat.doe@acme.example'));
  expect(created.status).toBe(201);
  patId = (created.body as { id: string }).id;
  expect((await okta.post('/Users', user('sam.roe@acme.example'))).status).toBe(201);
  const globexOkta = scimClient(service, (await scimTestToken(globex.tenantId)).token);
  globexUserId = ((await globexOkta.post('/Users', user('lee.poe@globex.example'))).body as { id: string }).id;
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

const rowsOf = async (page: Page) =>
  (await page.locator('tbody tr').allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));

describe('the Users pages', () => {
  test('the admin sets the role and brands of a user Okta pushed, and SCIM shows them', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    const rows = await rowsOf(page);
    expect(rows).toHaveLength(3);
    expect(rows.join(' ')).toContain('pat.doe@acme.example');
    expect(rows.join(' ')).toContain('sam.roe@acme.example');
    expect(rows.join(' ')).not.toContain('lee.poe@globex.example');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-users.png'), fullPage: true });

    await page.getByLabel('Search').fill('PAT.DOE@ACME.EXAMPLE');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('load');
    expect(await rowsOf(page)).toEqual([expect.stringContaining('pat.doe@acme.example')]);
    await page.getByRole('link', { name: 'pat.doe@acme.example' }).click();
    await page.getByRole('heading', { name: 'pat.doe@acme.example' }).waitFor();

    await page.getByLabel('Role').selectOption('Email Creator');
    await page.getByLabel('Only the brands checked below').check();
    await page.getByLabel('Acme EMEA').check();
    await page.getByRole('button', { name: 'Save access' }).click();
    await page.getByText('Access saved.').waitFor();
    await expect(page.getByLabel('Role').inputValue()).resolves.toBe('Email Creator');
    await expect(page.getByLabel('Acme EMEA').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Acme APAC').isChecked()).resolves.toBe(false);
    const history = (await rowsOf(page)).join(' ');
    expect(history).toContain('Role changed');
    expect(history).toContain('Brands changed');
    expect(history).toContain('brands: all brands \u2192 Acme EMEA');
    expect(history).toContain('role: collaborator \u2192 Email Creator');
    expect(history).toContain(`console:${acme.adminEmail}`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-user.png'), fullPage: true });

    const scim = await okta.get(`/Users/${patId}`);
    expect(scim.status).toBe(200);
    expect((scim.body as Record<string, unknown>)[ACCESS_USER_SCHEMA]).toMatchObject({
      role: 'Email Creator',
      allBrands: false,
      brands: [brandIds.emea],
    });
    await context.close();
  });

  test('the last admin cannot be demoted: the page again with the message and the input kept, nothing written', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(globex));
    await page.goto(`${baseUrl}/console/users/${globex.adminUserId}`);
    await page.getByLabel('Role').selectOption('collaborator');
    await page.getByLabel('Only the brands checked below').check();
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Save access' }).click();
    expect((await response).status()).toBe(409);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('last admin');
    await expect(page.getByLabel('Role').inputValue()).resolves.toBe('collaborator');
    await expect(page.getByLabel('Only the brands checked below').isChecked()).resolves.toBe(true);
    const { access } = accessServices();
    const stored = await access.findUser(globex.tenantId, globex.adminUserId);
    expect(stored.access).toMatchObject({ role: 'admin', allBrands: true });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  test('another tenant’s user is not found, and a form without the session’s token is refused', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const shown = await page.goto(`${baseUrl}/console/users/${globexUserId}`);
    expect(shown?.status()).toBe(404);
    const posted = await page.request.post(`${baseUrl}/console/users/${globexUserId}/access`, {
      form: { role: 'admin', brand_scope: 'all' },
      headers: { origin: baseUrl },
    });
    expect(posted.status()).toBe(403);
    // With this session's own CSRF token, another tenant's user is still not found.
    await page.goto(`${baseUrl}/console/users/${patId}`);
    const token = await page.locator(`form[method=post] input[name=${CSRF_FIELD}]`).last().inputValue();
    const crossTenant = await page.request.post(`${baseUrl}/console/users/${globexUserId}/access`, {
      form: { [CSRF_FIELD]: token, role: 'admin', brand_scope: 'all' },
      headers: { origin: baseUrl },
    });
    expect(crossTenant.status()).toBe(404);
    const { access } = accessServices();
    expect((await access.findUser(globex.tenantId, globexUserId)).access.role).not.toBe('admin');
    await context.close();
  });

  test('pages through the users with a cursor, and fits a phone-width screen', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/users?after=${encodeURIComponent(acme.adminUserId)}`);
    const names = (await rowsOf(page)).join(' ');
    expect(names).not.toContain(acme.adminEmail);
    expect(names).toContain('pat.doe@acme.example');
    await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-users-phone.png'), fullPage: true });
    await context.close();
  });
});

describe('the Brands page', () => {
  test('creates a brand, keeps a bad name with the message, and deletes a brand, taking it from its users', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.getByRole('navigation').getByRole('link', { name: 'Brands' }).click();
    await page.getByRole('heading', { name: 'Brands', exact: true }).waitFor();

    const rejected = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByLabel('Brand name').fill(`Acme\u0007 LATAM`);
    await page.getByRole('button', { name: 'Create brand' }).click();
    expect((await rejected).status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Enter a brand name');
    await expect(page.getByLabel('Brand name').inputValue()).resolves.toBe(`Acme\u0007 LATAM`);

    await page.getByLabel('Brand name').fill('Acme LATAM');
    await page.getByRole('button', { name: 'Create brand' }).click();
    await page.getByText('Brand Acme LATAM created.').waitFor();
    expect((await rowsOf(page)).join(' ')).toContain('Acme LATAM');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-brands.png'), fullPage: true });

    const { access } = accessServices('operator');
    const sam = await access.findUser(acme.tenantId, 'sam.roe@acme.example');
    await access.setBrands(acme.tenantId, sam.id, [brandIds.apac]);
    await page.getByRole('button', { name: 'Delete Acme APAC' }).click();
    await page.getByText('Brand Acme APAC deleted; 1 user lost it.').waitFor();
    expect((await rowsOf(page)).join(' ')).not.toContain('Acme APAC');
    const scim = await okta.get(`/Users/${sam.id}`);
    const samAccess = (scim.body as Record<string, { allBrands: boolean; brands?: string[] }>)[ACCESS_USER_SCHEMA];
    expect(samAccess?.allBrands).toBe(false);
    expect(samAccess?.brands ?? []).toEqual([]);
    await context.close();
  });

  test('another tenant’s brand is not found, and nothing is deleted', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(globex));
    await page.goto(`${baseUrl}/console/brands`);
    const token = await page.locator(`form[method=post] input[name=${CSRF_FIELD}]`).last().inputValue();
    const response = await page.request.post(`${baseUrl}/console/brands/${brandIds.emea}/delete`, {
      form: { [CSRF_FIELD]: token },
      headers: { origin: baseUrl },
    });
    expect(response.status()).toBe(404);
    const { access } = accessServices();
    expect((await access.listBrands(acme.tenantId)).map((brand) => brand.brandId)).toContain(brandIds.emea);
    await context.close();
  });
});
