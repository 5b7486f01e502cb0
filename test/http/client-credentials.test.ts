import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { admin, onlyJson } from '../support/admin-cli';
import { AuthorizeBrowser } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { basicAuthorization, oauthFixture, oauthStores, rememberTokens } from '../support/oauth';
import { scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * The client_credentials grant (RFC 6749 §4.4) as Microsoft Entra ID uses it, through the real local server:
 * openid-client asks for the token with either authentication method, and the token then calls SCIM. Machine
 * clients are created with the admin CLI (a child process) where the CLI's part is what is tested.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

async function machineClient(options: readonly string[] = []) {
  const { tenantId } = await oauthFixture();
  const created = await admin([
    'client',
    'create',
    '--grant',
    'client_credentials',
    '--tenant',
    tenantId,
    '--name',
    'Entra provisioning',
    ...options,
    '--json',
  ]);
  expect(created.code).toBe(0);
  const json = onlyJson(created);
  rememberSecret(json.clientSecret as string);
  return { tenantId, clientId: json.clientId as string, clientSecret: json.clientSecret as string, json };
}

function discover(clientId: string, authentication: client.ClientAuth) {
  return client.discovery(new URL(service.baseUrl), clientId, undefined, authentication, {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });
}

async function tokenRequest(params: Record<string, string>, authorization?: string) {
  const response = await fetch(`${service.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  rememberTokens(body);
  return { status: response.status, body };
}

const machineToken = (clientId: string, clientSecret: string, extra: Record<string, string> = {}) =>
  tokenRequest({ grant_type: 'client_credentials', ...extra }, basicAuthorization(clientId, clientSecret));

describe('openid-client', () => {
  test.each([
    ['client_secret_basic', client.ClientSecretBasic],
    ['client_secret_post', client.ClientSecretPost],
  ])('client credentials grant with %s, then a SCIM call with the token', async (_method, authentication) => {
    const machine = await machineClient();
    const config = await discover(machine.clientId, authentication(machine.clientSecret));
    expect(config.serverMetadata().grant_types_supported).toContain('client_credentials');
    const tokens = rememberTokens(await client.clientCredentialsGrant(config, { scope: 'scim' }));
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('scim');
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ tenant_id: machine.tenantId, client_id: machine.clientId, sub: machine.clientId });
    const scim = scimClient(service, tokens.access_token);
    const created = await scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'entra.user@acme.example',
      name: { givenName: 'Entra', familyName: 'User' },
      active: true,
    });
    expect(created.status).toBe(201);
    const found = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "entra.user@acme.example"')}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ totalResults: 1 });
  });
});

describe("Entra's credential test (Validate_Credentials_Test)", () => {
  test.each([
    [[], 3600],
    [['--token-lifetime', '6h'], 21_600],
    [['--token-lifetime', '90m'], 5400],
  ] as const)('with %j: expires_in %d (60 to 360 minutes), then GET /Users?count=1', async (options, expected) => {
    const machine = await machineClient(options);
    // Entra sends no scope unless its admin gives one.
    const token = await machineToken(machine.clientId, machine.clientSecret);
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expected,
      scope: 'scim',
    });
    const expiresIn = token.body.expires_in as number;
    expect(expiresIn).toBeGreaterThanOrEqual(60 * 60);
    expect(expiresIn).toBeLessThanOrEqual(360 * 60);
    const claims = decodeJwt(token.body.access_token as string);
    expect((claims.exp as number) - (claims.iat as number)).toBe(expected);
    const list = await scimClient(service, token.body.access_token as string).get('/Users?count=1');
    expect(list.status).toBe(200);
  });
});

describe('the client and the grant must match', () => {
  test('a code client asking for client_credentials is unauthorized_client; nothing is issued', async () => {
    const fixture = await oauthFixture();
    const token = await machineToken(fixture.clientId, fixture.clientSecret);
    expect(token).toEqual({
      status: 400,
      body: { error: 'unauthorized_client', error_description: expect.any(String) },
    });
  });

  test.each([
    ['authorization_code', { code: 'abc', redirect_uri: 'https://example.com/cb' }],
    ['refresh_token', { refresh_token: 'abc' }],
  ])('a machine client asking for %s is unauthorized_client', async (grantType, params) => {
    const machine = await machineClient();
    const token = await tokenRequest(
      { grant_type: grantType, ...params },
      basicAuthorization(machine.clientId, machine.clientSecret),
    );
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('unauthorized_client');
  });

  test.each([['offline_access'], ['scim offline_access'], ['openid']])('scope %j is invalid_scope', async (scope) => {
    const machine = await machineClient();
    const token = await machineToken(machine.clientId, machine.clientSecret, { scope });
    expect(token.status).toBe(400);
    expect(token.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
  });

  test('a machine client cannot start the authorization code flow: an error page, no redirect', async () => {
    const machine = await machineClient();
    const browser = new AuthorizeBrowser(service.baseUrl);
    const page = await browser.get(
      browser.authorizeUrl({
        response_type: 'code',
        client_id: machine.clientId,
        redirect_uri: 'https://example.com/cb',
      }),
    );
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.body).toContain('Not an authorization-code application');
  });

  test('a wrong secret is invalid_client', async () => {
    const machine = await machineClient();
    const token = await machineToken(machine.clientId, `${machine.clientSecret}x`);
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });
});

describe('secrets and revocation', () => {
  test('an expired secret issues nothing', async () => {
    const { tenantId } = await oauthFixture();
    const threeYearsAgo = new Date(Date.now() - 3 * 365 * 86_400_000);
    const { client: expired, clientSecret } = await oauthStores().clients.create(
      { tenantId, name: 'Entra', kind: 'client_credentials', secretLifetimeSeconds: 2 * 365 * 86_400 },
      threeYearsAgo,
    );
    rememberSecret(clientSecret);
    const token = await machineToken(expired.clientId, clientSecret);
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });

  test('a secret rotated with --overlap 0 stops issuing, and its tokens stop working; the new secret works', async () => {
    const machine = await machineClient(['--secret-expires-in', '365d']);
    const before = await machineToken(machine.clientId, machine.clientSecret);
    expect(before.status).toBe(200);
    const scim = scimClient(service, before.body.access_token as string);
    expect((await scim.get('/Users?count=1')).status).toBe(200);

    const rotated = await admin(['client', 'rotate-secret', '--client', machine.clientId, '--overlap', '0', '--json']);
    expect(rotated.code).toBe(0);
    const newSecret = onlyJson(rotated).clientSecret as string;
    rememberSecret(newSecret);
    expect((await machineToken(machine.clientId, machine.clientSecret)).status).toBe(401);
    clearGrantStatusCache();
    expect((await scim.get('/Users?count=1')).status).toBe(401);

    const after = await machineToken(machine.clientId, newSecret);
    expect(after.status).toBe(200);
    expect((await scimClient(service, after.body.access_token as string).get('/Users?count=1')).status).toBe(200);
  });

  test('during a rotation overlap both secrets issue tokens, and the old secret’s tokens end with it', async () => {
    const machine = await machineClient();
    const old = await machineToken(machine.clientId, machine.clientSecret);
    const rotated = await admin(['client', 'rotate-secret', '--client', machine.clientId, '--overlap', '1h', '--json']);
    expect(rotated.code).toBe(0);
    const newSecret = onlyJson(rotated).clientSecret as string;
    rememberSecret(newSecret);
    expect((await machineToken(machine.clientId, machine.clientSecret)).status).toBe(200);
    expect((await machineToken(machine.clientId, newSecret)).status).toBe(200);
    clearGrantStatusCache();
    expect((await scimClient(service, old.body.access_token as string).get('/Users?count=1')).status).toBe(200);
    const oldGrant = await oauthStores().grants.get(decodeJwt(old.body.access_token as string).grant_id as string);
    const overlapEnd = Date.parse(onlyJson(rotated).previousSecretExpiresAt as string) / 1000;
    expect(oldGrant).toMatchObject({ status: 'active', expiresAt: overlapEnd });
  });

  test('a deleted client’s token stops working, and the client issues nothing more', async () => {
    const machine = await machineClient();
    const token = await machineToken(machine.clientId, machine.clientSecret);
    const scim = scimClient(service, token.body.access_token as string);
    expect((await scim.get('/Users?count=1')).status).toBe(200);
    const deleted = await admin(['client', 'delete', '--client', machine.clientId, '--json']);
    expect(deleted.code).toBe(0);
    expect(onlyJson(deleted).revokedGrants).toBe(1);
    expect((await machineToken(machine.clientId, machine.clientSecret)).status).toBe(401);
    clearGrantStatusCache();
    const refused = await scim.get('/Users?count=1');
    expect(refused.status).toBe(401);
  });

  test('a client deleted before its secret got any token leaves a revoked grant that no late issuance revives', async () => {
    const machine = await machineClient();
    const deleted = await admin(['client', 'delete', '--client', machine.clientId, '--json']);
    expect(deleted.code).toBe(0);
    const grants = (await oauthStores().grants.list(machine.tenantId)).filter((g) => g.clientId === machine.clientId);
    expect(grants).toEqual([expect.objectContaining({ status: 'revoked', revokedReason: 'client-secret-ended' })]);
    await oauthStores().grants.createIfAbsent({ ...(grants[0] as (typeof grants)[0]), status: 'active' });
    await expect(oauthStores().grants.get(grants[0]?.grantId as string)).resolves.toMatchObject({ status: 'revoked' });
  });
});

test('each issued token and each failed client authentication is logged with client, tenant and grant, never a credential', async () => {
  const machine = await machineClient();
  const logs = captureLogs();
  let token: Awaited<ReturnType<typeof machineToken>>;
  try {
    token = await machineToken(machine.clientId, machine.clientSecret);
    expect(token.status).toBe(200);
    expect((await machineToken(machine.clientId, 'not-the-secret')).status).toBe(401);
  } finally {
    logs.restore();
  }
  const lines = logs.json();
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        message: 'request',
        route: 'OAuthToken',
        status: 200,
        grant: 'client-credentials',
        clientId: machine.clientId,
        tenant: machine.tenantId,
        grantId: decodeJwt(token.body.access_token as string).grant_id,
      }),
      expect.objectContaining({
        message: 'client authentication failed',
        level: 'WARN',
        grant: 'client-credentials',
        clientId: machine.clientId,
        tenant: machine.tenantId,
        authMethod: 'basic',
      }),
    ]),
  );
  for (const line of logs.lines()) {
    expect(line).not.toContain(machine.clientSecret);
    expect(line).not.toContain(token.body.access_token as string);
  }
});
