import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import type { AssertionCredential } from '../../core/oauth/client-assertion';
import { type EntraStandIn, startEntraStandIn, unreachableUrl } from '../support/entra-jwks';
import { type RunningService, startService } from '../support/local-service';
import { basicAuthorization, oauthFixture, oauthStores, rememberTokens } from '../support/oauth';
import { scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * Client authentication with signed JWTs (RFC 7523) through the real local server: Entra's workload identity
 * federation against a local stand-in for Entra's token issuer (which cannot run here; test/support/entra-jwks.ts
 * serves its keys at Entra's path and signs tokens with its claim shapes), and private_key_jwt with keys
 * registered on the client, the assertions made by jose's SignJWT and by oauth4webapi's PrivateKeyJwt.
 */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let service: RunningService;
let entra: EntraStandIn;
beforeAll(async () => {
  service = await startService();
  entra = await startEntraStandIn();
});
afterAll(async () => {
  await entra?.close();
  await service?.close();
});

const tokenEndpoint = () => `${service.baseUrl}/oauth/token`;

async function assertionClient(assertionCredential: AssertionCredential) {
  const { tenants, clients } = oauthStores();
  const tenant = await tenants.create(`Tenant ${randomUUID()}`);
  const { client } = await clients.createWithAssertionKeys({
    tenantId: tenant.tenantId,
    name: 'Entra provisioning',
    kind: 'client_credentials',
    assertionCredential,
  });
  return { tenantId: tenant.tenantId, clientId: client.clientId };
}

const federatedCredential = (overrides: Partial<AssertionCredential> = {}): AssertionCredential =>
  ({
    kind: 'federated',
    issuer: entra.issuer,
    subject: entra.subject,
    audience: AUDIENCE,
    jwksUri: entra.jwksUri,
    ...overrides,
  }) as AssertionCredential;

const AUDIENCE = 'api://9b2e6c8a-5d1f-4e3b-a7c9-0f1e2d3c4b5a';

/** The request Entra's provisioning service sends (groups-and-idps reference §2.4). */
async function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(tokenEndpoint(), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  const body = rememberTokens((await response.json()) as Record<string, unknown>);
  return { status: response.status, headers: response.headers, body };
}

const entraRequest = (clientId: string, assertion: string) =>
  tokenRequest({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
    scope: 'scim',
  });

describe('Entra workload identity federation', () => {
  test('an Entra-signed token gets an access token of 60 to 360 minutes, which then calls SCIM', async () => {
    const client = await assertionClient(federatedCredential());
    const reply = await entraRequest(client.clientId, await entra.token(AUDIENCE));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: 'Bearer', scope: 'scim', access_token: expect.any(String) });
    expect(reply.body.refresh_token).toBeUndefined();
    const expiresIn = reply.body.expires_in as number;
    expect(expiresIn).toBeGreaterThanOrEqual(60 * 60 - 60);
    expect(expiresIn).toBeLessThanOrEqual(360 * 60);
    const users = await scimClient(service, reply.body.access_token as string).get('/Users');
    expect(users.status).toBe(200);
    expect(users.body).toMatchObject({ totalResults: 0 });
  });

  test('the token never outlives the assertion; with a 6-hour lifetime the assertion alone decides', async () => {
    const client = await assertionClient(federatedCredential());
    const shortLived = await entraRequest(client.clientId, await entra.token(AUDIENCE, {}, 20 * 60));
    expect(shortLived.status).toBe(200);
    expect(shortLived.body.expires_in).toBeLessThanOrEqual(20 * 60);
    expect(shortLived.body.expires_in).toBeGreaterThan(20 * 60 - 120);
    const { tenants, clients } = oauthStores();
    const tenant = await tenants.create(`Tenant ${randomUUID()}`);
    const { client: sixHours } = await clients.createWithAssertionKeys({
      tenantId: tenant.tenantId,
      name: 'Entra provisioning',
      kind: 'client_credentials',
      accessTokenLifetimeSeconds: 6 * 3600,
      assertionCredential: federatedCredential(),
    });
    const reply = await entraRequest(sixHours.clientId, await entra.token(AUDIENCE, {}, 90 * 60));
    expect(reply.body.expires_in).toBeLessThanOrEqual(90 * 60);
    expect(reply.body.expires_in).toBeGreaterThan(90 * 60 - 120);
  });

  test('a replayed token is refused, also when both copies arrive at once', async () => {
    const client = await assertionClient(federatedCredential());
    const assertion = await entra.token(AUDIENCE);
    const [first, second] = await Promise.all([
      entraRequest(client.clientId, assertion),
      entraRequest(client.clientId, assertion),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 401]);
    const again = await entraRequest(client.clientId, assertion);
    expect(again).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(again.body.access_token).toBeUndefined();
  });

  test.each([
    ['a forged signature', () => entra.forged(AUDIENCE)],
    ['another issuer', () => entra.token(AUDIENCE, { iss: 'https://login.microsoftonline.com/other/v2.0' })],
    ['another subject', () => entra.token(AUDIENCE, { sub: randomUUID() })],
    ['another audience', () => entra.token('api://someone-else')],
    ['an expired token', () => entra.token(AUDIENCE, { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 })],
    ['no exp', () => entra.token(AUDIENCE, { exp: undefined })],
    ['no jti or uti', () => entra.token(AUDIENCE, { uti: undefined })],
  ])('%s is 401 invalid_client and issues nothing', async (_case, make) => {
    const client = await assertionClient(federatedCredential());
    const reply = await entraRequest(client.clientId, await make());
    expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(reply.body.access_token).toBeUndefined();
  });

  test('a key rotation is picked up at once; random kids do not make the keys be fetched again', async () => {
    const standIn = await startEntraStandIn();
    try {
      const client = await assertionClient(
        federatedCredential({ issuer: standIn.issuer, subject: standIn.subject, jwksUri: standIn.jwksUri }),
      );
      expect((await entraRequest(client.clientId, await standIn.token(AUDIENCE))).status).toBe(200);
      expect(standIn.fetches()).toBe(1);
      await standIn.rotate();
      expect((await entraRequest(client.clientId, await standIn.token(AUDIENCE))).status).toBe(200);
      expect(standIn.fetches()).toBe(2);
      const stranger = await generateKeyPair('RS256');
      const unknownKid = await new SignJWT({ iss: standIn.issuer, sub: standIn.subject, aud: AUDIENCE, uti: 'u1' })
        .setProtectedHeader({ alg: 'RS256', kid: 'never-published' })
        .setExpirationTime('5m')
        .sign(stranger.privateKey);
      const reply = await entraRequest(client.clientId, unknownKid);
      expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(standIn.fetches()).toBe(2);
    } finally {
      await standIn.close();
    }
  });

  test.each([
    ['cannot be reached', async () => ({ jwksUri: await unreachableUrl() })],
    ['answers 503', async () => ({ failing: true })],
  ])('when the JWKS endpoint %s the answer is 503 with Retry-After, and no token', async (_case, setup) => {
    const standIn = await startEntraStandIn();
    try {
      const options = await setup();
      if ('failing' in options) standIn.failing(true);
      const jwksUri = 'jwksUri' in options ? options.jwksUri : standIn.jwksUri;
      const client = await assertionClient(
        federatedCredential({ issuer: standIn.issuer, subject: standIn.subject, jwksUri }),
      );
      const reply = await entraRequest(client.clientId, await standIn.token(AUDIENCE));
      expect(reply).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(reply.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(reply.body.access_token).toBeUndefined();
    } finally {
      await standIn.close();
    }
  });
});

