import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ScimTokenStore } from '../../adapters/dynamodb/scim-token-store';
import { CSRF_FIELD } from '../../core/console/csrf';
import { FORM_ID_FIELD } from '../../core/console/form-once';
import { issueScimToken, MAX_ACTIVE_SCIM_TOKENS_PER_TENANT, SCIM_TOKEN_PATTERN } from '../../core/oauth/scim-tokens';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { documentClient, tableName } from '../../functions/_shared/services';
import {
  launchChromium,
  localContext,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  signInToConsole,
} from '../support/console';
import { type EntraStandIn, startEntraStandIn } from '../support/entra-jwks';
import { type RunningService, startService, useLocalEnvironment } from '../support/local-service';
import { basicAuthorization, type OAuthFixture, oauthFixture, oauthStores, rememberTokens } from '../support/oauth';
import { scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * The console's machine clients and SCIM bearer tokens in Chromium, against the real local HTTP server: a
 * token created in the console provisions over SCIM and is refused once revoked; a machine client's secret
 * gets an access token at /token with the client credentials grant (openid-client), survives a rotation for
 * the overlap and dies with the client; a client created with public keys or a federated credential gets one
 * with a client assertion signed by jose (RFC 7523), the federated one against a local stand-in for Entra's
 * keys endpoint, which cannot be reached from here.
 */
let service: RunningService;
let baseUrl: string;
let acme: OAuthFixture;
let globex: OAuthFixture;
let browser: Browser;
let globexClientId: string;
let globexTokenId: string;
jest.setTimeout(180_000);

const tokenStore = () => new ScimTokenStore(documentClient(), tableName('grants'));

beforeAll(async () => {
  service = await startService();
  baseUrl = service.baseUrl.replace('127.0.0.1', 'localhost');
  useLocalEnvironment(baseUrl);
  acme = await oauthFixture({ tenantName: 'Acme Corporation' });
  globex = await oauthFixture({ tenantName: 'Globex' });
  const { clients } = oauthStores();
  const globexClient = await clients.create({
    tenantId: globex.tenantId,
    name: 'Globex Entra',
    kind: 'client_credentials',
  });
  rememberSecret(globexClient.clientSecret);
  globexClientId = globexClient.client.clientId;
  const globexToken = await issueScimToken(
    tokenStore(),
    { tenantId: globex.tenantId, name: 'Globex OneLogin' },
    new Date(),
  );
  if (!globexToken.ok) throw new Error('the fixture token was refused');
  rememberSecret(globexToken.token);
  globexTokenId = globexToken.record.tokenId;
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

const user = (userName: string) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ value: userName, type: 'work', primary: true }],
});

async function submit(page: Page, button: string): Promise<number> {
  const posted = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.getByRole('button', { name: button }).click();
  const status = (await posted).status();
  await page.waitForLoadState('load');
  return status;
}

/** Turns off the browser's own checks of the page's forms, so that the server's are what the test meets. */
const withoutBrowserValidation = (page: Page) =>
  page.evaluate("document.querySelectorAll('form').forEach(function (form) { form.noValidate = true; })");

const shownValue = async (page: Page, id: string) => (await page.locator(`#${id}`).textContent())?.trim() ?? '';

/** The fields of the page's form that posts to `action`, as the browser would send them. */
async function formFields(page: Page, action: string): Promise<Record<string, string>> {
  const form = page.locator(`form[action$="${action}"]`).first();
  const fields: Record<string, string> = {};
  for (const input of await form.locator('input, textarea').all()) {
    const name = await input.getAttribute('name');
    const type = await input.getAttribute('type');
    if (type === 'radio' && !(await input.isChecked())) continue;
    if (name) fields[name] = await input.inputValue();
  }
  return fields;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client_credentials token request authenticated with a client assertion (RFC 7523 §2.2), as Entra sends it. */
async function assertionTokenRequest(clientId: string, assertion: string) {
  rememberSecret(assertion);
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope: 'scim',
    }).toString(),
  });
  return { status: response.status, body: rememberTokens((await response.json()) as Record<string, unknown>) };
}

