import { request as httpRequest } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { routeById } from '../../contract/routes';
import { CLIENT_AUTH_POLICY, delayAfterFailures } from '../../core/oauth/login-throttle';
import { OAUTH_PATHS } from '../../core/oauth/metadata';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { ScimError } from '../../core/scim/errors';
import { authenticateBearer, clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { readRequest } from '../../functions/_shared/http-event';
import { documentClient, tableName } from '../../functions/_shared/services';
import { apiEvent } from '../support/api-event';
import { invoke } from '../support/invoke';
import { type RunningService, startService } from '../support/local-service';
import {
  basicAuthorization,
  issueTestCode,
  type OAuthFixture,
  OKTA_CALLBACK,
  OKTA_EMEA_CALLBACK,
  oauthFixture,
  oauthStores,
  pkcePair,
  rememberTokens,
} from '../support/oauth';

/** RFC 8414 §2: the asymmetric algorithms a private_key_jwt assertion may use; never `none` or HMAC. */
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function post(
  path: string,
  params: Record<string, string> | string,
  options: { authorization?: string; contentType?: string } = {},
): Promise<Reply> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
      ...(options.authorization ? { Authorization: options.authorization } : {}),
    },
    body: typeof params === 'string' ? params : new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = {};
  }
  rememberTokens(body);
  return { status: response.status, headers: response.headers, body, text };
}

const token = (params: Record<string, string> | string, options?: { authorization?: string; contentType?: string }) =>
  post('/oauth/token', params, options);

const asBasic = (fixture: OAuthFixture) => ({
  authorization: basicAuthorization(fixture.clientId, fixture.clientSecret),
});

async function redeem(fixture: OAuthFixture, code: string, extra: Record<string, string> = {}) {
  return token(
    { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri, ...extra },
    asBasic(fixture),
  );
}

async function tokensFor(fixture: OAuthFixture) {
  const reply = await redeem(fixture, await issueTestCode(fixture));
  expect(reply.status).toBe(200);
  return reply.body as { access_token: string; refresh_token: string; expires_in: number; scope: string };
}

const refresh = (fixture: OAuthFixture, refreshToken: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, asBasic(fixture));

/** Whether the SCIM side still accepts an access token (the grant status cache is cleared first). */
async function scimAccepts(accessToken: string): Promise<boolean> {
  clearGrantStatusCache();
  const request = readRequest(
    apiEvent('GET', '/scim/v2/ServiceProviderConfig', { headers: { Authorization: `Bearer ${accessToken}` } }),
  );
  return authenticateBearer(request).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ScimError && error.status === 401) return false;
      throw error;
    },
  );
}

const expectOAuthError = (reply: Reply, status: number, error: string) => {
  expect({ status: reply.status, error: reply.body.error }).toEqual({ status, error });
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
};

