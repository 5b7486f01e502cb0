import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { AuthorizationSessionStore } from '../../adapters/dynamodb/authorization-session-store';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { documentClient, tableName } from '../../functions/_shared/services';
import { AuthorizeBrowser, hiddenField, type PageResponse } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture } from '../support/oauth';

let service: RunningService;
let connection: OAuthFixture;
beforeAll(async () => {
  service = await startService();
  connection = await oauthFixture();
});
afterAll(() => service.close());

const codes = () => new AuthorizationCodeStore(documentClient(), tableName('grants'));

/** The authorization request Okta sends, with overrides. */
function oktaRequest(overrides: Record<string, string | readonly string[] | undefined> = {}) {
  return {
    response_type: 'code',
    client_id: connection.clientId,
    redirect_uri: OKTA_CALLBACK,
    state: 'okta-state-123',
    ...overrides,
  };
}

async function startFlow(browser: AuthorizeBrowser, overrides = {}): Promise<PageResponse> {
  const page = await browser.get(browser.authorizeUrl(oktaRequest(overrides)));
  expect(page.status).toBe(200);
  return page;
}

async function signIn(browser: AuthorizeBrowser, loginPage: PageResponse, email = connection.adminEmail) {
  return browser.post({
    step: 'login',
    csrf_token: hiddenField(loginPage.body, 'csrf_token'),
    email,
    password: connection.adminPassword,
  });
}

function callbackParameters(location: string | null): URLSearchParams {
  expect(location).not.toBeNull();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(OKTA_CALLBACK);
  return url.searchParams;
}

describe('the authorization code flow through the pages', () => {
  test('AS-A8: sign-in, consent and Allow end in a 303 to the redirect URI with code, state and iss', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    expect(login.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const consent = await signIn(browser, login);
    expect(consent.status).toBe(200);
    expect(consent.body).toContain(connection.clientName);
    expect(consent.body).toContain(connection.tenantName);
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'allow',
    });
    expect(answer.status).toBe(303);
    const parameters = callbackParameters(answer.location);
    expect([...parameters.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(parameters.get('state')).toBe('okta-state-123');
    expect(parameters.get('iss')).toBe(service.baseUrl);
    const record = await codes().get(opaqueTokenHash(parameters.get('code') as string));
    expect(record).toMatchObject({ tenantId: connection.tenantId, clientId: connection.clientId });
  });
});

async function approve(browser: AuthorizeBrowser, overrides = {}) {
  const consent = await signIn(browser, await startFlow(browser, overrides));
  expect(consent.status).toBe(200);
  return browser.post({ step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' });
}

function expectErrorPage(page: PageResponse, status = 400) {
  expect(page.status).toBe(status);
  expect(page.location).toBeNull();
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.body).toMatch(/^<!doctype html>/);
  expect(page.body).not.toMatch(/at \S+ \(|Error:|\{"error"/);
}

describe('authorization request errors shown on our own page, never redirected', () => {
  test.each([
    ['missing client_id', { client_id: undefined }],
    ['unknown client_id', { client_id: 'no-such-client' }],
    ['empty client_id', { client_id: '' }],
    ['client_id sent twice', { client_id: ['a', 'b'] }],
  ])('AS-A1: %s → 400 HTML error page without Location', async (_case, overrides) => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(browser.authorizeUrl(oktaRequest(overrides)));
    expectErrorPage(page);
    expect(browser.cookies.size).toBe(0);
  });

  test.each([
    ['a trailing slash', `${OKTA_CALLBACK}/`],
    ['a different case in the path', OKTA_CALLBACK.replace('/oauth/', '/OAuth/')],
    ['a different case in the host', OKTA_CALLBACK.replace('system-admin.okta.com', 'System-Admin.okta.com')],
    ['an extra query parameter', `${OKTA_CALLBACK}?next=1`],
    ['a fragment', `${OKTA_CALLBACK}#x`],
    ['percent-encoding', OKTA_CALLBACK.replace('/oauth/callback', '/oauth%2Fcallback')],
    ['userinfo', OKTA_CALLBACK.replace('okta.com', 'okta.com@evil.example')],
    ['another port', OKTA_CALLBACK.replace('okta.com', 'okta.com:8443')],
    ['http instead of https', OKTA_CALLBACK.replace('https:', 'http:')],
    ['a prefix', OKTA_CALLBACK.slice(0, -3)],
    ['a suffix', `${OKTA_CALLBACK}xyz`],
    ['another host', 'https://evil.example/callback'],
  ])('AS-A2: a redirect_uri with %s → 400 error page, no redirect', async (_case, redirectUri) => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    expectErrorPage(await browser.get(browser.authorizeUrl(oktaRequest({ redirect_uri: redirectUri }))));
  });

  test('AS-A3: a missing redirect_uri is an error page, not a default, for a client with several', async () => {
    expect(connection.redirectUris.length).toBeGreaterThan(1);
    const browser = new AuthorizeBrowser(service.baseUrl);
    expectErrorPage(await browser.get(browser.authorizeUrl(oktaRequest({ redirect_uri: undefined }))));
  });

  test('AS-A7: an empty client_id next to the real one counts as not sent (RFC 6749 §3.1), like at /oauth/token', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(browser.authorizeUrl(oktaRequest({ client_id: ['', connection.clientId] })));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign in to review a connection');
  });

  test('AS-A7: a redirect_uri sent twice → error page', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(
      browser.authorizeUrl(oktaRequest({ redirect_uri: [OKTA_CALLBACK, 'https://evil.example/cb'] })),
    );
    expectErrorPage(page);
  });
});

