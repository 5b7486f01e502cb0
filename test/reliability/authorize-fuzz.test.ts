import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { invoke } from '../support/invoke';
import { useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, oauthFixture } from '../support/oauth';
import { rememberSecret } from '../support/secrets';
import { scanTable } from '../support/storage-consistency';

// Random authorization requests (RFC 6749 §4.1.1) and random posts of the sign-in and consent forms, straight
// into the handlers, for a client and tenant whose names carry HTML and script. Never a 500; every page is
// HTML with nothing of the payloads left unescaped; every redirect goes to a registered redirect URI; and no
// authorization code is ever issued without the admin's password.

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(2)>",
  '</title><iframe src=javascript:alert(3)>',
];
const TAG = /<(script|img|svg|iframe)\b/i;

let connection: OAuthFixture;
let baseUrl: string;

beforeAll(async () => {
  baseUrl = useLocalEnvironment();
  connection = await oauthFixture({
    clientName: `Okta ${PAYLOADS.join(' ')}`,
    tenantName: `Acme ${PAYLOADS.join(' ')}`,
  });
  rememberSecret(connection.clientSecret);
  rememberSecret(connection.adminPassword);
});

const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
const text = (maxLength = 40) => fc.string({ unit: 'binary', maxLength }).map(wellFormed);
const payload = fc.constantFrom(...PAYLOADS);

const parameterValues = fc.oneof(
  text(),
  payload,
  fc.constantFrom(
    'code',
    'token',
    'code id_token',
    'scim',
    'scim openid',
    'S256',
    'plain',
    'login',
    'none',
    'client',
    'redirect',
    'otherRedirect',
    'https://evil.example/callback',
    'javascript:alert(1)',
    '//evil.example',
  ),
  // Values far longer than any key or item field may be (a client_id of 3,000 characters, say).
  fc.integer({ min: 200, max: 4000 }).map((size) => 'x'.repeat(size)),
);
const parameterNames = fc.oneof(
  fc.constantFrom(
    'response_type',
    'client_id',
    'redirect_uri',
    'state',
    'scope',
    'code_challenge',
    'code_challenge_method',
    'prompt',
    'login_hint',
    'nonce',
    'response_mode',
    'request',
  ),
  text(12),
);

/** Weighted so that most requests name our client and a registered redirect URI, and reach the later checks. */
const authorizeParameters = fc
  .tuple(
    fc.boolean(),
    fc.boolean(),
    fc.constantFrom('code', 'token', ''),
    fc.array(fc.tuple(parameterNames, parameterValues), { maxLength: 6 }),
  )
  .map(([withClient, withRedirect, responseType, extra]) => [
    ...(withClient ? [['client_id', 'client'] as [string, string]] : []),
    ...(withRedirect ? [['redirect_uri', 'redirect'] as [string, string]] : []),
    ...(responseType ? [['response_type', responseType] as [string, string]] : []),
    ...extra,
  ]);

function resolve(value: string): string {
  if (value === 'client') return connection.clientId;
  if (value === 'redirect') return connection.redirectUris[0] as string;
  if (value === 'otherRedirect') return connection.redirectUris[1] as string;
  return value;
}