describe('POST /oauth/token: authorization_code grant', () => {
  test('AS-F1: a code is exchanged for a Bearer access token and a refresh token, with no-store and an integer expires_in', async () => {
    const fixture = await oauthFixture();
    const reply = await redeem(fixture, await issueTestCode(fixture));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(reply.body.token_type).toBe('Bearer');
    expect(reply.body.scope).toBe('scim');
    expect(Number.isInteger(reply.body.expires_in)).toBe(true);
    const claims = decodeJwt(reply.body.access_token as string);
    expect(reply.body.expires_in).toBe((claims.exp as number) - (claims.iat as number));
    expect(Buffer.from(reply.body.refresh_token as string, 'base64url')).toHaveLength(32);
    expect(await scimAccepts(reply.body.access_token as string)).toBe(true);
  });

  test('AS-H1/AS-H2: the access token is an RFC 9068 JWT for the SCIM audience, at most one hour long', async () => {
    const fixture = await oauthFixture();
    const { access_token: accessToken } = await tokensFor(fixture);
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({
      iss: service.baseUrl,
      aud: service.scimBaseUrl,
      sub: fixture.adminUserId,
      client_id: fixture.clientId,
      tenant_id: fixture.tenantId,
      scope: 'scim',
      jti: expect.any(String),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(3600);
  });

  test('AS-C3 / AS-L1: ten concurrent redemptions of one code give exactly one token response', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const replies = await Promise.all(Array.from({ length: 10 }, () => redeem(fixture, code)));
    const succeeded = replies.filter((reply) => reply.status === 200);
    expect(succeeded).toHaveLength(1);
    for (const reply of replies.filter((candidate) => candidate.status !== 200)) {
      expectOAuthError(reply, 400, 'invalid_grant');
    }
    // The nine losers are replays of a used code: the grant issued from it is revoked (AS-C4).
    const grantId = decodeJwt(succeeded[0]?.body.access_token as string).grant_id as string;
    await expect(oauthStores().grants.get(grantId)).resolves.toMatchObject({ status: 'revoked' });
  });

  test('AS-C4: a second redemption fails with invalid_grant and revokes the tokens issued from the first', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const first = await redeem(fixture, code);
    expect(first.status).toBe(200);
    expectOAuthError(await redeem(fixture, code), 400, 'invalid_grant');
    expect(await scimAccepts(first.body.access_token as string)).toBe(false);
    expectOAuthError(await refresh(fixture, first.body.refresh_token as string), 400, 'invalid_grant');
  });

  test('AS-C5: a code issued to client A and redeemed by client B is invalid_grant (and A can still redeem it)', async () => {
    const fixtureA = await oauthFixture();
    const fixtureB = await oauthFixture();
    const code = await issueTestCode(fixtureA);
    const stolen = await token(
      { grant_type: 'authorization_code', code, redirect_uri: fixtureA.redirectUri },
      asBasic(fixtureB),
    );
    expectOAuthError(stolen, 400, 'invalid_grant');
    expect((await redeem(fixtureA, code)).status).toBe(200);
  });

  test.each([
    ['missing', undefined],
    ['with a trailing slash', `${OKTA_CALLBACK}/`],
    ['in another case', OKTA_CALLBACK.replace('acme_', 'ACME_')],
    ['another registered URI', OKTA_EMEA_CALLBACK],
    ['with an extra query', `${OKTA_CALLBACK}?x=1`],
  ])('AS-C6: a redirect_uri %s is invalid_grant', async (_case, redirectUri) => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const params: Record<string, string> = { grant_type: 'authorization_code', code };
    if (redirectUri !== undefined) params.redirect_uri = redirectUri;
    expectOAuthError(await token(params, asBasic(fixture)), 400, 'invalid_grant');
  });

  test('an unknown code is invalid_grant', async () => {
    const fixture = await oauthFixture();
    expectOAuthError(await redeem(fixture, 'A'.repeat(43)), 400, 'invalid_grant');
  });
});

describe('PKCE at the token endpoint', () => {
  test('AS-D3: with a challenge, a missing or wrong code_verifier is invalid_grant and the right one works', async () => {
    const fixture = await oauthFixture();
    const { verifier, challenge } = await pkcePair();
    const code = await issueTestCode(fixture, { codeChallenge: challenge, codeChallengeMethod: 'S256' });
    expectOAuthError(await redeem(fixture, code), 400, 'invalid_grant');
    expectOAuthError(await redeem(fixture, code, { code_verifier: pkcePair().verifier }), 400, 'invalid_grant');
    expect((await redeem(fixture, code, { code_verifier: verifier })).status).toBe(200);
  });

  test('AS-D4: a code_verifier for a code issued without a challenge is invalid_grant (downgrade)', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    expectOAuthError(await redeem(fixture, code, { code_verifier: pkcePair().verifier }), 400, 'invalid_grant');
  });
});

