import { TENANT_HINT_PARAMETER } from '../../core/oauth/authorization-tenant';
import { AuthorizeBrowser, hiddenField, type PageResponse } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, oauthStores, rememberTokens } from '../support/oauth';
import { scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * One multi-tenant client (the client of an app in Okta's catalogue, OIN) shared by two tenants: each tenant's
 * admin connects it to their own organization, named by the tenant hint or typed on the sign-in page, and the
 * tokens of each connection see only that organization's users, through refresh and revocation.
 */
const OIN_CALLBACK = 'https://system-admin.okta.com/admin/app/generic/oauth20redirect';

let service: RunningService;
let acme: OAuthFixture;
let globex: OAuthFixture;
let shared: { clientId: string; clientSecret: string };
jest.setTimeout(120_000);
beforeAll(async () => {
  service = await startService();
  [acme, globex] = await Promise.all([oauthFixture({ tenantName: 'Acme' }), oauthFixture({ tenantName: 'Globex' })]);
  const { client, clientSecret } = await oauthStores().clients.create({
    name: 'Catalogue app',
    redirectUris: [OIN_CALLBACK, OKTA_CALLBACK],
  });
  rememberSecret(clientSecret);
  expect(client.tenantId).toBeUndefined();
  shared = { clientId: client.clientId, clientSecret };
});
afterAll(() => service.close());

function authorizeUrl(browser: AuthorizeBrowser, hint?: string): string {
  return browser.authorizeUrl({
    response_type: 'code',
    client_id: shared.clientId,
    redirect_uri: OIN_CALLBACK,
    state: 'oin-state',
    [TENANT_HINT_PARAMETER]: hint,
  });
}

async function signIn(
  browser: AuthorizeBrowser,
  login: PageResponse,
  admin: OAuthFixture,
  organization?: string,
): Promise<PageResponse> {
  return browser.post({
    step: 'login',
    csrf_token: hiddenField(login.body, 'csrf_token'),
    organization,
    email: admin.adminEmail,
    password: admin.adminPassword,
  });
}

/** Sign-in and Allow for `admin`, with the tenant hint or the typed organization; returns the code. */
async function connect(admin: OAuthFixture, via: 'hint' | 'typed'): Promise<string> {
  const browser = new AuthorizeBrowser(service.baseUrl);
  const login = await browser.get(authorizeUrl(browser, via === 'hint' ? admin.tenantId : undefined));
  expect(login.status).toBe(200);
  if (via === 'hint') {
    expect(login.body).toContain(admin.tenantName);
    expect(login.body).not.toContain('name="organization"');
  } else {
    expect(login.body).toContain('name="organization"');
    expect(login.body).toContain('your organization');
  }
  const consent = await signIn(browser, login, admin, via === 'typed' ? admin.tenantId : undefined);
  expect(consent.status).toBe(200);
  expect(consent.body).toContain(`administrator of ${admin.tenantName}`);
  expect(consent.body).toContain(`Organization ID: ${admin.tenantId}`);
  const answer = await browser.post({
    step: 'consent',
    csrf_token: hiddenField(consent.body, 'csrf_token'),
    decision: 'allow',
  });
  expect(answer.status).toBe(303);
  const code = new URL(answer.location as string).searchParams.get('code');
  expect(code).toBeTruthy();
  return code as string;
}

async function post(path: string, parameters: Record<string, string>) {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...parameters, client_id: shared.clientId, client_secret: shared.clientSecret }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: rememberTokens(text === '' ? {} : (JSON.parse(text) as Record<string, string>)),
  };
}

const exchange = (code: string) =>
  post('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: OIN_CALLBACK });

async function userNames(accessToken: string): Promise<string[]> {
  const listed = await scimClient(service, accessToken).get('/Users?startIndex=1&count=100');
  expect(listed.status).toBe(200);
  return ((listed.body?.Resources ?? []) as { userName: string }[]).map((user) => user.userName);
}

const newUser = (userName: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ value: userName, primary: true }],
  active: true,
});

describe('one multi-tenant client shared by two tenants', () => {
  test('each consent connects its own organization; tokens, refresh and revocation stay in it', async () => {
    const acmeTokens = await exchange(await connect(acme, 'hint'));
    const globexTokens = await exchange(await connect(globex, 'typed'));
    expect(acmeTokens.status).toBe(200);
    expect(globexTokens.status).toBe(200);

    const acmeScim = scimClient(service, acmeTokens.body.access_token);
    const globexScim = scimClient(service, globexTokens.body.access_token);
    expect((await acmeScim.post('/Users', newUser('ann@acme.example'))).status).toBe(201);
    const globexUser = await globexScim.post('/Users', newUser('gus@globex.example'));
    expect(globexUser.status).toBe(201);

    expect(await userNames(acmeTokens.body.access_token as string)).toContain('ann@acme.example');
    expect(await userNames(acmeTokens.body.access_token as string)).not.toContain('gus@globex.example');
    expect(await userNames(globexTokens.body.access_token as string)).toContain('gus@globex.example');
    expect(await userNames(globexTokens.body.access_token as string)).not.toContain('ann@acme.example');
    expect((await acmeScim.get(`/Users/${globexUser.body?.id as string}`)).status).toBe(404);

    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: acmeTokens.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    const afterRefresh = await userNames(refreshed.body.access_token as string);
    expect(afterRefresh).toContain('ann@acme.example');
    expect(afterRefresh).not.toContain('gus@globex.example');

    const revoked = await post('/oauth/revoke', { token: refreshed.body.refresh_token as string });
    expect(revoked.status).toBe(200);
    expect(
      (
        await post('/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: refreshed.body.refresh_token as string,
        })
      ).status,
    ).toBe(400);
    // Revoking Acme's connection leaves Globex's through the same client working.
    const globexRefreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: globexTokens.body.refresh_token as string,
    });
    expect(globexRefreshed.status).toBe(200);
    expect(await userNames(globexRefreshed.body.access_token as string)).toContain('gus@globex.example');
  });

  test('a tenant hint that is not the admin’s tenant is refused: the admin cannot sign in to it', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await browser.get(authorizeUrl(browser, acme.tenantId));
    expect(login.status).toBe(200);
    const refused = await signIn(browser, login, globex);
    expect(refused.status).toBe(400);
    expect(refused.location).toBeNull();
    expect(refused.body).toContain('The email or password is incorrect.');
  });

  test('a typed organization that is not the admin’s is refused like a wrong password, the input kept', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await browser.get(authorizeUrl(browser));
    const refused = await signIn(browser, login, globex, acme.tenantId);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('The organization ID, email or password is incorrect.');
    expect(refused.body).toContain(`value="${acme.tenantId}"`);
    const unknown = await signIn(browser, refused, globex, 'no-such-organization');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('The organization ID, email or password is incorrect.');
  });

  test('a tenant hint naming no organization goes back to the client as invalid_request', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const answer = await browser.get(authorizeUrl(browser, '00000000-0000-4000-8000-000000000000'));
    expect(answer.status).toBe(303);
    const callback = new URL(answer.location as string);
    expect(`${callback.origin}${callback.pathname}`).toBe(OIN_CALLBACK);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('state')).toBe('oin-state');
  });

  test('a single-tenant client refuses a tenant hint naming another tenant', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const answer = await browser.get(
      browser.authorizeUrl({
        response_type: 'code',
        client_id: acme.clientId,
        redirect_uri: OKTA_CALLBACK,
        [TENANT_HINT_PARAMETER]: globex.tenantId,
      }),
    );
    expect(answer.status).toBe(303);
    expect(new URL(answer.location as string).searchParams.get('error')).toBe('invalid_request');
  });
});
