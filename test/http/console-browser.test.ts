import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ConsoleSessionStore } from '../../adapters/dynamodb/console-session-store';
import { ACCOUNT_POLICY } from '../../core/oauth/login-throttle';
import { documentClient, tableName } from '../../functions/_shared/services';
import {
  fillSignIn,
  launchChromium,
  localContext,
  rememberCookies,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, rememberTokens } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

/**
 * The admin console in a real Chromium, as a tenant admin uses it: the set-up guide's Step 1 (sign in, create
 * the OAuth application, copy its values, connect as Okta does through the consent page, a SCIM call), then
 * its rules: accessibility of every page, CSRF, session expiry, lock-out and another tenant's ids. Okta's
 * callback is answered inside the browser, so nothing leaves the machine. Screenshots go to .local/screenshots/,
 * or with UPDATE_SCREENSHOTS=1 to docs/images/ for docs/console.md.
 */

let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation', clientName: 'Okta provisioning' });
  globex = await oauthFixture({ tenantName: 'Globex', clientName: 'Globex Okta' });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
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

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

const sessionCookieOf = async (page: Page) =>
  (await page.context().cookies()).find((cookie) => cookie.name === '__Host-console')?.value as string;

describe('the set-up guide, Step 1, in the console', () => {
  test('sign in, create the OAuth application, copy its values, connect as Okta, call SCIM', async () => {
    const context = await localContext(browser, { viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/sign-in?tenant=${acme.tenantId}`);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-sign-in.png'), fullPage: true });
    await fillSignIn(page, account(acme));
    await page.getByRole('heading', { name: 'OAuth applications' }).waitFor();
    await rememberCookies(context);
    const cookie = (await context.cookies()).find((candidate) => candidate.name === '__Host-console');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Create new OAuth application' }).click();
    await expectAccessible(page);
    await page.getByLabel('Name').fill('User Provisioning');
    await page.getByLabel('Redirect URI').fill(OKTA_CALLBACK);
    await page.getByLabel('Confidential').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-create-application.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Save the Client ID and Client Secret' }).waitFor();
    await expectAccessible(page);
    const clientId = (await page.locator('#client-id').textContent()) as string;
    const clientSecret = (await page.locator('#client-secret').textContent()) as string;
    rememberSecret(clientSecret);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(page.locator('#scim-base-url').textContent()).resolves.toBe(`${baseUrl}/scim/v2`);
    await expect(page.locator('#authorization-endpoint').textContent()).resolves.toBe(`${baseUrl}/oauth/authorize`);
    await expect(page.locator('#token-endpoint').textContent()).resolves.toBe(`${baseUrl}/oauth/token`);
    // The copy buttons appear with JavaScript and put the value on the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await page.getByRole('button', { name: 'Copy Client Secret' }).click();
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(clientSecret);
    await page.locator('#client-secret').evaluate((element) => {
      element.textContent = '(hidden in the screenshot)';
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'console-application-created.png'), fullPage: true });

    // Reloading shows the application, never the secret again.
    await page.reload();
    await page.getByRole('heading', { name: 'User Provisioning' }).waitFor();
    await expect(page.locator('#client-secret').count()).resolves.toBe(0);

    // Okta's side: the authorization request with the new Client ID, the admin approves on the consent page.
    const callback = new Promise<URL>((resolve) => {
      void context.route('https://system-admin.okta.com/**', async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'Okta callback (answered by the test)' });
      });
    });
    const okta = await context.newPage();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: OKTA_CALLBACK,
      state: 's1',
    });
    await okta.goto(`${baseUrl}/oauth/authorize?${query}`);
    await okta.getByLabel('Email').fill(acme.adminEmail);
    await okta.getByLabel('Password').fill(acme.adminPassword);
    await okta.getByRole('button', { name: 'Sign in' }).click();
    await okta.getByRole('button', { name: 'Allow' }).click();
    const code = (await callback).searchParams.get('code') as string;
    rememberSecret(code);
    const tokenResponse = await fetch(`${service.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: OKTA_CALLBACK,
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const tokens = rememberTokens((await tokenResponse.json()) as { access_token: string });
    const scim = await fetch(`${service.baseUrl}/scim/v2/Users`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(scim.status).toBe(200);

    // The connection appears on the application's page, with who approved it; revoking ends it.
    await page.reload();
    const row = page.getByRole('row', { name: new RegExp(acme.adminEmail) });
    await expect(row.getByRole('cell', { name: 'Active' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-application.png'), fullPage: true });
    await row.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByText('The connection was revoked').waitFor();
    await expect(page.getByRole('row', { name: new RegExp(acme.adminEmail) }).textContent()).resolves.toMatch(
      /Revoked/,
    );

    // Rotation: a new secret once, the previous one still valid for the overlap.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('The previous secret keeps working until').waitFor();
    const rotated = (await page.locator('#client-secret').textContent()) as string;
    rememberSecret(rotated);
    expect(rotated).not.toBe(clientSecret);

    // Delete, after its confirmation page: back to the list, which says so; the application is gone.
    await page.getByRole('link', { name: 'Delete this application…' }).click();
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.getByText('User Provisioning was deleted; 0 connections revoked.').waitFor();
    await expect(page.getByRole('link', { name: 'User Provisioning' }).count()).resolves.toBe(0);
    await context.close();
  });

  test('bad input: the form again with every problem, the input kept, nothing created', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const before = await page.getByRole('row').count();
    await page.goto(`${baseUrl}/console/applications/new`);
    await page.getByLabel('Name').fill('Phone test');
    await page
      .getByLabel('Redirect URI')
      .fill('http://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/The application was not created/);
    await expect(page.getByText('The redirect URI must use https').first().isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Phone test');
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-create-application-phone.png'), fullPage: true });
    await page.goto(`${baseUrl}/console/applications`);
    await expect(page.getByRole('row').count()).resolves.toBe(before);
    await context.close();
  });
});

describe('console rules', () => {
  test("another tenant's application and connection ids are 404", async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const csrf = (await page.locator('input[name=csrf_token]').first().getAttribute('value')) as string;
    const response = await page.goto(`${baseUrl}/console/applications/${globex.clientId}`);
    expect(response?.status()).toBe(404);
    await expectAccessible(page);
    expect((await page.goto(`${baseUrl}/console/applications/${globex.clientId}/delete`))?.status()).toBe(404);
    const post = (path: string) =>
      page.request.post(`${baseUrl}${path}`, {
        form: { csrf_token: csrf },
        headers: { Origin: baseUrl },
        maxRedirects: 0,
      });
    expect((await post(`/console/applications/${globex.clientId}/delete`)).status()).toBe(404);
    expect((await post(`/console/applications/${globex.clientId}/rotate-secret`)).status()).toBe(404);
    expect((await post(`/console/applications/${acme.clientId}/connections/not-a-grant/revoke`)).status()).toBe(404);
    await context.close();
  });

  test('CSRF: a form post without the token, or with a wrong one, is refused and changes nothing', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const create = (form: Record<string, string>) =>
      page.request.post(`${baseUrl}/console/applications`, { form, headers: { Origin: baseUrl }, maxRedirects: 0 });
    const fields = { name: 'Forged', redirect_uri: OKTA_CALLBACK, confidential: 'yes' };
    expect((await create(fields)).status()).toBe(403);
    expect((await create({ ...fields, csrf_token: 'wrong' })).status()).toBe(403);
    await page.goto(`${baseUrl}/console/applications`);
    await expect(page.getByRole('link', { name: 'Forged' }).count()).resolves.toBe(0);
    await context.close();
  });

  test('sessions: sign-out ends the session server-side; idle and absolute expiry end it too', async () => {
    const sessions = new ConsoleSessionStore(documentClient(), tableName('grants'));
    const now = Math.floor(Date.now() / 1000);
    const expectSignInAsked = async (page: Page, notice?: string) => {
      await page.goto(`${baseUrl}/console/applications`);
      await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
      if (notice) await expect(page.getByRole('status').textContent()).resolves.toBe(notice);
    };

    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    const signedOut = await sessionCookieOf(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await expectAccessible(page);
    await expect(sessions.get(signedOut, now)).resolves.toBeUndefined();
    // The old cookie, put back, is worth nothing.
    const replayed = await page.request.get(`${baseUrl}/console/applications`, {
      headers: { Cookie: `__Host-console=${signedOut}` },
      maxRedirects: 0,
    });
    expect(replayed.status()).toBe(303);
    expect(replayed.headers().location).toMatch(/\/console\/sign-in/);

    await signInToConsole(page, baseUrl, account(acme));
    await sessions.touch(await sessionCookieOf(page), now - 31 * 60, now + 3600);
    await expectSignInAsked(page, 'Your session has ended. Sign in again.');

    await signInToConsole(page, baseUrl, account(acme));
    const secret = await sessionCookieOf(page);
    const session = await sessions.get(secret, now);
    await sessions.delete(secret);
    await sessions.create(
      secret,
      { ...(session as NonNullable<typeof session>), createdAt: now - 13 * 3600 },
      now + 3600,
    );
    await expectSignInAsked(page, 'Your session has ended. Sign in again.');
    await context.close();
  });

  test('lock-out: after repeated wrong passwords even the right one must wait', async () => {
    const target = await oauthFixture({ tenantName: 'Initech' });
    const context = await localContext(browser);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/sign-in`);
    for (let attempt = 0; attempt < ACCOUNT_POLICY.freeFailures; attempt += 1) {
      await fillSignIn(page, { ...account(target), password: `wrong-${attempt}` });
      await expect(page.getByRole('alert').textContent()).resolves.toBe(
        'The organization ID, email or password is incorrect.',
      );
    }
    await fillSignIn(page, account(target));
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Too many failed sign-in attempts/);
    await context.close();
  });
});