describe('client authentication', () => {
  test('AS-E3: client_secret_post is accepted', async () => {
    const fixture = await oauthFixture();
    const reply = await token({
      grant_type: 'authorization_code',
      code: await issueTestCode(fixture),
      redirect_uri: fixture.redirectUri,
      client_id: fixture.clientId,
      client_secret: fixture.clientSecret,
    });
    expect(reply.status).toBe(200);
  });

  test('AS-E3: Basic and a body secret together, or a body client_id differing from Basic, are invalid_request', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const base = { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri };
    expectOAuthError(
      await token({ ...base, client_secret: fixture.clientSecret }, asBasic(fixture)),
      400,
      'invalid_request',
    );
    expectOAuthError(await token({ ...base, client_id: 'someone-else' }, asBasic(fixture)), 400, 'invalid_request');
    expect((await token({ ...base, client_id: fixture.clientId }, asBasic(fixture))).status).toBe(200);
  });

  test('AS-E4: a failed Basic authentication is 401 invalid_client with a Basic challenge and no-store', async () => {
    const fixture = await oauthFixture();
    const reply = await token(
      { grant_type: 'authorization_code', code: await issueTestCode(fixture), redirect_uri: fixture.redirectUri },
      { authorization: basicAuthorization(fixture.clientId, `${fixture.clientSecret}x`) },
    );
    expectOAuthError(reply, 401, 'invalid_client');
    expect(reply.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
    const bodyAuth = await token({
      grant_type: 'authorization_code',
      code: 'x',
      client_id: fixture.clientId,
      client_secret: 'wrong',
    });
    expectOAuthError(bodyAuth, 401, 'invalid_client');
    expectOAuthError(await token({ grant_type: 'authorization_code', code: 'x' }), 401, 'invalid_client');
    const malformed = await token({ grant_type: 'authorization_code', code: 'x' }, { authorization: 'Basic !!!' });
    expectOAuthError(malformed, 401, 'invalid_client');
  });

  test('AS-E5: an unknown client and a wrong secret get identical answers', async () => {
    const fixture = await oauthFixture();
    const params = { grant_type: 'authorization_code', code: 'x', redirect_uri: fixture.redirectUri };
    const wrongSecret = await token(params, { authorization: basicAuthorization(fixture.clientId, 'wrong') });
    const unknownClient = await token(params, { authorization: basicAuthorization('no-such-client', 'wrong') });
    expect(unknownClient.status).toBe(wrongSecret.status);
    expect(unknownClient.text).toBe(wrongSecret.text);
    expect(unknownClient.headers.get('www-authenticate')).toBe(wrongSecret.headers.get('www-authenticate'));
  });

  test('AS-E5: repeated failed authentications from one address must wait; the client from elsewhere is unaffected', async () => {
    const fixture = await oauthFixture();
    const attempt = (secret: string, sourceIp: string) =>
      invoke({
        method: 'POST',
        url: '/oauth/token',
        sourceIp,
        headers: {
          Authorization: basicAuthorization(fixture.clientId, secret),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }).toString(),
      });
    const attacker = '203.0.113.7';
    for (let failure = 0; failure < CLIENT_AUTH_POLICY.freeFailures; failure += 1) {
      expect((await attempt('wrong', attacker)).statusCode).toBe(401);
    }
    const throttled = await attempt('wrong', attacker);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers?.['Retry-After']).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(throttled.body)).toMatchObject({ error: 'invalid_client' });
    // Even the right secret waits from that address, so a guess that happens to be right learns nothing.
    expect((await attempt(fixture.clientSecret, attacker)).statusCode).toBe(429);
    // The client from its own address authenticates (and gets the grant's own error: the token is unknown).
    const legitimate = await attempt(fixture.clientSecret, '198.51.100.20');
    expect(legitimate.statusCode).toBe(400);
    expect(JSON.parse(legitimate.body)).toMatchObject({ error: 'invalid_grant' });
  });

  test('AS-E5: a parallel burst of wrong secrets from one address gets no more guesses evaluated than a serial one', async () => {
    const fixture = await oauthFixture();
    // Its own loopback address (all of 127.0.0.0/8 is loopback on Linux), so no other test shares the counter.
    const localAddress = `127.0.${10 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' }).toString();
    const attempt = (secret: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL('/oauth/token', service.baseUrl);
        const outgoing = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            localAddress,
            headers: {
              Authorization: basicAuthorization(fixture.clientId, secret),
              'Content-Type': 'application/x-www-form-urlencoded',
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 30 }, (_, index) => attempt(`wrong-${index}`)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const evaluated = burst.filter((status) => status === 401).length;
    expect(burst.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(evaluated).toBeGreaterThan(0);
    // A serial guesser gets the free failures, then one more guess each time a back-off has run out; a slow
    // burst (a loaded machine) may outlast a back-off or two, and gets exactly what a serial one would have.
    let serialGuesses = CLIENT_AUTH_POLICY.freeFailures;
    for (let waited = 0; ; serialGuesses += 1) {
      waited += delayAfterFailures(serialGuesses, CLIENT_AUTH_POLICY);
      if (waited > elapsedSeconds) break;
    }
    expect(evaluated).toBeLessThanOrEqual(serialGuesses);
    // What is left of the free failures goes to later guesses, and then the address waits.
    for (let failure = evaluated; failure < CLIENT_AUTH_POLICY.freeFailures; failure += 1) {
      const status = await attempt('wrong');
      if (status === 429) break;
      expect(status).toBe(401);
    }
    expect(await attempt(fixture.clientSecret)).toBe(429);
  });

  test('AS-E6: after a rotation with no overlap the old secret is invalid_client and the new one works', async () => {
    const fixture = await oauthFixture();
    const { clientSecret } = await oauthStores().clients.rotateSecret(fixture.clientId, 0);
    const code = await issueTestCode(fixture);
    expectOAuthError(await redeem(fixture, code), 401, 'invalid_client');
    const reply = await token(
      { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri },
      { authorization: basicAuthorization(fixture.clientId, clientSecret) },
    );
    expect(reply.status).toBe(200);
  });
});

describe('request format', () => {
  test('AS-E7: a JSON body is invalid_request; a repeated parameter is invalid_request', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const json = await token(JSON.stringify({ grant_type: 'authorization_code', code }), {
      ...asBasic(fixture),
      contentType: 'application/json',
    });
    expectOAuthError(json, 400, 'invalid_request');
    const repeated = await token(
      `grant_type=authorization_code&code=${code}&code=${code}&redirect_uri=${encodeURIComponent(fixture.redirectUri)}`,
      asBasic(fixture),
    );
    expectOAuthError(repeated, 400, 'invalid_request');
    // RFC 6749 §3.1: an empty value counts as not sent, so an empty code next to the real one is no repetition.
    const withEmpty = await token(
      `grant_type=authorization_code&code=&code=${code}&redirect_uri=${encodeURIComponent(fixture.redirectUri)}`,
      asBasic(fixture),
    );
    expect(withEmpty.status).toBe(200);
  });

  test.each([
    ['GET', '/oauth/token'],
    ['PUT', '/oauth/token'],
    ['GET', '/oauth/revoke'],
  ])('AS-E7: %s %s is 405 with Allow: POST', async (method, path) => {
    const response = await fetch(`${service.baseUrl}${path}?grant_type=authorization_code`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('AS-E7: empty-valued parameters count as absent and unknown parameters are ignored', async () => {
    const fixture = await oauthFixture();
    const reply = await redeem(fixture, await issueTestCode(fixture), { code_verifier: '', resource: 'x', extra: 'y' });
    expect(reply.status).toBe(200);
  });

  test.each(['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'nonsense'])(
    'AS-E8: grant_type=%s is unsupported_grant_type',
    async (grantType) => {
      const fixture = await oauthFixture();
      expectOAuthError(await token({ grant_type: grantType }, asBasic(fixture)), 400, 'unsupported_grant_type');
    },
  );

  test('AS-F2: errors are RFC 6749 §5.2 JSON with an error code and a description', async () => {
    const fixture = await oauthFixture();
    const reply = await token({ grant_type: 'authorization_code' }, asBasic(fixture));
    expectOAuthError(reply, 400, 'invalid_request');
    expect(reply.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(reply.headers.get('pragma')).toBe('no-cache');
  });
});

describe('POST /oauth/token: refresh_token grant', () => {
  test('AS-G3: every refresh returns a new refresh token and a working access token', async () => {
    const fixture = await oauthFixture();
    const first = await tokensFor(fixture);
    const second = await refresh(fixture, first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.token_type).toBe('Bearer');
    expect(await scimAccepts(second.body.access_token as string)).toBe(true);
    const third = await refresh(fixture, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    const old = await oauthStores().ledger.getRefreshToken(opaqueTokenHash(first.refresh_token));
    expect(old).toMatchObject({
      status: 'rotated',
      successorHash: opaqueTokenHash(second.body.refresh_token as string),
    });
  });

  test('AS-G1: a refresh token presented by another client is invalid_grant', async () => {
    const fixtureA = await oauthFixture();
    const fixtureB = await oauthFixture();
    const { refresh_token: refreshToken } = await tokensFor(fixtureA);
    expectOAuthError(await refresh(fixtureB, refreshToken), 400, 'invalid_grant');
    expect((await refresh(fixtureA, refreshToken)).status).toBe(200);
  });

  test('AS-G2: a wider scope is invalid_scope; the same scope works', async () => {
    const fixture = await oauthFixture();
    const { refresh_token: refreshToken } = await tokensFor(fixture);
    expectOAuthError(await refresh(fixture, refreshToken, { scope: 'scim admin' }), 400, 'invalid_scope');
    const reply = await refresh(fixture, refreshToken, { scope: 'scim' });
    expect(reply.status).toBe(200);
    expect(reply.body.scope).toBe('scim');
  });

  test('AS-G4: a rotated token reused after the grace window revokes the grant, its newest token and its access tokens', async () => {
    const fixture = await oauthFixture();
    const first = await tokensFor(fixture);
    const second = await refresh(fixture, first.refresh_token);
    expect(second.status).toBe(200);
    const third = await refresh(fixture, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    // `first` was rotated and its successor has been used since: outside any grace, this is reuse.
    expectOAuthError(await refresh(fixture, first.refresh_token), 400, 'invalid_grant');
    expectOAuthError(await refresh(fixture, third.body.refresh_token as string), 400, 'invalid_grant');
    expect(await scimAccepts(third.body.access_token as string)).toBe(false);
  });

  test('AS-G5: a retry with the previous token right after a rotation returns the same successor', async () => {
    const fixture = await oauthFixture();
    const first = await tokensFor(fixture);
    const rotated = await refresh(fixture, first.refresh_token);
    const retried = await refresh(fixture, first.refresh_token);
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(rotated.body.refresh_token);
    expect(await scimAccepts(retried.body.access_token as string)).toBe(true);
    expect((await refresh(fixture, rotated.body.refresh_token as string)).status).toBe(200);
  });

  test('AS-G3 / AS-L1: ten parallel refreshes with one token all get the same successor, and the grant is whole', async () => {
    const fixture = await oauthFixture();
    const first = await tokensFor(fixture);
    const replies = await Promise.all(Array.from({ length: 10 }, () => refresh(fixture, first.refresh_token)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
    const successors = new Set(replies.map((reply) => reply.body.refresh_token));
    expect(successors.size).toBe(1);
    const successor = [...successors][0] as string;
    const { ledger } = oauthStores();
    await expect(ledger.getRefreshToken(opaqueTokenHash(first.refresh_token))).resolves.toMatchObject({
      status: 'rotated',
      successorHash: opaqueTokenHash(successor),
    });
    await expect(ledger.getRefreshToken(opaqueTokenHash(successor))).resolves.toMatchObject({ status: 'active' });
    expect((await refresh(fixture, successor)).status).toBe(200);
  });

  test('an unknown refresh token is invalid_grant', async () => {
    const fixture = await oauthFixture();
    expectOAuthError(await refresh(fixture, 'B'.repeat(43)), 400, 'invalid_grant');
  });
});

/** Every item of a table (all pages), as one JSON string. */
async function tableDump(key: 'grants' | 'clients'): Promise<string> {
  const items: unknown[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(key), ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return JSON.stringify(items);
}

describe('storage', () => {
  test('AS-L3: the grants table holds no code, refresh token or secret, only their hashes', async () => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const first = await redeem(fixture, code);
    const second = await refresh(fixture, first.body.refresh_token as string);
    const dump = await tableDump('grants');
    expect(dump).toContain(opaqueTokenHash(code));
    expect(dump).toContain(opaqueTokenHash(first.body.refresh_token as string));
    for (const secret of [code, first.body.refresh_token, second.body.refresh_token, fixture.clientSecret]) {
      expect(dump).not.toContain(secret as string);
    }
    expect(await tableDump('clients')).not.toContain(fixture.clientSecret);
  });
});

describe('POST /oauth/revoke', () => {
  const revoke = (fixture: OAuthFixture, params: Record<string, string>) =>
    post('/oauth/revoke', params, asBasic(fixture));

  test('AS-I1/AS-I2: revoking a refresh token answers 200 with an empty body and stops the grant and its access tokens', async () => {
    const fixture = await oauthFixture();
    const tokens = await tokensFor(fixture);
    const reply = await revoke(fixture, { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expectOAuthError(await refresh(fixture, tokens.refresh_token), 400, 'invalid_grant');
    expect(await scimAccepts(tokens.access_token)).toBe(false);
  });

  test('AS-I2: revoking an access token revokes its grant', async () => {
    const fixture = await oauthFixture();
    const tokens = await tokensFor(fixture);
    expect((await revoke(fixture, { token: tokens.access_token })).status).toBe(200);
    expectOAuthError(await refresh(fixture, tokens.refresh_token), 400, 'invalid_grant');
  });

  test('AS-I1: an unknown or already-revoked token is 200; no client authentication is 401', async () => {
    const fixture = await oauthFixture();
    expect((await revoke(fixture, { token: 'unknown-token' })).status).toBe(200);
    const tokens = await tokensFor(fixture);
    expect((await revoke(fixture, { token: tokens.refresh_token })).status).toBe(200);
    expect((await revoke(fixture, { token: tokens.refresh_token })).status).toBe(200);
    expectOAuthError(await post('/oauth/revoke', { token: tokens.refresh_token }), 401, 'invalid_client');
    expectOAuthError(await revoke(fixture, {}), 400, 'invalid_request');
  });

  test('AS-I3: another client’s token is refused and nothing is revoked', async () => {
    const fixtureA = await oauthFixture();
    const fixtureB = await oauthFixture();
    const tokens = await tokensFor(fixtureA);
    expectOAuthError(await revoke(fixtureB, { token: tokens.refresh_token }), 400, 'invalid_request');
    expectOAuthError(await revoke(fixtureB, { token: tokens.access_token }), 400, 'invalid_request');
    expect((await refresh(fixtureA, tokens.refresh_token)).status).toBe(200);
  });
});

describe('discovery documents', () => {
  test('AS-K1 / AS-D1 / AS-I4 / AS-A12: the metadata names our real endpoints and capabilities, and is cacheable', async () => {
    const response = await fetch(`${service.baseUrl}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toEqual({
      issuer: service.baseUrl,
      authorization_endpoint: `${service.baseUrl}/oauth/authorize`,
      token_endpoint: `${service.baseUrl}/oauth/token`,
      revocation_endpoint: `${service.baseUrl}/oauth/revoke`,
      jwks_uri: `${service.baseUrl}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ],
      revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['scim', 'offline_access'],
      authorization_response_iss_parameter_supported: true,
    });
    // Every endpoint it names (except the authorization page, served by its own route) answers here.
    for (const url of [metadata.token_endpoint, metadata.revocation_endpoint]) {
      const reply = await fetch(url as string, { method: 'POST' });
      expect(reply.status).toBe(400);
    }
    expect((await fetch(metadata.jwks_uri as string)).status).toBe(200);
  });

  test('AS-K1: the metadata paths are the manifest’s routes (the authorization page too, once its route exists)', () => {
    const expected: [string, string][] = [
      ['OAuthToken', OAUTH_PATHS.token],
      ['OAuthRevoke', OAUTH_PATHS.revocation],
      ['OAuthJwks', OAUTH_PATHS.jwks],
      ['OAuthMetadata', OAUTH_PATHS.metadata],
    ];
    for (const [id, path] of expected) expect({ id, path: routeById(id)?.path }).toEqual({ id, path });
    const authorize = routeById('OAuthAuthorize');
    if (authorize) expect(authorize.path).toBe(OAUTH_PATHS.authorization);
  });

  test('AS-K2: the JWKS holds only public members, with kid, alg and use, and is cacheable', async () => {
    const response = await fetch(`${service.baseUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const fixture = await oauthFixture();
    const { access_token: accessToken } = await tokensFor(fixture);
    expect(decodeProtectedHeader(accessToken).kid).toBe(keys[0]?.kid);
  });
});
