import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { type RunningService, startService } from '../support/local-service';
import { issueTestCode, type OAuthFixture, oauthFixture, oauthStores } from '../support/oauth';

/**
 * Interoperability with OAuth clients nobody here wrote: openid-client (and oauth4webapi underneath) against
 * the real local server. The authorization code comes from `issueAuthorizationCode`, called directly where
 * the consent page would call it after the admin approves; the browser flow is tested with the pages.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

function discover(fixture: OAuthFixture, authentication: client.ClientAuth) {
  return client.discovery(new URL(service.baseUrl), fixture.clientId, undefined, authentication, {
    algorithm: 'oauth2',
    execute: [client.allowInsecureRequests],
  });
}

/** The URL the browser lands on after approval: the redirect URI with `code`, `state` and `iss` (RFC 9207). */
function callbackUrl(fixture: OAuthFixture, code: string, state: string): URL {
  const url = new URL(fixture.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  url.searchParams.set('iss', service.baseUrl);
  return url;
}

async function codeFlow(fixture: OAuthFixture, authentication: client.ClientAuth) {
  const config = await discover(fixture, authentication);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const code = await issueTestCode(fixture, {
    codeChallenge: await client.calculatePKCECodeChallenge(verifier),
    codeChallengeMethod: 'S256',
  });
  const tokens = await client.authorizationCodeGrant(config, callbackUrl(fixture, code, state), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { config, tokens };
}

describe('openid-client', () => {
  test('AS-K3: discovery with the oauth2 algorithm accepts our metadata (issuer equality included)', async () => {
    const fixture = await oauthFixture();
    const config = await discover(fixture, client.ClientSecretBasic(fixture.clientSecret));
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(service.baseUrl);
    expect(metadata.token_endpoint).toBe(`${service.baseUrl}/oauth/token`);
    expect(metadata.authorization_endpoint).toBe(`${service.baseUrl}/oauth/authorize`);
  });

  test('authorization code grant with client_secret_basic and PKCE, then a refresh', async () => {
    const fixture = await oauthFixture();
    const { config, tokens } = await codeFlow(fixture, client.ClientSecretBasic(fixture.clientSecret));
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(3500);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  test('authorization code grant with client_secret_post, then a refresh', async () => {
    const fixture = await oauthFixture();
    const { config, tokens } = await codeFlow(fixture, client.ClientSecretPost(fixture.clientSecret));
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  test('authorization code grant without PKCE (Okta sends no code_challenge)', async () => {
    const fixture = await oauthFixture();
    const config = await discover(fixture, client.ClientSecretBasic(fixture.clientSecret));
    const code = await issueTestCode(fixture);
    const url = new URL(fixture.redirectUri);
    url.searchParams.set('code', code);
    url.searchParams.set('iss', service.baseUrl);
    const tokens = await client.authorizationCodeGrant(config, url, { expectedState: client.skipStateCheck });
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  test('a refresh-token revocation through openid-client ends the grant', async () => {
    const fixture = await oauthFixture();
    const { config, tokens } = await codeFlow(fixture, client.ClientSecretBasic(fixture.clientSecret));
    await client.tokenRevocation(config, tokens.refresh_token as string, { token_type_hint: 'refresh_token' });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const grants = await oauthStores().grants.list(fixture.tenantId);
    expect(grants.map((grant) => grant.status)).toEqual(['revoked']);
  });
});

describe('oauth4webapi', () => {
  test('validateJwtAccessToken accepts an access token from our token endpoint, with keys from our jwks_uri', async () => {
    const fixture = await oauthFixture();
    const { tokens } = await codeFlow(fixture, client.ClientSecretBasic(fixture.clientSecret));
    const issuer = new URL(service.baseUrl);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }),
    );
    const request = new Request(`${service.scimBaseUrl}/Users`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, service.scimBaseUrl, {
      [oauth.allowInsecureRequests]: true,
    });
    expect(claims).toMatchObject({ client_id: fixture.clientId, sub: fixture.adminUserId, iss: service.baseUrl });
  });
});