const query = (pairs: readonly [string, string][]) =>
  pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(resolve(value))}`).join('&');

/** What every answer of the authorization endpoint must be. */
function expectSafeAnswer(result: APIGatewayProxyResult): void {
  expect(result.statusCode).toBeLessThan(500);
  const location = result.headers?.Location;
  if (result.statusCode >= 300 && result.statusCode < 400) {
    // Back to a registered redirect URI only (RFC 6749 §4.1.2.1, §10.15): never an open redirector.
    expect(connection.redirectUris.some((uri) => String(location).startsWith(`${uri}?`))).toBe(true);
    return;
  }
  expect(result.headers?.['Content-Type']).toMatch(/^text\/html/);
  expect(result.body).not.toMatch(TAG);
  for (const raw of PAYLOADS) expect(result.body).not.toContain(raw);
  expect(result.body).not.toMatch(/node_modules|\.ts:\d+|\bat [\w.<>]+ \(/);
}

const codesOfClient = async () =>
  (await scanTable('grants')).filter(
    (item) => String(item.pk).startsWith('CODE#') && item.clientId === connection.clientId,
  ).length;

test('random authorization requests: never a 500, payloads always escaped, redirects only to registered URIs', async () => {
  await fc.assert(
    fc.asyncProperty(authorizeParameters, async (pairs) => {
      expectSafeAnswer(await invoke({ method: 'GET', url: `/oauth/authorize?${query(pairs)}` }));
    }),
    { numRuns: 800 },
  );
}, 120_000);

test.each([256, 257, 1100, 3000])(
  'a client_id of %s characters is an error page before any lookup, never a 500 (RFC 6749 §4.1.2.1)',
  async (size) => {
    const result = await invoke({
      method: 'GET',
      url: `/oauth/authorize?${query([
        ['response_type', 'code'],
        ['client_id', 'c'.repeat(size)],
        ['redirect_uri', 'redirect'],
      ])}`,
    });
    expectSafeAnswer(result);
    expect(result.statusCode).toBe(400);
    expect(result.headers?.Location).toBeUndefined();
    expect(result.body).toContain(size > 256 ? 'longer than 256 characters' : 'not registered');
  },
);

const randomFields = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom('step', 'csrf_token', 'email', 'password', 'decision', 'redirect_uri', 'state', 'next'),
      text(12),
    ),
    fc.oneof(
      text(),
      payload,
      fc.constantFrom('login', 'consent', 'allow', 'deny', 'adminEmail', 'csrf', 'https://evil.example/cb'),
    ),
  ),
  { maxLength: 4 },
);

/** The sign-in form as our page posts it, with the password never right, and fields added, dropped or changed. */
const signInFields = fc
  .record({
    step: fc.oneof({ arbitrary: fc.constant('login'), weight: 4 }, fc.constantFrom('consent', ''), text(8)),
    csrf: fc.oneof({ arbitrary: fc.constant('csrf'), weight: 4 }, text(50)),
    email: fc.oneof(
      { arbitrary: fc.constant('adminEmail'), weight: 3 },
      payload,
      text(),
      fc.integer({ min: 200, max: 4000 }).map((size) => `${'e'.repeat(size)}@acme.example`),
    ),
    password: fc.oneof(text(), payload),
    extra: randomFields,
  })
  .map(({ step, csrf, email, password, extra }): [string, string][] => [
    ['step', step],
    ['csrf_token', csrf],
    ['email', email],
    ['password', password],
    ...extra,
  ]);

const posts = fc.record({
  fields: fc.oneof({ arbitrary: signInFields, weight: 3 }, randomFields),
  cookie: fc.oneof(
    { arbitrary: fc.constant('session'), weight: 6 },
    fc.constantFrom('none', '__Host-authorization=', '__Host-authorization=x; __Host-authorization=y'),
    text().map((value) => value.replace(/[\r\n]/g, '')),
  ),
  origin: fc.oneof(
    { arbitrary: fc.constant('same'), weight: 6 },
    fc.constantFrom('https://evil.example', 'null', 'none'),
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 6 },
    fc.constantFrom('multipart/form-data', 'text/plain', 'none'),
  ),
});

/**
 * The fuzzed sign-ins fail by the hundred, and the sign-in throttle counts failures per source address in the
 * shared DynamoDB Local: they come from an address of their own, so that other test files' sign-ins from
 * 127.0.0.1 are not throttled.
 */
const FUZZ_SOURCE_IP = '198.51.100.23';

/** A fresh sign-in session, as a browser holds it after GET /oauth/authorize: the cookie and the CSRF token. */
async function signInSession(): Promise<{ cookie: string; csrf: string }> {
  const login = await invoke({
    method: 'GET',
    sourceIp: FUZZ_SOURCE_IP,
    url: `/oauth/authorize?${query([
      ['response_type', 'code'],
      ['client_id', 'client'],
      ['redirect_uri', 'redirect'],
      ['state', PAYLOADS[0] as string],
    ])}`,
  });
  expectSafeAnswer(login);
  const cookie = String(login.multiValueHeaders?.['Set-Cookie']?.[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
  expect(cookie).toMatch(/^__Host-authorization=.+/);
  expect(csrf).not.toBe('');
  return { cookie, csrf };
}

test('random posts of the sign-in and consent forms: never a 500, payloads escaped, and never a code without the password', async () => {
  const codesBefore = await codesOfClient();
  await fc.assert(
    fc.asyncProperty(posts, async (post) => {
      const session = await signInSession();
      const body = new URLSearchParams(
        post.fields.map(([name, value]): [string, string] => [
          name,
          value === 'adminEmail' ? connection.adminEmail : value === 'csrf' ? session.csrf : value,
        ]),
      ).toString();
      const cookie = post.cookie === 'session' ? session.cookie : post.cookie === 'none' ? undefined : post.cookie;
      const result = await invoke({
        method: 'POST',
        sourceIp: FUZZ_SOURCE_IP,
        url: '/oauth/authorize',
        headers: {
          ...(cookie === undefined ? {} : { Cookie: cookie }),
          ...(post.origin === 'none' ? {} : { Origin: post.origin === 'same' ? baseUrl : post.origin }),
          ...(post.contentType === 'none' ? {} : { 'Content-Type': post.contentType }),
        },
        body,
      });
      expectSafeAnswer(result);
      if (result.statusCode >= 300 && result.statusCode < 400) {
        expect(new URL(String(result.headers?.Location)).searchParams.has('code')).toBe(false);
      }
    }),
    { numRuns: 300 },
  );
  expect(await codesOfClient()).toBe(codesBefore);
}, 120_000);

test.each([254, 255, 1100, 3000])(
  'an email of %s characters on the sign-in form: the sign-in page again, with the input kept, never a 500',
  async (size) => {
    const session = await signInSession();
    const email = `${'e'.repeat(size - '@acme.example'.length)}@acme.example`;
    const result = await invoke({
      method: 'POST',
      sourceIp: FUZZ_SOURCE_IP,
      url: '/oauth/authorize',
      headers: { Cookie: session.cookie, Origin: baseUrl, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ step: 'login', csrf_token: session.csrf, email, password: 'a guess' }).toString(),
    });
    expectSafeAnswer(result);
    expect(result.body).toContain(`value="${email}"`);
    if (size > 254) {
      expect(result.statusCode).toBe(400);
      expect(result.body).toContain('longer than 254 characters');
    } else {
      expect([400, 429]).toContain(result.statusCode);
      expect(result.body).not.toContain('longer than 254 characters');
    }
  },
);

test('the consent page escapes HTML and script in every field that can carry it: client and tenant names, the admin’s email', async () => {
  const hostile = await oauthFixture({
    clientName: `Okta ${PAYLOADS.join(' ')}`,
    tenantName: `Acme ${PAYLOADS.join(' ')}`,
    adminEmail: `"${PAYLOADS[1]}"@acme.example`,
  });
  rememberSecret(hostile.adminPassword);
  rememberSecret(hostile.clientSecret);
  const sourceIp = '203.0.113.7';
  const login = await invoke({
    method: 'GET',
    sourceIp,
    url: `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: hostile.clientId,
      redirect_uri: hostile.redirectUris[0] as string,
      state: PAYLOADS.join(''),
    })}`,
  });
  const cookie = String(login.multiValueHeaders?.['Set-Cookie']?.[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
  const consent = await invoke({
    method: 'POST',
    sourceIp,
    url: '/oauth/authorize',
    headers: { Cookie: cookie, Origin: baseUrl, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      step: 'login',
      csrf_token: csrf,
      email: hostile.adminEmail,
      password: hostile.adminPassword,
    }).toString(),
  });
  expect(consent.statusCode).toBe(200);
  expect(consent.body).toContain('name="decision" value="allow"');
  expectSafeAnswer(consent);
  expect(consent.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&quot;@acme.example');
  expect(consent.body).toContain('&lt;/title&gt;&lt;iframe src=javascript:alert(3)&gt;');
});
