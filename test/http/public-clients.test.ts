import * as client from 'openid-client';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { AuthorizeBrowser, hiddenField } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import {
  basicAuthorization,
  issueTestCode,
  type OAuthFixture,
  OKTA_CALLBACK,
  oauthFixture,
  oauthStores,
  pkcePair,
  rememberTokens,
} from '../support/oauth';
import { rememberSecret } from '../support/secrets';

/**
 * Public clients (token_endpoint_auth_method none, RFC 9700 §2.1.1) against the real local server, driven by
 * openid-client as a public client: it names itself by client_id alone and proves each authorization with PKCE
 * S256. The sign-in and consent pages are answered by the scripted browser.
 */
let service: RunningService;
let connection: OAuthFixture;
let publicClientId: string;
beforeAll(async () => {
  service = await startService();
  connection = await oauthFixture();
  const { client: registered } = await oauthStores().clients.createPublic({
    tenantId: connection.tenantId,
    name: 'Device app',
    redirectUris: [OKTA_CALLBACK],
  });
  publicClientId = registered.clientId;
});
afterAll(() => service.close());

const discover = (clientId = publicClientId, authentication: client.ClientAuth = client.None()) =>
  client.discovery(new URL(service.baseUrl), clientId, undefined, authentication, {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });

/** Signs in and approves on our pages; the answer to the consent form (a 303 to the redirect URI). */
async function approve(authorizationUrl: string) {
  const browser = new AuthorizeBrowser(service.baseUrl);
  const login = await browser.get(authorizationUrl);
  expect(login.status).toBe(200);
  const consent = await browser.post({
    step: 'login',
    csrf_token: hiddenField(login.body, 'csrf_token'),
    email: connection.adminEmail,
    password: connection.adminPassword,
  });
  return browser.post({ step: 'consent', csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' });
}

async function codeFlow(config: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  rememberSecret(verifier);
  const state = client.randomState();
  const answer = await approve(
    client.buildAuthorizationUrl(config, {
      redirect_uri: OKTA_CALLBACK,
      scope: 'scim offline_access',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).href,
  );
  expect(answer.status).toBe(303);
  return rememberTokens(
    await client.authorizationCodeGrant(config, new URL(answer.location as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    }),
  );
}

const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${service.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });

describe('a public client with openid-client', () => {
  test('the metadata lists none among the token endpoint authentication methods, and S256 only', async () => {
    const metadata = (await discover()).serverMetadata();
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none');
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  test('the code flow with PKCE S256 through the sign-in and consent pages gets tokens that SCIM accepts', async () => {
    const tokens = await codeFlow(await discover());
    expect(tokens.scope).toBe('offline_access scim');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const scim = await fetch(`${service.scimBaseUrl}/Users`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(scim.status).toBe(200);
  });

  test('every refresh rotates the token; an old one presented again revokes the grant', async () => {
    const config = await discover();
    const first = await codeFlow(config);
    const second = rememberTokens(await client.refreshTokenGrant(config, first.refresh_token as string));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = rememberTokens(await client.refreshTokenGrant(config, second.refresh_token as string));
    expect(third.refresh_token).not.toBe(second.refresh_token);

    const { grantId } = (await oauthStores().ledger.getRefreshToken(
      opaqueTokenHash(first.refresh_token as string),
    )) as { grantId: string };
    const grant = await oauthStores().grants.get(grantId);
    expect(grant).toMatchObject({ clientId: publicClientId, status: 'active', lastUsedAt: expect.any(Number) });

    // The first token was rotated and its successor used since: this is reuse (RFC 9700 §4.14.2).
    await expect(client.refreshTokenGrant(config, first.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, third.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const revoked = await oauthStores().grants.get(grantId);
    expect(revoked).toMatchObject({ status: 'revoked', revokedReason: 'refresh-token-reuse' });
  });

  test('it revokes its own refresh token with its client_id alone (RFC 7009 §2.1), which ends the grant', async () => {
    const config = await discover();
    const tokens = await codeFlow(config);
    await client.tokenRevocation(config, tokens.refresh_token as string, { token_type_hint: 'refresh_token' });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const { grantId } = (await oauthStores().ledger.getRefreshToken(
      opaqueTokenHash(tokens.refresh_token as string),
    )) as { grantId: string };
    await expect(oauthStores().grants.get(grantId)).resolves.toMatchObject({
      status: 'revoked',
      revokedReason: 'revocation-request',
    });
  });

  test('an authorization request without PKCE is sent back with invalid_request', async () => {
    const config = await discover();
    const state = client.randomState();
    const answer = await new AuthorizeBrowser(service.baseUrl).get(
      client.buildAuthorizationUrl(config, { redirect_uri: OKTA_CALLBACK, scope: 'scim', state }).href,
    );
    expect(answer.status).toBe(303);
    const parameters = new URL(answer.location as string).searchParams;
    expect(parameters.get('error')).toBe('invalid_request');
    expect(parameters.get('error_description')).toMatch(/PKCE/);
    expect(parameters.get('state')).toBe(state);
    expect(parameters.get('code')).toBeNull();
  });

  test('an authorization request with the plain method is sent back with invalid_request', async () => {
    const config = await discover();
    const { verifier } = pkcePair();
    const answer = await new AuthorizeBrowser(service.baseUrl).get(
      client.buildAuthorizationUrl(config, {
        redirect_uri: OKTA_CALLBACK,
        scope: 'scim',
        state: 's',
        code_challenge: verifier,
        code_challenge_method: 'plain',
      }).href,
    );
    expect(answer.status).toBe(303);
    const parameters = new URL(answer.location as string).searchParams;
    expect(parameters.get('error')).toBe('invalid_request');
    expect(parameters.get('code')).toBeNull();
  });

  test('a code without a PKCE challenge is not redeemed for a public client', async () => {
    const code = await issueTestCode({ ...connection, clientId: publicClientId, redirectUri: OKTA_CALLBACK });
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: OKTA_CALLBACK,
      client_id: publicClientId,
    });
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({ error: 'invalid_grant' });
  });

  test('a public client presenting a client secret, in the body or with Basic, or an assertion, is refused', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await issueTestCode(
      { ...connection, clientId: publicClientId, redirectUri: OKTA_CALLBACK },
      { codeChallenge: challenge, codeChallengeMethod: 'S256' },
    );
    const grant = { grant_type: 'authorization_code', code, redirect_uri: OKTA_CALLBACK, code_verifier: verifier };
    // openid-client itself, configured with a secret for this client.
    const withSecret = await discover(publicClientId, client.ClientSecretPost('not-a-secret'));
    await expect(
      client.authorizationCodeGrant(withSecret, new URL(`${OKTA_CALLBACK}?code=${code}&iss=${service.baseUrl}`), {
        pkceCodeVerifier: verifier,
        expectedState: client.skipStateCheck,
      }),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    const basic = await tokenRequest(grant, { Authorization: basicAuthorization(publicClientId, 'not-a-secret') });
    expect(basic.status).toBe(401);
    await expect(basic.json()).resolves.toMatchObject({ error: 'invalid_client' });
    const assertion = await tokenRequest({
      ...grant,
      client_id: publicClientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'eyJhbGciOiJub25lIn0.e30.',
    });
    expect(assertion.status).toBe(401);
    await expect(assertion.json()).resolves.toMatchObject({ error: 'invalid_client' });
    // None of these used up the code: with client_id alone and the verifier it is redeemed.
    const redeemed = await tokenRequest({ ...grant, client_id: publicClientId });
    expect(redeemed.status).toBe(200);
    rememberTokens(await redeemed.json());
  });

  test('a confidential client naming itself by client_id alone is refused', async () => {
    const code = await issueTestCode(connection);
    const response = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: connection.redirectUri,
      client_id: connection.clientId,
    });
    expect(response.status).toBe(401);
    await expect(response.json()).resolves.toMatchObject({ error: 'invalid_client' });
  });
});
