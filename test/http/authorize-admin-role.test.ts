import { patchUser } from '../../core/scim/users';
import { hashAdminPassword } from '../../functions/_shared/password-hashing';
import { accessServices } from '../support/access-services';
import { AuthorizeBrowser, hiddenField, type PageResponse } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, rememberTokens } from '../support/oauth';
import { patchOp, scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * An admin account may approve a connection only while its user holds the tenant's `admin` role; grants it
 * approved before losing the role belong to the tenant and keep working.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

const access = () => accessServices().access;

async function addAdmin(connection: OAuthFixture, email: string): Promise<{ userId: string; password: string }> {
  const password = `pw-${email}-long-enough`;
  rememberSecret(password);
  const { admin } = await accessServices().accounts.createAdmin({
    tenantId: connection.tenantId,
    email,
    name: { givenName: 'Second', familyName: 'Admin' },
    passwordHash: await hashAdminPassword(password),
  });
  return { userId: admin.userId, password };
}

async function signIn(connection: OAuthFixture, email: string, password: string) {
  const browser = new AuthorizeBrowser(service.baseUrl);
  const login = await browser.get(
    browser.authorizeUrl({ response_type: 'code', client_id: connection.clientId, redirect_uri: OKTA_CALLBACK }),
  );
  expect(login.status).toBe(200);
  const page = await browser.post({
    step: 'login',
    csrf_token: hiddenField(login.body, 'csrf_token'),
    email,
    password,
  });
  return { browser, page };
}

const allow = (browser: AuthorizeBrowser, consent: PageResponse) =>
  browser.post({ step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' });

async function token(connection: OAuthFixture, parameters: Record<string, string>) {
  const response = await fetch(`${service.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...parameters,
      client_id: connection.clientId,
      client_secret: connection.clientSecret,
    }),
  });
  return { status: response.status, body: rememberTokens((await response.json()) as Record<string, string>) };
}

function expectRefusal(page: PageResponse): void {
  expect(page.status).toBe(403);
  expect(page.location).toBeNull();
  expect(page.body).toContain('no longer has the admin role');
  expect(page.body).toContain('Nothing was approved');
}

describe('approving connections follows the admin role', () => {
  test('a demoted admin cannot sign in to approve; the grant they approved before keeps working', async () => {
    const connection = await oauthFixture();
    const { browser, page: consent } = await signIn(connection, connection.adminEmail, connection.adminPassword);
    expect(consent.status).toBe(200);
    const answer = await allow(browser, consent);
    expect(answer.status).toBe(303);
    const code = new URL(answer.location as string).searchParams.get('code') as string;
    rememberSecret(code);
    const issued = await token(connection, { grant_type: 'authorization_code', code, redirect_uri: OKTA_CALLBACK });
    expect(issued.status).toBe(200);

    await addAdmin(connection, 'successor@acme.example');
    await access().setRole(connection.tenantId, connection.adminUserId, 'collaborator');

    const refused = await signIn(connection, connection.adminEmail, connection.adminPassword);
    expectRefusal(refused.page);

    const refreshed = await token(connection, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    const users = await scimClient(service, refreshed.body.access_token).get('/Users?startIndex=1&count=10');
    expect(users.status).toBe(200);
  });

  test('an admin demoted between sign-in and Allow gets a refusal page and no code', async () => {
    const connection = await oauthFixture();
    const second = await addAdmin(connection, 'second@acme.example');
    const { browser, page: consent } = await signIn(connection, 'second@acme.example', second.password);
    expect(consent.status).toBe(200);
    await access().setRole(connection.tenantId, second.userId, 'collaborator');
    expectRefusal(await allow(browser, consent));
  });

  test('an admin whose user the identity provider deactivated cannot approve', async () => {
    const connection = await oauthFixture();
    const store = access().users;
    await patchUser(
      { store, tenantId: connection.tenantId },
      connection.adminUserId,
      patchOp({ op: 'replace', value: { active: false } }),
      undefined,
    );
    expectRefusal((await signIn(connection, connection.adminEmail, connection.adminPassword)).page);
  });
});
