import { validateHeaderValue } from 'node:http';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { CONSOLE_BASE_PATH, catchAllsOf, type RouteSpec, routes } from '../../contract/routes';
import { clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { documentClient, tableName } from '../../functions/_shared/services';
import { type RunningService, startService } from '../support/local-service';
import {
  basicAuthorization,
  issueTestCode,
  type OAuthFixture,
  OKTA_CALLBACK,
  oauthFixture,
  rememberTokens,
} from '../support/oauth';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

/**
 * Every error a route of the manifest can answer, through the real HTTP server: the status, and that every
 * header value is one Node accepts on the wire and is plain visible ASCII (RFC 9110 §5.5). A header the
 * server cannot write turns into a gateway 503 for the client, so a wrong status here is how it shows.
 */
let service: RunningService;
let activeToken: string;
let revokedToken: string;
let revokedGrantId: string;
let oauth: OAuthFixture;
let connection: OAuthFixture;
jest.setTimeout(120_000);

beforeAll(async () => {
  service = await startService();
  activeToken = (await scimTestToken()).token;
  const revoked = await scimTestToken();
  revokedToken = revoked.token;
  revokedGrantId = revoked.grantId;
  await new GrantStore(documentClient(), tableName('grants')).revoke(revokedGrantId, new Date().toISOString());
  oauth = await oauthFixture();
  connection = await oauthFixture();
});
afterAll(() => service.close());

interface Probe {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly status: number;
}

const UNKNOWN_ID = '01jd0000000000000000000000';
const SCIM_JSON = { 'Content-Type': 'application/scim+json' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const bearer = (token: () => string) => ({ Authorization: `Bearer ${token()}` });

const concretePath = (route: RouteSpec) => route.path.replace(/\{[^}]+\}/g, UNKNOWN_ID);

/** A method the path has no route of its own for, so its 405 catch-all answers. */
function otherMethod(path: string): string {
  const taken = new Set(routes.filter((route) => route.path === path).map((route) => route.method));
  return ['DELETE', 'PUT', 'PATCH', 'POST', 'GET'].find((method) => !taken.has(method as RouteSpec['method'])) ?? 'PUT';
}

/** What a valid request body of a SCIM route looks like, so that only the probed fault is wrong. */
function validScimBody(route: RouteSpec): string | undefined {
  const group = route.path.includes('/Groups');
  if (route.method === 'PATCH') {
    return JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        group
          ? { op: 'replace', path: 'displayName', value: 'Renamed' }
          : { op: 'replace', path: 'active', value: false },
      ],
    });
  }
  if (group && route.method === 'PUT') {
    return JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering' });
  }
  if (route.id === 'ScimUsersSearch' || route.id === 'ScimGroupsSearch')
    return JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] });
  if (route.method === 'POST' || route.method === 'PUT') return JSON.stringify(oktaCreateBody());
  return undefined;
}

function scimProbes(route: RouteSpec): Probe[] {
  const path = concretePath(route);
  const body = validScimBody(route);
  const base = { method: route.method, path, body, headers: body === undefined ? {} : SCIM_JSON };
  const probes: Probe[] = [
    { ...base, name: 'no token', status: 401 },
    {
      ...base,
      name: 'a malformed token',
      headers: { ...base.headers, Authorization: 'Bearer not.a.token' },
      status: 401,
    },
    {
      ...base,
      name: 'a revoked grant’s token',
      headers: { ...base.headers, ...bearer(() => revokedToken) },
      status: 401,
    },
  ];
  const authorized = { ...base.headers, ...bearer(() => activeToken) };
  if (body !== undefined) {
    probes.push(
      { ...base, name: 'a body that is not JSON', headers: authorized, body: '{"schemas":', status: 400 },
      {
        ...base,
        name: 'a body that is not JSON at all',
        headers: { ...authorized, 'Content-Type': 'text/plain' },
        status: 415,
      },
    );
  }
  if (route.path.includes('{id}')) probes.push({ ...base, name: 'an unknown id', headers: authorized, status: 404 });
  if (route.id === 'ScimUsersList') {
    probes.push({
      ...base,
      name: 'a bad filter',
      path: `${path}?filter=${encodeURIComponent('userName xx "a"')}`,
      headers: authorized,
      status: 400,
    });
  }
  if (route.id === 'ScimUsersCreate') {
    probes.push({
      ...base,
      name: 'a user without userName',
      headers: authorized,
      body: JSON.stringify({ schemas: oktaCreateBody().schemas }),
      status: 400,
    });
  }
  return probes;
}

