import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import {
  approveInBrowser,
  launchChromium,
  localContext,
  postAgain,
  resendOnNextSubmit,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
  submitCapturing,
} from '../support/console';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, oauthStores, rememberTokens } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

/**
 * The console's OAuth applications in a real Chromium, beyond the set-up guide's confidential one
 * (console-browser.test.ts): a public application (no secret, PKCE S256) connected and refreshed with
 * openid-client, its connection's last use, a Create form posted twice, deletion after a confirmation page,
 * and what each kind of client offers to rotate. Every page is checked with axe-core at desktop and phone width.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let browser: Browser;
beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation', clientName: 'Okta provisioning' });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const signIn = (page: Page) =>
  signInToConsole(page, baseUrl, { tenantId: acme.tenantId, email: acme.adminEmail, password: acme.adminPassword });

const DESKTOP = { width: 1100, height: 900 };
const PHONE = { width: 390, height: 844 };

/** No serious or critical axe-core violation, at desktop width and at phone width. */
async function expectAccessibleAtBothWidths(page: Page): Promise<void> {
  const viewport = page.viewportSize();
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  }
  if (viewport) await page.setViewportSize(viewport);
}

async function fillCreateForm(page: Page, name: string, confidential: boolean): Promise<void> {
  await page.goto(`${baseUrl}/console/applications/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Redirect URI').fill(OKTA_CALLBACK);
  if (confidential) await page.getByLabel('Confidential').check();
  else await page.getByLabel('Confidential').uncheck();
}

describe('a public application', () => {
  test('unchecked Confidential: a Client ID, no secret, PKCE S256; it connects, refreshes, and shows its last use', async () => {
    const context = await localContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page);
    await fillCreateForm(page, 'Device app', false);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Save the Client ID' }).waitFor();
    await expect(page.getByText('no Client Secret').isVisible()).resolves.toBe(true);
    await expect(page.getByText('PKCE with S256').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('#client-secret').count()).resolves.toBe(0);
    await expect(page.locator('#token-endpoint').textContent()).resolves.toBe(`${baseUrl}/oauth/token`);
    await expect(page.locator('#authorization-endpoint').textContent()).resolves.toBe(`${baseUrl}/oauth/authorize`);
    await expect(page.locator('#scim-base-url').textContent()).resolves.toBe(`${baseUrl}/scim/v2`);
    await expect(page.getByRole('button', { name: 'Rotate secret' }).count()).resolves.toBe(0);
    await expect(page.getByText('nothing to rotate').isVisible()).resolves.toBe(true);
    const clientId = (await page.locator('#client-id').textContent()) as string;
    await expect(oauthStores().clients.get(clientId)).resolves.toMatchObject({ publicClient: true, secrets: [] });
    await expectAccessibleAtBothWidths(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-application-public.png'), fullPage: true });

    // The list says what kind of client each application is.
    await page.goto(`${baseUrl}/console/applications`);
    const row = page.getByRole('row', { name: /Device app/ });
    await expect(row.textContent()).resolves.toContain('Public, PKCE S256 (no secret)');
    await expect(page.getByRole('row', { name: /Okta provisioning/ }).textContent()).resolves.toContain(
      'Confidential, client secret',
    );

    // openid-client as the public client: PKCE S256 through the consent page in the browser, then a refresh.
    // The issuer is the browser's address (localhost); the client itself talks to the server's own address.
    const metadata = (await (await fetch(`${service.baseUrl}/.well-known/oauth-authorization-server`)).json()) as {
      issuer: string;
    };
    expect(metadata.issuer).toBe(baseUrl);
    const config = new client.Configuration(
      {
        ...metadata,
        authorization_endpoint: `${baseUrl}/oauth/authorize`,
        token_endpoint: `${service.baseUrl}/oauth/token`,
      },
      clientId,
      undefined,
      client.None(),
    );
    client.allowInsecureRequests(config);
    const verifier = client.randomPKCECodeVerifier();
    rememberSecret(verifier);
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: OKTA_CALLBACK,
      scope: 'scim offline_access',
      state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await approveInBrowser(context, authorizationUrl.href, {
      email: acme.adminEmail,
      password: acme.adminPassword,
    });
    const tokens = rememberTokens(
      await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' }),
    );
    await page.goto(`${baseUrl}/console/applications/${clientId}`);
    const connection = page.getByRole('row', { name: new RegExp(acme.adminEmail) });
    await expect(connection.textContent()).resolves.toContain('Not since approval');

    rememberTokens(await client.refreshTokenGrant(config, tokens.refresh_token as string));
    await page.reload();
    const lastUsed = await page
      .getByRole('row', { name: new RegExp(acme.adminEmail) })
      .getByRole('cell')
      .nth(2)
      .textContent();
    expect(lastUsed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.now() - Date.parse(lastUsed as string)).toBeLessThan(10 * 60_000);
    await expectAccessibleAtBothWidths(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-application-connections.png'), fullPage: true });
    await context.close();
  });
});

describe('a form posted twice', () => {
  test('the same form sent again creates nothing and shows no second secret', async () => {
    const context = await localContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page);
    await fillCreateForm(page, 'Sent twice', true);
    const sent = await submitCapturing(page, page.getByRole('button', { name: 'Create' }));
    expect(sent.status).toBe(303);
    await page.getByRole('heading', { name: 'Save the Client ID and Client Secret' }).waitFor();
    const clientId = (await page.locator('#client-id').textContent()) as string;
    rememberSecret((await page.locator('#client-secret').textContent()) as string);

    // What the browser sends when the form is resubmitted (Back and resend, a double click, a second tab).
    const again = await postAgain(page, sent);
    expect(again.status()).toBe(409);
    const answer = await again.text();
    expect(answer).toContain('This form was already sent');
    expect(answer).toContain(`/console/applications/${clientId}`);
    expect(answer).not.toMatch(/client-secret/);

    // In the browser: the same page, with the link to what the first post created.
    await resendOnNextSubmit(page, sent);
    await fillCreateForm(page, 'Sent twice, edited', true);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'This form was already sent' }).waitFor();
    await expectAccessibleAtBothWidths(page);
    await page.getByRole('link', { name: 'Sent twice' }).click();
    await page.getByRole('heading', { name: 'Sent twice' }).waitFor();

    const named = (await oauthStores().clients.list(acme.tenantId)).filter((c) => c.name.startsWith('Sent twice'));
    expect(named.map((c) => c.clientId)).toEqual([clientId]);
    await context.close();
  });

  test('Rotate secret sent twice rotates once: the secrets stay as the first rotation left them', async () => {
    const context = await localContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page);
    await fillCreateForm(page, 'Rotated twice', true);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Save the Client ID and Client Secret' }).waitFor();
    const clientId = (await page.locator('#client-id').textContent()) as string;
    rememberSecret((await page.locator('#client-secret').textContent()) as string);
    await page.reload();
    const sent = await submitCapturing(page, page.getByRole('button', { name: 'Rotate secret' }));
    expect(sent.status).toBe(303);
    rememberSecret((await page.locator('#client-secret').textContent()) as string);
    const rotatedOnce = (await oauthStores().clients.get(clientId))?.secrets;

    const again = await postAgain(page, sent);
    expect(again.status()).toBe(409);
    const answer = await again.text();
    expect(answer).toContain('This form was already sent');
    expect(answer).toContain('so it was not rotated again');
    expect(answer).not.toMatch(/client-secret/);
    expect((await oauthStores().clients.get(clientId))?.secrets).toEqual(rotatedOnce);
    expect(rotatedOnce).toHaveLength(2);
    await context.close();
  });
});

describe('deleting an application', () => {
  test('asks on its own page, says what it revokes; Cancel keeps it, Delete removes it', async () => {
    const context = await localContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page);
    await fillCreateForm(page, 'To delete', true);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Save the Client ID and Client Secret' }).waitFor();
    const clientId = (await page.locator('#client-id').textContent()) as string;
    rememberSecret((await page.locator('#client-secret').textContent()) as string);

    await page.getByRole('link', { name: 'Delete this application…' }).click();
    await page.getByRole('heading', { name: 'Delete To delete?' }).waitFor();
    await expect(page.getByText('0 active connections are revoked').isVisible()).resolves.toBe(true);
    await expect(page.getByText('Client Secret stops working at once').isVisible()).resolves.toBe(true);
    await expectAccessibleAtBothWidths(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-application-delete.png'), fullPage: true });
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'To delete' }).waitFor();
    await expect(oauthStores().clients.get(clientId)).resolves.toBeDefined();

    await page.getByRole('link', { name: 'Delete this application…' }).click();
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.getByText('To delete was deleted; 0 connections revoked.').waitFor();
    await expect(oauthStores().clients.get(clientId)).resolves.toBeUndefined();
    await context.close();
  });
});

describe('rotation for every kind of client', () => {
  test('a client that signs JWTs has no Rotate button, the page says why, and a forged rotate post is refused', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { client: machine } = await oauthStores().clients.createWithAssertionKeys({
      tenantId: acme.tenantId,
      name: 'Entra with keys',
      kind: 'client_credentials',
      assertionCredential: { kind: 'jwks', keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
    });
    const context = await localContext(browser, { viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${baseUrl}/console/applications/${machine.clientId}`);
    await expect(page.getByText('Machine, signed JWT (private_key_jwt)').first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Rotate secret' }).count()).resolves.toBe(0);
    await expect(page.getByText('Its keys are rotated where they are kept').isVisible()).resolves.toBe(true);
    await expectAccessibleAtBothWidths(page);
    const csrf = (await page.locator('input[name=csrf_token]').first().getAttribute('value')) as string;
    const forged = await page.request.post(`${baseUrl}/console/applications/${machine.clientId}/rotate-secret`, {
      form: { csrf_token: csrf },
      headers: { Origin: baseUrl },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(409);
    await expect(forged.text()).resolves.toContain('rotate its keys where they are kept');
    await context.close();
  });
});