describe('private_key_jwt with registered keys', () => {
  async function registeredClient(alg: 'ES256' | 'RS256' | 'PS256' = 'ES256') {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const client = await assertionClient({ kind: 'jwks', keys: [jwk] });
    return { ...client, privateKey, kid, alg };
  }

  test("oauth4webapi's PrivateKeyJwt gets a token (aud: the issuer) that calls SCIM", async () => {
    const client = await registeredClient('ES256');
    const as: oauth.AuthorizationServer = { issuer: service.baseUrl, token_endpoint: tokenEndpoint() };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      { client_id: client.clientId },
      oauth.PrivateKeyJwt({ key: client.privateKey, kid: client.kid }),
      new URLSearchParams({ scope: 'scim' }),
      { [oauth.allowInsecureRequests]: true },
    );
    const tokens = rememberTokens(
      await oauth.processClientCredentialsResponse(as, { client_id: client.clientId }, response),
    );
    expect(tokens.token_type).toBe('bearer');
    expect((await scimClient(service, tokens.access_token).get('/Users')).status).toBe(200);
  });

  test.each(['RS256', 'PS256'] as const)("jose's SignJWT with %s and aud = the token endpoint URL", async (alg) => {
    const client = await registeredClient(alg);
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg, kid: client.kid })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(tokenEndpoint())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(client.privateKey);
    rememberSecret(assertion);
    const reply = await tokenRequest({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    });
    expect(reply.status).toBe(200);
  });

  test('HMAC and alg none are refused', async () => {
    const client = await registeredClient();
    const claims = { iss: client.clientId, sub: client.clientId, aud: tokenEndpoint(), jti: randomUUID() };
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode(`${client.clientId}-a-shared-secret`));
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const none = `${encode({ alg: 'none' })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 120 })}.`;
    for (const assertion of [hmac, none]) {
      const reply = await tokenRequest({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      });
      expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    }
  });

  test('an assertion for a client with a secret is refused, and a secret for a client with keys', async () => {
    const secretClient = await oauthFixture();
    const { privateKey } = await generateKeyPair('ES256');
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(secretClient.clientId)
      .setSubject(secretClient.clientId)
      .setAudience(tokenEndpoint())
      .setExpirationTime('2m')
      .sign(privateKey);
    expect(
      await tokenRequest({
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      }),
    ).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const keyClient = await registeredClient();
    const withSecret = await tokenRequest(
      { grant_type: 'client_credentials' },
      { Authorization: basicAuthorization(keyClient.clientId, 'any-secret') },
    );
    expect(withSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  test('the revocation endpoint takes the same client authentication', async () => {
    const client = await registeredClient();
    const as: oauth.AuthorizationServer = {
      issuer: service.baseUrl,
      token_endpoint: tokenEndpoint(),
      revocation_endpoint: `${service.baseUrl}/oauth/revoke`,
    };
    const auth = oauth.PrivateKeyJwt({ key: client.privateKey, kid: client.kid });
    const options = { [oauth.allowInsecureRequests]: true };
    const tokens = rememberTokens(
      await oauth.processClientCredentialsResponse(
        as,
        { client_id: client.clientId },
        await oauth.clientCredentialsGrantRequest(
          as,
          { client_id: client.clientId },
          auth,
          new URLSearchParams(),
          options,
        ),
      ),
    );
    const revoked = await oauth.revocationRequest(
      as,
      { client_id: client.clientId },
      auth,
      tokens.access_token,
      options,
    );
    expect(revoked.status).toBe(200);
  });
});