function oauthProbes(route: RouteSpec): Probe[] {
  const path = route.path;
  const basic = () => ({ ...FORM, Authorization: basicAuthorization(oauth.clientId, oauth.clientSecret) });
  switch (route.id) {
    case 'OAuthToken':
      return [
        {
          name: 'a 3,000-character client_id',
          method: 'POST',
          path,
          headers: { ...FORM, Authorization: basicAuthorization('c'.repeat(3000), 'secret') },
          body: 'grant_type=refresh_token&refresh_token=x',
          status: 400,
        },
        {
          name: 'no client authentication',
          method: 'POST',
          path,
          headers: FORM,
          body: 'grant_type=refresh_token&refresh_token=x',
          status: 401,
        },
        {
          name: 'a wrong secret',
          method: 'POST',
          path,
          headers: { ...FORM, Authorization: basicAuthorization(oauth.clientId, 'wrong') },
          body: 'grant_type=refresh_token&refresh_token=x',
          status: 401,
        },
        {
          name: 'a JSON body',
          method: 'POST',
          path,
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
          status: 400,
        },
        {
          name: 'an unsupported grant type',
          method: 'POST',
          path,
          get headers() {
            return basic();
          },
          body: 'grant_type=password',
          status: 400,
        },
        {
          name: 'an unknown code',
          method: 'POST',
          path,
          get headers() {
            return basic();
          },
          body: `grant_type=authorization_code&code=nope&redirect_uri=${encodeURIComponent(oauth.redirectUri)}`,
          status: 400,
        },
        {
          name: 'a repeated parameter',
          method: 'POST',
          path,
          get headers() {
            return basic();
          },
          body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b',
          status: 400,
        },
      ];
    case 'OAuthRevoke':
      return [
        {
          name: 'a 3,000-character client_id',
          method: 'POST',
          path,
          headers: FORM,
          body: `token=x&client_id=${'c'.repeat(3000)}&client_secret=secret`,
          status: 400,
        },
        { name: 'no client authentication', method: 'POST', path, headers: FORM, body: 'token=x', status: 401 },
        {
          name: 'no token',
          method: 'POST',
          path,
          get headers() {
            return basic();
          },
          body: '',
          status: 400,
        },
        {
          name: 'a JSON body',
          method: 'POST',
          path,
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
          status: 400,
        },
      ];
    case 'OAuthAuthorize': {
      const query = (parameters: Record<string, string>) => `${path}?${new URLSearchParams(parameters).toString()}`;
      const request = () => ({ response_type: 'code', client_id: connection.clientId, redirect_uri: OKTA_CALLBACK });
      return [
        { name: 'no client_id', method: 'GET', path, status: 400 },
        {
          name: 'a 3,000-character client_id',
          method: 'GET',
          path: query({ response_type: 'code', client_id: 'c'.repeat(3000), redirect_uri: OKTA_CALLBACK }),
          status: 400,
        },
        {
          name: 'an unknown client',
          method: 'GET',
          path: query({ response_type: 'code', client_id: 'nobody', redirect_uri: OKTA_CALLBACK }),
          status: 400,
        },
        {
          name: 'an unregistered redirect URI',
          method: 'GET',
          get path() {
            return query({ ...request(), redirect_uri: 'https://evil.example/cb' });
          },
          status: 400,
        },
        {
          name: 'an unknown scope (redirected)',
          method: 'GET',
          get path() {
            return query({ ...request(), scope: 'scim admin', state: 'a b’c' });
          },
          status: 303,
        },
        {
          name: 'an unsupported response type (redirected)',
          method: 'GET',
          get path() {
            return query({ ...request(), response_type: 'token' });
          },
          status: 303,
        },
      ];
    }
    case 'OAuthAuthorizeSubmit':
      return [
        { name: 'no session cookie', method: 'POST', path, headers: FORM, body: 'step=login', status: 403 },
        {
          name: 'an unknown session',
          method: 'POST',
          path,
          headers: { ...FORM, Cookie: '__Host-authorization=nope' },
          body: 'step=login',
          status: 400,
        },
        {
          name: 'another origin',
          method: 'POST',
          path,
          headers: { ...FORM, Origin: 'https://evil.example' },
          body: 'step=login',
          status: 403,
        },
        {
          name: 'a JSON body',
          method: 'POST',
          path,
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
          status: 400,
        },
      ];
    default:
      return [];
  }
}

/**
 * The console's pages and forms: without a session a page sends the browser to sign in, and a form posted
 * from another site or as JSON is refused before anything is read.
 */
function consoleProbes(route: RouteSpec): Probe[] {
  const path = route.path.replace(/\{[^}]+\}/g, UNKNOWN_ID);
  if (route.method === 'GET') {
    return [{ name: 'no session', method: 'GET', path, status: route.id === 'ConsoleSignIn' ? 200 : 303 }];
  }
  return [
    {
      name: 'a cross-site form post',
      method: 'POST',
      path,
      headers: { ...FORM, Origin: 'https://evil.example' },
      body: 'csrf_token=x',
      status: 403,
    },
    { name: 'a form post without its token', method: 'POST', path, headers: FORM, body: 'a=b', status: 403 },
    {
      name: 'a JSON body',
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      status: 400,
    },
  ];
}

