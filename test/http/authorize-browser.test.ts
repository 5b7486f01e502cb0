import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, rememberTokens } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

/**
 * The sign-in and consent pages in a real browser: Debian's Chromium, driven by Playwright, from the
 * authorization URL to the redirect to Okta's callback. The callback is answered inside the browser by a
 * route handler, so nothing leaves the machine; the test reads code, state and iss from that URL.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT_DIR = join(__dirname, '..', '..', '.local');

let service: RunningService;
/** As in the README walkthrough: the browser talks to http://localhost, which it treats as a secure origin. */
let baseUrl: string;
let connection: OAuthFixture;
let browser: Browser;
beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  connection = await oauthFixture({ tenantName: 'Acme Corporation', clientName: 'Okta provisioning' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

/** Opens a fresh browser page whose navigations to Okta are answered locally; resolves with the callback URL. */
async function pageWithOktaCallback(): Promise<{ page: Page; callback: Promise<URL> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const callback = new Promise<URL>((resolve) => {
    void context.route('https://system-admin.okta.com/**', async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'Okta callback (answered by the test)' });
    });
  });
  await context.route(
    (url) => url.hostname !== 'localhost' && url.hostname !== 'system-admin.okta.com',
    (route) => route.abort(),
  );
  return { page, callback };
}

function authorizationUrl(state: string): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: connection.clientId,
    redirect_uri: OKTA_CALLBACK,
    state,
  });
  return `${baseUrl}/oauth/authorize?${query}`;
}

async function signInToConsent(page: Page, state: string): Promise<void> {
  await page.goto(authorizationUrl(state));
  await page.getByLabel('Email').fill(connection.adminEmail);
  await page.getByLabel('Password').fill(connection.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Allow ${connection.clientName} to connect?` }).waitFor();
}

describe('the consent flow in Chromium', () => {
  test('AS-A8: sign in, Allow, and the browser lands on the Okta callback with code, state and iss', async () => {
    const { page, callback } = await pageWithOktaCallback();
    await signInToConsent(page, 'okta-browser-state');

    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: '__Host-authorization',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
      }),
    ]);
    await expect(page.getByText(connection.tenantName).first().isVisible()).resolves.toBe(true);
    await expect(
      page.getByText("Create, read, update, deactivate and delete this tenant's users over SCIM").isVisible(),
    ).resolves.toBe(true);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'consent-page.png'), fullPage: true });

    await page.getByRole('button', { name: 'Allow' }).click();
    const url = await callback;
    expect(`${url.origin}${url.pathname}`).toBe(OKTA_CALLBACK);
    expect(url.searchParams.get('state')).toBe('okta-browser-state');
    expect(url.searchParams.get('iss')).toBe(baseUrl);
    const code = url.searchParams.get('code') as string;
    rememberSecret(code);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The code is good at the token endpoint, as Okta would redeem it (client_secret_post).
    const tokenResponse = await fetch(`${service.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: OKTA_CALLBACK,
        client_id: connection.clientId,
        client_secret: connection.clientSecret,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const tokens = rememberTokens((await tokenResponse.json()) as Record<string, unknown>);
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'scim' });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    await page.context().close();
  });

  test('Deny: the browser lands on the Okta callback with error=access_denied and no code', async () => {
    const { page, callback } = await pageWithOktaCallback();
    await signInToConsent(page, 'deny-state');
    await page.getByRole('button', { name: 'Deny' }).click();
    const url = await callback;
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('deny-state');
    expect(url.searchParams.get('iss')).toBe(baseUrl);
    expect(url.searchParams.has('code')).toBe(false);
    await page.context().close();
  });

  test('a wrong password shows the sign-in page again with an alert, and no navigation away', async () => {
    const { page } = await pageWithOktaCallback();
    await page.goto(authorizationUrl('wrong-password'));
    await page.getByLabel('Email').fill(connection.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('The email or password is incorrect.');
    expect(new URL(page.url()).origin).toBe(baseUrl);
    await page.context().close();
  });
});