describe('authorization request errors redirected to the validated redirect URI', () => {
  test.each([
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: undefined }, 'invalid_request'],
    ['an unknown scope', { scope: 'scim admin' }, 'invalid_scope'],
    ['a malformed scope', { scope: 'sc"im' }, 'invalid_scope'],
    ['a repeated scope parameter', { scope: ['scim', 'scim'] }, 'invalid_request'],
    ['a repeated response_type', { response_type: ['code', 'code'] }, 'invalid_request'],
  ])('AS-A5: %s → 303 to the redirect URI with %s, state and iss', async (_case, overrides, error) => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(browser.authorizeUrl(oktaRequest(overrides)));
    expect(page.status).toBe(303);
    const parameters = callbackParameters(page.location);
    expect(parameters.get('error')).toBe(error);
    expect(parameters.get('error_description')).toEqual(expect.any(String));
    expect(parameters.get('state')).toBe('okta-state-123');
    expect(parameters.get('iss')).toBe(service.baseUrl);
    expect(parameters.has('code')).toBe(false);
    expect(page.location?.startsWith(`${OKTA_CALLBACK}?`)).toBe(true);
  });

  test.each([
    ['code_challenge_method=plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
    ['an unknown method', { code_challenge: 'a'.repeat(43), code_challenge_method: 'S512' }],
    ['a challenge without a method', { code_challenge: 'a'.repeat(43) }],
    ['a method without a challenge', { code_challenge_method: 'S256' }],
    ['a challenge of 42 characters', { code_challenge: 'a'.repeat(42), code_challenge_method: 'S256' }],
    ['a challenge of 129 characters', { code_challenge: 'a'.repeat(129), code_challenge_method: 'S256' }],
    ['a challenge with a + sign', { code_challenge: `${'a'.repeat(42)}+`, code_challenge_method: 'S256' }],
  ])('AS-D2: %s → invalid_request redirect', async (_case, overrides) => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(browser.authorizeUrl(oktaRequest(overrides)));
    expect(page.status).toBe(303);
    const parameters = callbackParameters(page.location);
    expect(parameters.get('error')).toBe('invalid_request');
    expect(parameters.get('state')).toBe('okta-state-123');
  });

  test('AS-A6: a space in state survives when percent-encoded as %20', async () => {
    // API Gateway REST decodes %XX in query values but leaves `+` as it is, so only %20 means a space.
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await browser.get(
      browser.authorizeUrl(oktaRequest({ state: 'a b' })).replace('state=a+b', 'state=a%20b'),
    );
    const consent = await signIn(browser, login);
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'deny',
    });
    expect(callbackParameters(answer.location).get('state')).toBe('a b');
  });

  test('AS-A6: a state longer than 2048 characters → invalid_request, and it is not echoed', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(browser.authorizeUrl(oktaRequest({ state: 's'.repeat(2049) })));
    const parameters = callbackParameters(page.location);
    expect(parameters.get('error')).toBe('invalid_request');
    expect(parameters.has('state')).toBe(false);
  });

  test('AS-A6: state is echoed exactly, and a request without state gets none back', async () => {
    const state = `<script>alert(1)</script>"quoted"&amp;+/=é%41${'x'.repeat(100)}`;
    const withState = callbackParameters((await approve(new AuthorizeBrowser(service.baseUrl), { state })).location);
    expect(withState.get('state')).toBe(state);
    const without = callbackParameters(
      (await approve(new AuthorizeBrowser(service.baseUrl), { state: undefined })).location,
    );
    expect(without.has('state')).toBe(false);
    expect(without.get('code')).toEqual(expect.any(String));
  });
});

