import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import {
  launchChromium,
  localContext,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';
import { scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/**
 * The console's Activity page in Chromium: what Okta did through the real HTTP server, as the tenant's admin
 * reads it, filtered by status and user, without JavaScript too, with no other tenant's activity.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
let globexUserId: string;
jest.setTimeout(120_000);

beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation' });
  globex = await oauthFixture({ tenantName: 'Globex' });
  const okta = scimClient(service, (await scimTestToken(acme.tenantId)).token);
  const user = (userName: string) => ({ schemas: [CORE_USER_SCHEMA], userName, name: { givenName: 'Pat' } });
  expect((await okta.post('/Users', user('pat.doe@acme.example'))).status).toBe(201);
  expect((await okta.post('/Users', user('Pat.Doe@acme.example'))).status).toBe(409);
  expect((await okta.get('/Users/no-such-user')).status).toBe(404);
  const globexOkta = scimClient(service, (await scimTestToken(globex.tenantId)).token);
  const created = await globexOkta.post('/Users', user('pat.doe@acme.example'));
  globexUserId = (created.body as { id: string }).id;
  await service.activityIngested();
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

const rowsOf = async (page: import('playwright-core').Page) =>
  (await page.locator('tbody tr').allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));

describe('the Activity page', () => {
  test('shows what Okta did, with the error it got, filtered by status and user, and nothing of another tenant', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    const all = await rowsOf(page);
    expect(all).toHaveLength(3);
    expect(all[0]).toContain('GET /scim/v2/Users/{id}');
    expect(all[0]).toContain('Failure 404');
    expect(all[1]).toContain('POST /scim/v2/Users');
    expect(all[1]).toContain(
      'Failure 409 uniqueness: A user with this userName already exists (userName is case-insensitive)',
    );
    expect(all[2]).toContain('Success 201');
    expect(all.join(' ')).not.toContain(globexUserId);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-activity.png'), fullPage: true });

    await page.getByLabel('Status').selectOption('failure');
    await page.getByLabel('User').fill('PAT.DOE@ACME.EXAMPLE');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForLoadState('load');
    expect(await rowsOf(page)).toEqual([expect.stringContaining('Failure 409')]);
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('failure');
    await expect(page.getByLabel('User').inputValue()).resolves.toBe('PAT.DOE@ACME.EXAMPLE');

    // Another tenant's user id finds nothing here.
    await page.goto(`${baseUrl}/console/activity?user=${encodeURIComponent(globexUserId)}`);
    await page.getByText('No activity matches these filters.').waitFor();
    await context.close();
  });

  test('bad filters give the page again with a clear message and the input kept', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const response = await page.goto(`${baseUrl}/console/activity?status=broken&user=pat`);
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Choose a status: all, success or failure.');
    await expect(page.getByLabel('User').inputValue()).resolves.toBe('pat');
    const stale = await page.goto(`${baseUrl}/console/activity?cursor=not-a-cursor`);
    expect(stale?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Showing the newest entries instead.');
    expect(await rowsOf(page)).toHaveLength(3);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  test('works without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.route(
      (url) => url.hostname !== 'localhost',
      (route) => route.abort(),
    );
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(globex));
    await page.goto(`${baseUrl}/console/activity`);
    await page.getByLabel('Status').selectOption('success');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toContain('status=success');
    expect(await rowsOf(page)).toEqual([expect.stringContaining('Success 201')]);
    await context.close();
  });

  test('fits a phone-width screen', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/activity`);
    await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-activity-phone.png'), fullPage: true });
    await context.close();
  });

  test('needs a signed-in admin', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/activity`);
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    await context.close();
  });
});