/** Every route with the probes of its error paths; a route without any fails the test below. */
function probesFor(route: RouteSpec): Probe[] {
  if (route.path === CONSOLE_BASE_PATH || route.path.startsWith(`${CONSOLE_BASE_PATH}/`)) return consoleProbes(route);
  if (route.auth === 'scim-bearer') return scimProbes(route);
  if (route.auth === 'public' && route.path.startsWith('/scim/')) {
    return [{ name: 'a plain read', method: route.method, path: route.path, status: 200 }];
  }
  if (route.id === 'OAuthMetadata' || route.id === 'OAuthJwks') {
    // No function answers another method here: the path's 405 catch-all, whose answer must be valid too.
    return [
      { name: 'a plain read', method: 'GET', path: route.path, status: 200 },
      { name: 'a method no route has', method: 'POST', path: route.path, status: 405 },
    ];
  }
  return oauthProbes(route);
}

const ASCII_FIELD_VALUE = /^[\t\x20-\x7e]*$/;

async function send(probe: Probe): Promise<{ status: number; headers: [string, string][] }> {
  clearGrantStatusCache();
  const response = await fetch(`${service.baseUrl}${probe.path}`, {
    method: probe.method,
    redirect: 'manual',
    headers: probe.headers,
    body: probe.body,
  });
  const text = await response.text();
  if (text.startsWith('{')) rememberTokens(JSON.parse(text));
  const headers: [string, string][] = [...response.headers.entries()].filter(([name]) => name !== 'set-cookie');
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  return { status: response.status, headers };
}

function invalidHeaders(headers: [string, string][]): string[] {
  return headers
    .filter(([name, value]) => {
      try {
        validateHeaderValue(name, value);
      } catch {
        return true;
      }
      return !ASCII_FIELD_VALUE.test(value);
    })
    .map(([name]) => name);
}

describe('error responses of every route in the manifest', () => {
  test('every route has error probes', () => {
    const missing = routes.filter((route) => probesFor(route).length === 0).map((route) => route.id);
    expect(missing).toEqual([]);
  });

  test.each(catchAllsOf(routes).map((catchAll) => [catchAll.path, catchAll] as const))(
    '%s: a method it has no route for answers 405 with header values valid on the wire',
    async (path, catchAll) => {
      const probe: Probe = {
        name: 'a method it does not allow',
        method: otherMethod(path),
        path: path.replace(/\{[^}]+\}/g, UNKNOWN_ID),
        status: 405,
      };
      const { status, headers } = await send(probe);
      expect({
        status,
        invalid: invalidHeaders(headers),
        allow: headers.find(([name]) => name === 'allow')?.[1],
      }).toEqual({
        status: 405,
        invalid: [],
        allow: catchAll.allowedMethods.join(', '),
      });
    },
  );

  test.each(routes.map((route) => [route.id, route] as const))(
    '%s: each error answers its status with header values valid on the wire',
    async (_id, route) => {
      const results = [];
      for (const probe of probesFor(route)) {
        const { status, headers } = await send(probe);
        results.push({ probe: probe.name, status, invalid: invalidHeaders(headers) });
      }
      expect(results).toEqual(
        probesFor(route).map((probe) => ({ probe: probe.name, status: probe.status, invalid: [] })),
      );
    },
  );
});

describe('a revoked connection', () => {
  const scimStatus = async (token: string) => {
    clearGrantStatusCache();
    const response = await fetch(`${service.scimBaseUrl}/Users`, { headers: { Authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      retryAfter: response.headers.get('retry-after'),
      detail: ((await response.json()) as { detail?: string }).detail,
    };
  };

  test('AS-H6, AS-H7: a token of a revoked grant gets 401 invalid_token, never 503 with Retry-After', async () => {
    const refused = await scimStatus(revokedToken);
    expect(refused).toEqual({
      status: 401,
      challenge:
        'Bearer realm="scim", error="invalid_token", error_description="The access token\'s grant has been revoked"',
      retryAfter: null,
      detail: 'The access token’s grant has been revoked',
    });
  });

  test('AS-C4: after a replayed code, the first access token gets 401 invalid_token', async () => {
    const code = await issueTestCode(oauth);
    const redeem = () =>
      fetch(`${service.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, Authorization: basicAuthorization(oauth.clientId, oauth.clientSecret) },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: oauth.redirectUri,
        }).toString(),
      });
    const first = rememberTokens((await (await redeem()).json()) as { access_token: string });
    expect((await scimStatus(first.access_token)).status).toBe(200);
    expect((await redeem()).status).toBe(400);
    expect(await scimStatus(first.access_token)).toMatchObject({ status: 401, retryAfter: null });
  });
});