describe('the approved authorization', () => {
  test('AS-A11: the code is bound to client, redirect URI, tenant, admin, scope, PKCE challenge and sign-in time', async () => {
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const before = Math.floor(Date.now() / 1000);
    const answer = await approve(new AuthorizeBrowser(service.baseUrl), {
      redirect_uri: connection.redirectUris[1],
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'scim',
      // A tenant parameter is not ours to take from the request; it must be ignored.
      tenant_id: 'another-tenant',
    });
    const location = new URL(answer.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(connection.redirectUris[1]);
    const record = await codes().get(opaqueTokenHash(location.searchParams.get('code') as string));
    expect(record).toMatchObject({
      tenantId: connection.tenantId,
      clientId: connection.clientId,
      redirectUri: connection.redirectUris[1],
      subject: connection.adminUserId,
      scope: 'scim',
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    expect(record?.authTime).toBeGreaterThanOrEqual(before);
  });

  test('AS-A12: the success and the error responses carry iss = the issuer', async () => {
    const success = callbackParameters((await approve(new AuthorizeBrowser(service.baseUrl))).location);
    expect(success.get('iss')).toBe(service.baseUrl);
    const browser = new AuthorizeBrowser(service.baseUrl);
    const error = callbackParameters((await browser.get(browser.authorizeUrl(oktaRequest({ scope: 'x' })))).location);
    expect(error.get('iss')).toBe(service.baseUrl);
  });

  test('Deny → 303 to the redirect URI with error=access_denied, state and iss, and no code', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const consent = await signIn(browser, await startFlow(browser));
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'deny',
    });
    expect(answer.status).toBe(303);
    const parameters = callbackParameters(answer.location);
    expect(parameters.get('error')).toBe('access_denied');
    expect(parameters.get('state')).toBe('okta-state-123');
    expect(parameters.get('iss')).toBe(service.baseUrl);
    expect(parameters.has('code')).toBe(false);
  });

  test('a consent is answered once: a second Allow (double click, replay) gets an error page', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const consent = await signIn(browser, await startFlow(browser));
    const fields = { step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' };
    const cookie = new Map(browser.cookies);
    expect((await browser.post(fields)).status).toBe(303);
    for (const [name, value] of cookie) browser.cookies.set(name, value);
    expectErrorPage(await browser.post(fields));
  });

  test.each(['allow', 'deny'])(
    'a client deleted while the admin decides gets no redirect on %s, only an error page',
    async (decision) => {
      const doomed = await oauthFixture();
      const browser = new AuthorizeBrowser(service.baseUrl);
      const login = await browser.get(
        browser.authorizeUrl({ response_type: 'code', client_id: doomed.clientId, redirect_uri: OKTA_CALLBACK }),
      );
      const consent = await browser.post({
        step: 'login',
        csrf_token: hiddenField(login.body, 'csrf_token'),
        email: doomed.adminEmail,
        password: doomed.adminPassword,
      });
      expect(consent.status).toBe(200);
      await new ClientStore(documentClient(), tableName('clients')).delete(doomed.clientId);
      const answer = await browser.post({
        step: 'consent',
        csrf_token: hiddenField(consent.body, 'csrf_token'),
        decision,
      });
      expectErrorPage(answer);
    },
  );

  test('AS-B9: an admin deleted between sign-in and Allow gets a refusal page, and no code', async () => {
    const leaving = await oauthFixture();
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await browser.get(
      browser.authorizeUrl({ response_type: 'code', client_id: leaving.clientId, redirect_uri: OKTA_CALLBACK }),
    );
    const consent = await browser.post({
      step: 'login',
      csrf_token: hiddenField(login.body, 'csrf_token'),
      email: leaving.adminEmail,
      password: leaving.adminPassword,
    });
    expect(consent.status).toBe(200);
    await new TenantStore(documentClient(), tableName('clients')).deleteAdmin(leaving.tenantId, leaving.adminEmail);
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'allow',
    });
    expectErrorPage(answer, 403);
  });

  test('AS-A9: no open redirector: next/returnTo parameters are ignored, the only target is the redirect URI', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser, { next: 'https://evil.example/', returnTo: '//evil.example/x' });
    const consent = await browser.post({
      step: 'login',
      csrf_token: hiddenField(login.body, 'csrf_token'),
      email: connection.adminEmail,
      password: connection.adminPassword,
      next: 'https://evil.example/',
    });
    expect(consent.status).toBe(200);
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'allow',
      returnTo: '//evil.example/x',
      redirect_uri: 'https://evil.example/cb',
    });
    expect(answer.location?.startsWith(`${OKTA_CALLBACK}?`)).toBe(true);
    expect(answer.location).not.toContain('evil');
  });

  test('AS-A10: no CORS headers on the authorization endpoint', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const response = await fetch(browser.authorizeUrl(oktaRequest()), {
      headers: { Origin: 'https://evil.example' },
      redirect: 'manual',
    });
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});