function discover(clientId: string, clientSecret: string) {
  return client.discovery(new URL(baseUrl), clientId, undefined, client.ClientSecretBasic(clientSecret), {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });
}

async function clientCredentialsToken(clientId: string, clientSecret: string) {
  return rememberTokens(await client.clientCredentialsGrant(await discover(clientId, clientSecret), { scope: 'scim' }));
}

describe('SCIM bearer tokens in the console', () => {
  test('created (shown once, with the SCIM base URL), used for SCIM, revoked after a confirmation, then refused', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/applications`);
    await page.getByRole('link', { name: 'SCIM bearer tokens' }).click();
    await page.getByRole('heading', { name: 'SCIM bearer tokens', exact: true }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await withoutBrowserValidation(page);
    await page.getByLabel('Name').fill('OneLogin');
    await page.getByLabel('Expires after (days)').fill('0');
    expect(await submit(page, 'Create token')).toBe(400);
    await expect(page.locator('#expires_in_days-error').textContent()).resolves.toContain('whole number of days');
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('OneLogin');
    await expect(page.getByLabel('Expires after (days)').inputValue()).resolves.toBe('0');
    expect(await tokenStore().listForTenant(acme.tenantId)).toEqual([]);

    await page.getByLabel('Expires after (days)').fill('');
    expect(await submit(page, 'Create token')).toBe(303);
    const token = await shownValue(page, 'scim-token');
    rememberSecret(token);
    expect(token).toMatch(SCIM_TOKEN_PATTERN);
    expect(await shownValue(page, 'scim-base-url')).toBe(`${baseUrl}/scim/v2`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Save the token now');
    await expect(page.getByRole('button', { name: 'Copy Token' }).isVisible()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-scim-tokens.png'), fullPage: true });

    await page.reload();
    expect(await page.content()).not.toContain(token);
    const row = (await page.locator('tbody tr').allInnerTexts()).join(' ');
    expect(row).toContain('OneLogin');
    expect(row).toContain('Active');

    const oneLogin = scimClient(service, token);
    expect((await oneLogin.post('/Users', user('pat.doe@acme.example'))).status).toBe(201);

    await page.getByRole('link', { name: 'Revoke OneLogin' }).click();
    await page.getByRole('heading', { name: 'Revoke the SCIM token OneLogin?' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('refused within 30 seconds');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-scim-token-revoke.png'), fullPage: true });
    expect(await submit(page, 'Revoke token')).toBe(303);
    await page.getByText('The token OneLogin was revoked').waitFor();
    expect((await page.locator('tbody tr').allInnerTexts()).join(' ')).toContain('Revoked');
    // The resource server trusts what it read for the grant-status window; past it, the revocation shows.
    clearGrantStatusCache();
    const refused = await oneLogin.get('/Users');
    expect(refused.status).toBe(401);
    expect(refused.body?.detail).toBe('The SCIM token has been revoked');
    await context.close();
  });

  test('a form posted twice creates one token, and a tenant at the limit is refused as the CLI refuses it', async () => {
    const initech = await oauthFixture({ tenantName: 'Initech' });
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(initech));
    await page.goto(`${baseUrl}/console/scim-tokens`);
    const fields: Record<string, string> = { ...(await formFields(page, '/console/scim-tokens')), name: 'JumpCloud' };
    expect(fields[FORM_ID_FIELD]).toMatch(/^[\w-]{22}$/);
    const statuses: number[] = [];
    for (let post = 0; post < 2; post += 1) {
      const response = await page.request.post(`${baseUrl}/console/scim-tokens`, {
        form: fields,
        headers: { origin: baseUrl },
        maxRedirects: 0,
      });
      statuses.push(response.status());
      if (post === 1) await expect(response.text()).resolves.toContain('This form was already sent');
    }
    expect(statuses).toEqual([303, 409]);
    expect((await tokenStore().listForTenant(initech.tenantId)).map((token) => token.name)).toEqual(['JumpCloud']);

    for (let issued = 1; issued < MAX_ACTIVE_SCIM_TOKENS_PER_TENANT; issued += 1) {
      const result = await issueScimToken(
        tokenStore(),
        { tenantId: initech.tenantId, name: `Token ${issued}` },
        new Date(),
      );
      if (result.ok) rememberSecret(result.token);
    }
    await page.goto(`${baseUrl}/console/scim-tokens`);
    await page.getByLabel('Name').fill('Rippling');
    expect(await submit(page, 'Create token')).toBe(409);
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain(
      `Initech already has ${MAX_ACTIVE_SCIM_TOKENS_PER_TENANT} active SCIM tokens, the most it may hold. Revoke one first.`,
    );
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Rippling');
    expect(await tokenStore().listForTenant(initech.tenantId)).toHaveLength(MAX_ACTIVE_SCIM_TOKENS_PER_TENANT);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});

describe('machine clients in the console', () => {
  test('created with the four values Entra asks for, shown once; the secret gets a token; rotated with the overlap; deleted after a confirmation', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    await page.goto(`${baseUrl}/console/applications`);
    await page.getByRole('link', { name: 'Machine clients' }).click();
    await page.getByRole('heading', { name: 'Machine clients', exact: true }).waitFor();
    await expect(page.getByLabel('Access token lifetime (minutes)').inputValue()).resolves.toBe('60');

    await withoutBrowserValidation(page);
    await page.getByLabel('Name').fill('Entra ID');
    await page.getByLabel('Access token lifetime (minutes)').fill('30');
    await page.getByLabel('Secret expires after (days)').fill('365');
    expect(await submit(page, 'Create machine client')).toBe(400);
    await expect(page.locator('#token_lifetime_minutes-error').textContent()).resolves.toContain('60 to 360 minutes');
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Entra ID');
    await expect(page.getByLabel('Secret expires after (days)').inputValue()).resolves.toBe('365');
    const { clients } = oauthStores();
    const machineClients = async () =>
      (await clients.list(acme.tenantId)).filter((c) => c.kind === 'client_credentials');
    expect(await machineClients()).toEqual([]);

    await page.getByLabel('Access token lifetime (minutes)').fill('120');
    expect(await submit(page, 'Create machine client')).toBe(303);
    const clientId = await shownValue(page, 'client-id');
    const firstSecret = await shownValue(page, 'client-secret');
    rememberSecret(firstSecret);
    expect(await shownValue(page, 'tenant-url')).toBe(`${baseUrl}/scim/v2`);
    expect(await shownValue(page, 'token-endpoint')).toBe(`${baseUrl}/oauth/token`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Save the Client Secret now');
    await expect(page.getByRole('button', { name: 'Copy Client Secret' }).isVisible()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-machine-clients.png'), fullPage: true });
    const [stored] = await machineClients();
    expect(stored).toMatchObject({ clientId, name: 'Entra ID', accessTokenLifetimeSeconds: 7200 });
    expect(stored?.secrets[0]?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 364 * 86400);

    const tokens = await clientCredentialsToken(clientId, firstSecret);
    expect(tokens.expires_in).toBe(7200);
    expect((await scimClient(service, tokens.access_token).get('/Users')).status).toBe(200);

    await page.reload();
    expect(await page.content()).not.toContain(firstSecret);

    expect(await submit(page, 'Rotate secret of Entra ID')).toBe(303);
    const secondSecret = await shownValue(page, 'client-secret');
    rememberSecret(secondSecret);
    expect(secondSecret).not.toBe(firstSecret);
    expect(await shownValue(page, 'client-id')).toBe(clientId);
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain(
      'The previous secret keeps working until',
    );
    expect((await clientCredentialsToken(clientId, secondSecret)).access_token).toEqual(expect.any(String));
    expect((await clientCredentialsToken(clientId, firstSecret)).access_token).toEqual(expect.any(String));

    await page.getByRole('link', { name: 'Delete Entra ID' }).click();
    await page.getByRole('heading', { name: 'Delete the machine client Entra ID?' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('refused within 30 seconds');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-machine-client-delete.png'), fullPage: true });
    expect(await submit(page, 'Delete machine client')).toBe(303);
    await page.getByText('Entra ID was deleted').waitFor();
    expect(await machineClients()).toEqual([]);
    const refused = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basicAuthorization(clientId, secondSecret),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'scim' }).toString(),
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    await context.close();
  });

  test('a form posted twice creates one client; a client with a signed JWT is listed without a secret to rotate', async () => {
    const umbrella = await oauthFixture({ tenantName: 'Umbrella' });
    const { publicKey } = await generateKeyPair('ES256');
    const { clients } = oauthStores();
    await clients.createWithAssertionKeys({
      tenantId: umbrella.tenantId,
      name: 'Entra federated',
      kind: 'client_credentials',
      assertionCredential: { kind: 'jwks', keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
    });
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(umbrella));
    await page.goto(`${baseUrl}/console/machine-clients`);
    const listed = (await page.locator('tbody tr').allInnerTexts()).join(' ');
    expect(listed).toContain('Entra federated');
    expect(listed).toContain('private_key_jwt');
    await expect(page.getByRole('button', { name: 'Rotate secret of Entra federated' }).count()).resolves.toBe(0);

    const fields = { ...(await formFields(page, '/console/machine-clients')), name: 'Entra ID' };
    const statuses: number[] = [];
    for (let post = 0; post < 2; post += 1) {
      const response = await page.request.post(`${baseUrl}/console/machine-clients`, {
        form: fields,
        headers: { origin: baseUrl },
        maxRedirects: 0,
      });
      statuses.push(response.status());
      if (post === 1) await expect(response.text()).resolves.toContain('This form was already sent');
    }
    expect(statuses).toEqual([303, 409]);
    const names = (await clients.list(umbrella.tenantId))
      .filter((c) => c.kind === 'client_credentials')
      .map((c) => c.name)
      .sort();
    expect(names).toEqual(['Entra ID', 'Entra federated']);
    await page.goto(`${baseUrl}/console/machine-clients`);
    rememberSecret(await shownValue(page, 'client-secret'));
    await context.close();
  });
});

describe('machine clients with a signed JWT, created in the console', () => {
  let entra: EntraStandIn;
  beforeAll(async () => {
    entra = await startEntraStandIn();
  });
  afterAll(async () => {
    await entra?.close();
  });
  const AUDIENCE = 'api://6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c';

  async function machineClientsPage(tenantName: string) {
    const fixture = await oauthFixture({ tenantName });
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(fixture));
    await page.goto(`${baseUrl}/console/machine-clients`);
    await withoutBrowserValidation(page);
    const stored = async () =>
      (await oauthStores().clients.list(fixture.tenantId)).filter((c) => c.kind === 'client_credentials');
    return { fixture, context, page, stored };
  }

  test('public keys: a bad JWK set, a private key and an HMAC key are refused by the field, the input kept unless it holds secret key material; the client created gets a token with a jose-signed assertion', async () => {
    const { context, page, stored } = await machineClientsPage('Stark Industries');
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid };
    await page.getByLabel('Name').fill('Entra keys');
    await page.getByLabel('Public keys (JWK set)').check();
    const refusals: [string, string, { kept: boolean }][] = [
      ['{"keys": [', 'The JWK Set is not JSON', { kept: true }],
      [JSON.stringify({ keys: [privateJwk] }), 'a key holds private members', { kept: false }],
      [
        JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }),
        'not an asymmetric signature key',
        { kept: false },
      ],
    ];
    for (const [pasted, message, { kept }] of refusals) {
      await page.getByLabel('JWK set', { exact: true }).fill(pasted);
      expect(await submit(page, 'Create machine client')).toBe(400);
      await expect(page.locator('#jwks-error').textContent()).resolves.toContain(message);
      await expect(page.getByLabel('JWK set', { exact: true }).inputValue()).resolves.toBe(kept ? pasted : '');
      if (!kept) {
        await expect(page.locator('#jwks-error').textContent()).resolves.toContain('not shown again');
        expect(await page.content()).not.toContain(privateJwk.d as string);
        expect(await page.content()).not.toContain('c2VjcmV0');
      }
      await expect(page.getByLabel('Public keys (JWK set)').isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Entra keys');
      expect(await stored()).toEqual([]);
    }
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByLabel('JWK set', { exact: true }).fill(JSON.stringify({ keys: [publicJwk] }));
    await withoutBrowserValidation(page);
    // The secret's field is not read for a client with keys, so a value the secret kind refuses changes nothing.
    await page.getByLabel('Secret expires after (days)').fill('0');
    expect(await submit(page, 'Create machine client')).toBe(303);
    const clientId = await shownValue(page, 'client-id');
    expect(await shownValue(page, 'tenant-url')).toBe(`${baseUrl}/scim/v2`);
    const tokenEndpoint = await shownValue(page, 'token-endpoint');
    expect(tokenEndpoint).toBe(`${baseUrl}/oauth/token`);
    await expect(page.locator('#client-secret').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.toContain('private_key_jwt');
    const [client] = await stored();
    expect(client).toMatchObject({ clientId, name: 'Entra keys', secrets: [] });
    expect(client?.assertionCredential).toMatchObject({ kind: 'jwks', keys: [{ kid, kty: 'EC' }] });
    expect(JSON.stringify(client?.assertionCredential)).not.toContain(String(privateJwk.d));

    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);
    const reply = await assertionTokenRequest(clientId, assertion);
    expect(reply).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'scim' } });
    expect((await scimClient(service, reply.body.access_token as string).get('/Users')).status).toBe(200);

    await page.reload();
    const listed = (await page.locator('tbody tr').allInnerTexts()).join(' ');
    expect(listed).toContain('Entra keys');
    expect(listed).toContain('private_key_jwt');
    await context.close();
  });

  test('a public-keys form posted twice creates one client', async () => {
    const { context, page, stored } = await machineClientsPage('Cyberdyne');
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const fields = {
      ...(await formFields(page, '/console/machine-clients')),
      name: 'Entra keys',
      authentication: 'jwks',
      jwks: JSON.stringify({ keys: [await exportJWK(publicKey)] }),
    };
    const statuses: number[] = [];
    for (let post = 0; post < 2; post += 1) {
      const response = await page.request.post(`${baseUrl}/console/machine-clients`, {
        form: fields,
        headers: { origin: baseUrl },
        maxRedirects: 0,
      });
      statuses.push(response.status());
      if (post === 1) await expect(response.text()).resolves.toContain('This form was already sent');
    }
    expect(statuses).toEqual([303, 409]);
    expect((await stored()).map((c) => c.name)).toEqual(['Entra keys']);
    await context.close();
  });

  test('federated credential: a plain-http JWKS URL and a missing audience are refused by their fields with the input kept; the client created shows what Entra needs and gets a token with an Entra-signed assertion', async () => {
    const { context, page, stored } = await machineClientsPage('Wayne Enterprises');
    await page.getByLabel('Name').fill('Entra federated');
    await page.getByLabel('Federated credential').check();
    await page.getByLabel('Issuer', { exact: true }).fill(entra.issuer);
    await page.getByLabel('Subject', { exact: true }).fill(entra.subject);
    await page.getByLabel('JWKS URL', { exact: true }).fill('http://login.example.com/keys');
    expect(await submit(page, 'Create machine client')).toBe(400);
    await expect(page.locator('#jwks_uri-error').textContent()).resolves.toContain('JWKS URL must be an https URL');
    await expect(page.locator('#federated_audience-error').textContent()).resolves.toContain('Audience is required');
    await expect(page.getByLabel('JWKS URL', { exact: true }).inputValue()).resolves.toBe(
      'http://login.example.com/keys',
    );
    await expect(page.getByLabel('Issuer', { exact: true }).inputValue()).resolves.toBe(entra.issuer);
    await expect(page.getByLabel('Federated credential').isChecked()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await stored()).toEqual([]);

    await page.getByLabel('Audience', { exact: true }).fill(AUDIENCE);
    await page.getByLabel('JWKS URL', { exact: true }).fill(entra.jwksUri);
    expect(await submit(page, 'Create machine client')).toBe(303);
    const clientId = await shownValue(page, 'client-id');
    expect(await shownValue(page, 'tenant-url')).toBe(`${baseUrl}/scim/v2`);
    expect(await shownValue(page, 'token-endpoint')).toBe(`${baseUrl}/oauth/token`);
    expect(await shownValue(page, 'federated-issuer')).toBe(entra.issuer);
    expect(await shownValue(page, 'federated-subject')).toBe(entra.subject);
    expect(await shownValue(page, 'federated-audience')).toBe(AUDIENCE);
    await expect(page.locator('#client-secret').count()).resolves.toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-machine-client-federated.png'), fullPage: true });
    const [client] = await stored();
    expect(client?.assertionCredential).toEqual({
      kind: 'federated',
      issuer: entra.issuer,
      subject: entra.subject,
      audience: AUDIENCE,
      jwksUri: entra.jwksUri,
    });

    const reply = await assertionTokenRequest(clientId, await entra.token(AUDIENCE));
    expect(reply).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'scim' } });
    expect((await scimClient(service, reply.body.access_token as string).get('/Users')).status).toBe(200);
    await context.close();
  });
});

describe('both pages', () => {
  test('another tenant’s client and token are not found, and a form without the session’s token is refused', async () => {
    const context = await localContext(browser);
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(acme));
    expect((await page.goto(`${baseUrl}/console/machine-clients/${globexClientId}/delete`))?.status()).toBe(404);
    expect((await page.goto(`${baseUrl}/console/scim-tokens/${globexTokenId}/revoke`))?.status()).toBe(404);

    await page.goto(`${baseUrl}/console/scim-tokens`);
    const csrf = await page.locator(`form[method=post] input[name=${CSRF_FIELD}]`).last().inputValue();
    const post = (path: string, form: Record<string, string>) =>
      page.request.post(`${baseUrl}${path}`, { form, headers: { origin: baseUrl }, maxRedirects: 0 });
    expect((await post(`/console/scim-tokens/${globexTokenId}/revoke`, {})).status()).toBe(403);
    expect((await post('/console/scim-tokens', { name: 'Forged' })).status()).toBe(403);
    expect((await post(`/console/scim-tokens/${globexTokenId}/revoke`, { [CSRF_FIELD]: csrf })).status()).toBe(404);
    expect((await post(`/console/machine-clients/${globexClientId}/delete`, { [CSRF_FIELD]: csrf })).status()).toBe(
      404,
    );
    const rotate = await post(`/console/machine-clients/${globexClientId}/rotate-secret`, {
      [CSRF_FIELD]: csrf,
      [FORM_ID_FIELD]: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(rotate.status()).toBe(404);
    const crossSite = await page.request.post(`${baseUrl}/console/scim-tokens`, {
      form: { [CSRF_FIELD]: csrf, name: 'Forged' },
      headers: { origin: 'https://attacker.example' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);

    const { clients } = oauthStores();
    expect((await clients.get(globexClientId))?.secrets).toHaveLength(1);
    expect((await tokenStore().listForTenant(globex.tenantId)).map((token) => token.status)).toEqual(['active']);
    expect((await tokenStore().listForTenant(acme.tenantId)).map((token) => token.name)).not.toContain('Forged');
    await context.close();
  });

  test('both pages fit a phone-width screen without a serious accessibility violation', async () => {
    const context = await localContext(browser, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signInToConsole(page, baseUrl, account(globex));
    for (const path of ['/console/machine-clients', '/console/scim-tokens']) {
      await page.goto(`${baseUrl}${path}`);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
    }
    await page.goto(`${baseUrl}/console/scim-tokens/${globexTokenId}/revoke`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.goto(`${baseUrl}/console/machine-clients/${globexClientId}/delete`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