describe('sign-in and consent protections', () => {
  test('AS-B1: a missing or wrong CSRF token → 403, no code, and the session still works afterwards', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    const credentials = { step: 'login', email: connection.adminEmail, password: connection.adminPassword };
    expectErrorPage(await browser.post(credentials), 403);
    expectErrorPage(await browser.post({ ...credentials, csrf_token: 'forged' }), 403);
    const consent = await signIn(browser, login);
    expect(consent.status).toBe(200);
    const csrf = hiddenField(consent.body, 'csrf_token');
    const wrong = await browser.post({ step: 'consent', csrf_token: `${csrf}x`, decision: 'allow' });
    expectErrorPage(wrong, 403);
    const right = await browser.post({ step: 'consent', csrf_token: csrf, decision: 'allow' });
    expect(callbackParameters(right.location).get('code')).toEqual(expect.any(String));
  });

  test('AS-B1: a post from another origin or site → 403 even with the right token', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const consent = await signIn(browser, await startFlow(browser));
    const fields = { step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' };
    expectErrorPage(await browser.post(fields, { Origin: 'https://evil.example' }), 403);
    expectErrorPage(await browser.post(fields, { 'Sec-Fetch-Site': 'cross-site' }), 403);
    expect((await browser.post(fields)).status).toBe(303);
  });

  test('a post without the session cookie → 403 error page', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    browser.cookies.clear();
    expectErrorPage(await signIn(browser, login), 403);
  });

  test('AS-B2: approval happens only on POST; a GET with the session cookie never issues a code', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const consent = await signIn(browser, await startFlow(browser));
    const csrf = hiddenField(consent.body, 'csrf_token');
    const viaGet = await browser.get(
      `${browser.authorizeUrl(oktaRequest())}&step=consent&decision=allow&csrf_token=${csrf}`,
    );
    expect(viaGet.status).toBe(200);
    expect(viaGet.location).toBeNull();
    expect(viaGet.body).toContain('Sign in');
  });

  test('AS-B3, AS-B4: sign-in, consent and error pages forbid framing, referrers, caching and outside resources', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    const consent = await signIn(browser, login);
    const error = await browser.get(browser.authorizeUrl(oktaRequest({ client_id: 'nope' })));
    for (const page of [login, consent, error]) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.body).not.toMatch(/<(script|link|img|iframe)\b/i);
      expect(page.body).not.toMatch(/\b(src|href)=/i);
    }
  });

  test('AS-B6: the session cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, and renewed at sign-in', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    const [loginCookie] = login.headers.getSetCookie();
    expect(loginCookie).toMatch(/^__Host-authorization=[A-Za-z0-9_-]{43}; /);
    expect(loginCookie).toContain('; Path=/;');
    expect(loginCookie).toContain('; Secure');
    expect(loginCookie).toContain('; HttpOnly');
    expect(loginCookie).toContain('; SameSite=Lax');
    const loginSession = browser.cookies.get('__Host-authorization');
    const consent = await signIn(browser, login);
    const consentSession = browser.cookies.get('__Host-authorization');
    expect(consentSession).toBeDefined();
    expect(consentSession).not.toBe(loginSession);
    // The session id from before sign-in (say, planted by an attacker) is worth nothing afterwards.
    const planted = new AuthorizeBrowser(service.baseUrl);
    planted.cookies.set('__Host-authorization', loginSession as string);
    const csrf = hiddenField(consent.body, 'csrf_token');
    expectErrorPage(await planted.post({ step: 'consent', csrf_token: csrf, decision: 'allow' }));
  });

  test('AS-B7: an unknown email gets exactly the answer of a wrong password', async () => {
    const unknown = new AuthorizeBrowser(service.baseUrl);
    const unknownLogin = await startFlow(unknown);
    const unknownAnswer = await unknown.post({
      step: 'login',
      csrf_token: hiddenField(unknownLogin.body, 'csrf_token'),
      email: 'nobody@acme.example',
      password: 'guess',
    });
    const wrong = new AuthorizeBrowser(service.baseUrl);
    const wrongLogin = await startFlow(wrong);
    const wrongAnswer = await wrong.post({
      step: 'login',
      csrf_token: hiddenField(wrongLogin.body, 'csrf_token'),
      email: 'nobody@acme.example'.replace('nobody', connection.adminEmail.split('@')[0] as string),
      password: 'guess',
    });
    expect(wrongAnswer.status).toBe(400);
    expect(unknownAnswer.status).toBe(wrongAnswer.status);
    const normalize = (page: PageResponse, email: string) =>
      page.body.replace(/name="csrf_token" value="[^"]*"/, '').replace(email, 'EMAIL');
    expect(normalize(unknownAnswer, 'nobody@acme.example')).toBe(normalize(wrongAnswer, connection.adminEmail));
    expect(unknownAnswer.body).toContain('The email or password is incorrect.');
  });
});

describe('what the pages show', () => {
  const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(2)>"];

  test('AS-B5: HTML and script in the client name, tenant name and state are escaped on every page', async () => {
    const hostile = await oauthFixture({
      clientName: `Okta ${payloads.join(' ')}`,
      tenantName: `Acme ${payloads.join(' ')}`,
    });
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await browser.get(
      browser.authorizeUrl({
        response_type: 'code',
        client_id: hostile.clientId,
        redirect_uri: hostile.redirectUris[0],
        state: payloads.join(''),
      }),
    );
    const consent = await browser.post({
      step: 'login',
      csrf_token: hiddenField(login.body, 'csrf_token'),
      email: hostile.adminEmail,
      password: hostile.adminPassword,
    });
    expect(consent.status).toBe(200);
    for (const page of [login, consent]) {
      for (const payload of payloads) expect(page.body).not.toContain(payload);
      expect(page.body).not.toMatch(/<(script|img|svg)\b/i);
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(page.body).toContain('&#39;&gt;&lt;svg onload=alert(2)&gt;');
    }
  });

  test('the consent page names the client, the tenant, the signed-in admin and what the connection may do', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const consent = await signIn(browser, await startFlow(browser));
    expect(consent.body).toContain(`Allow ${connection.clientName} to connect?`);
    expect(consent.body).toContain(`<dd>${connection.tenantName}</dd>`);
    expect(consent.body).toContain(connection.adminEmail);
    expect(consent.body).toContain('Create, read, update, deactivate and delete this tenant&#39;s users over SCIM');
    expect(consent.body).toContain('<dd>system-admin.okta.com</dd>');
    // The real lifetimes of the connection (the grant's absolute end and the refresh tokens' idle end).
    expect(consent.body).toContain(
      'The connection ends 365 days after you allow it, after 90 days in which the application does not use it, or when an administrator revokes it, whichever comes first.',
    );
    expect(consent.body).not.toContain('stays in place');
    expect(consent.body).toMatch(/<button type="submit" name="decision" value="allow">Allow<\/button>/);
    expect(consent.body).toMatch(/<button type="submit" name="decision" value="deny"[^>]*>Deny<\/button>/);
  });

  test('the sign-in and consent pages show the tenant id in the small print, so two tenants of one name differ', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    const consent = await signIn(browser, login);
    for (const page of [login, consent]) {
      expect(page.body).toContain(`<p class="muted">Organization ID: ${connection.tenantId}</p>`);
    }
  });

  test('an unregistered redirect_uri: the error page shows the URI received, escaped', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const received = 'https://system-admin.okta.com/admin/app/cpc/acme_knak_1/oauth/callback?x=<b>"</b>';
    const page = await browser.get(browser.authorizeUrl(oktaRequest({ redirect_uri: received })));
    expectErrorPage(page);
    expect(page.body).toContain(
      'https://system-admin.okta.com/admin/app/cpc/acme_knak_1/oauth/callback?x=&lt;b&gt;&quot;&lt;/b&gt;',
    );
    expect(page.body).not.toContain('<b>');
  });

  test('Back after Allow, then sending a form again: the page says it was already answered, not that cookies are blocked', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    const consent = await signIn(browser, login);
    const consentFields = { step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' };
    expect((await browser.post(consentFields)).status).toBe(303);
    const loginFields = {
      step: 'login',
      csrf_token: hiddenField(login.body, 'csrf_token'),
      email: connection.adminEmail,
      password: connection.adminPassword,
    };
    for (const fields of [consentFields, loginFields]) {
      const again = await browser.post(fields);
      expectErrorPage(again);
      expect(again.body).toContain('This connection request was already answered');
      expect(again.body).not.toContain('cookies may be blocked');
    }
  });

  test('the sign-in page has labelled email and password fields and posts to the issuer', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    expect(login.body).toContain('<label for="email">Email</label>');
    expect(login.body).toContain('<input id="email" name="email" type="email"');
    expect(login.body).toContain('<label for="password">Password</label>');
    expect(login.body).toContain('<input id="password" name="password" type="password"');
    expect(login.body).toContain(`<form method="post" action="${service.baseUrl}/oauth/authorize">`);
    expect(login.headers.get('content-security-policy')).toContain("form-action 'self' https://system-admin.okta.com");
  });

  test('AS-B10: an expired sign-in session ends on an error page, without a code', async () => {
    const sessions = new AuthorizationSessionStore(documentClient(), tableName('grants'));
    const secret = newOpaqueToken();
    const csrf = newOpaqueToken();
    const now = Math.floor(Date.now() / 1000);
    await sessions.create(secret, {
      stage: 'consent',
      request: {
        clientId: connection.clientId,
        tenantId: connection.tenantId,
        redirectUri: OKTA_CALLBACK,
        scope: 'scim',
      },
      csrfTokenHash: opaqueTokenHash(csrf),
      admin: { userId: connection.adminUserId, email: connection.adminEmail, authTime: now - 1000 },
      createdAt: now - 1000,
      expiresAt: now - 1,
    });
    const browser = new AuthorizeBrowser(service.baseUrl);
    browser.cookies.set('__Host-authorization', secret);
    const answer = await browser.post({ step: 'consent', csrf_token: csrf, decision: 'allow' });
    expectErrorPage(answer);
    expect(answer.body).toContain('expired');
  });

  test.each([
    ['a JSON body', 'application/json', '{"step":"login"}'],
    ['a form with repeated fields', 'application/x-www-form-urlencoded', 'step=login&step=consent&csrf_token=x'],
    ['an empty form', 'application/x-www-form-urlencoded', ''],
  ])('%s gets an HTML error page, never JSON', async (_case, contentType, body) => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    await startFlow(browser);
    const response = await fetch(`${service.baseUrl}/oauth/authorize`, {
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        Cookie: `__Host-authorization=${browser.cookies.get('__Host-authorization')}`,
      },
      body,
      redirect: 'manual',
    });
    expectErrorPage(
      {
        status: response.status,
        headers: response.headers,
        body: await response.text(),
        location: response.headers.get('location'),
      },
      response.status,
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  test('AS-F3, AS-B9: the approval is audit-logged; no log line holds the code, password, CSRF token or session', async () => {
    const logs = captureLogs();
    let secrets: string[];
    try {
      const browser = new AuthorizeBrowser(service.baseUrl);
      const login = await startFlow(browser);
      const loginSession = browser.cookies.get('__Host-authorization') as string;
      const consent = await signIn(browser, login);
      const csrf = hiddenField(consent.body, 'csrf_token');
      const consentSession = browser.cookies.get('__Host-authorization') as string;
      const answer = await browser.post({ step: 'consent', csrf_token: csrf, decision: 'allow' });
      const code = callbackParameters(answer.location).get('code') as string;
      secrets = [
        code,
        connection.adminPassword,
        csrf,
        hiddenField(login.body, 'csrf_token'),
        loginSession,
        consentSession,
      ];
    } finally {
      logs.restore();
    }
    const text = logs.lines().join('\n');
    expect(logs.json().find((line) => line.message === 'connection approved')).toMatchObject({
      tenant: connection.tenantId,
      clientId: connection.clientId,
      subject: connection.adminUserId,
      scope: 'scim',
      sourceIp: '127.0.0.1',
      timestamp: expect.any(String),
    });
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
