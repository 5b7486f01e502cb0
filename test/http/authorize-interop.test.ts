import * as client from 'openid-client';
import { AuthorizeBrowser, hiddenField } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture, rememberTokens } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

/**
 * The whole authorization code flow with a client nobody here wrote: openid-client builds the authorization
 * URL (state, PKCE S256, scope), our pages are answered by the scripted browser, and openid-client checks the
 * authorization response (state, and iss per RFC 9207, since our metadata says we send it) before redeeming the
 * code.
 */
let service: RunningService;
let connection: OAuthFixture;
beforeAll(async () => {
  service = await startService();
  connection = await oauthFixture();
});
afterAll(() => service.close());

async function approveInBrowser(authorizationUrl: URL): Promise<URL> {
  const browser = new AuthorizeBrowser(service.baseUrl);
  const login = await browser.get(authorizationUrl.href);
  expect(login.status).toBe(200);
  const consent = await browser.post({
    step: 'login',
    csrf_token: hiddenField(login.body, 'csrf_token'),
    email: connection.adminEmail,
    password: connection.adminPassword,
  });
  const answer = await browser.post({
    step: 'consent',
    csrf_token: hiddenField(consent.body, 'csrf_token'),
    decision: 'allow',
  });
  expect(answer.status).toBe(303);
  return new URL(answer.location as string);
}

const discover = () =>
  client.discovery(
    new URL(service.baseUrl),
    connection.clientId,
    undefined,
    client.ClientSecretBasic(connection.clientSecret),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
  );

describe('openid-client through the sign-in and consent pages', () => {
  test('AS-A12, AS-D1: the response passes openid-client’s state and iss checks and the PKCE code is redeemed', async () => {
    const config = await discover();
    expect(config.serverMetadata().supportsPKCE()).toBe(true);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: OKTA_CALLBACK,
      scope: 'scim',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    expect(authorizationUrl.href.startsWith(`${service.baseUrl}/oauth/authorize?`)).toBe(true);

    const callback = await approveInBrowser(authorizationUrl);
    rememberSecret(verifier);
    const tokens = rememberTokens(
      await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    );
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('scim');

    // A callback whose iss is not ours is refused by the client: the parameter is what protects it from mix-up.
    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://other-issuer.example');
    await expect(
      client.authorizationCodeGrant(config, forged, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toThrow();
  });
});

describe('the scope openid-client’s examples ask for', () => {
  test('scope=scim offline_access is granted, with a refresh token, and offline_access is in scopes_supported', async () => {
    const config = await discover();
    expect(config.serverMetadata().scopes_supported).toEqual(expect.arrayContaining(['scim', 'offline_access']));
    const state = client.randomState();
    const callback = await approveInBrowser(
      client.buildAuthorizationUrl(config, { redirect_uri: OKTA_CALLBACK, scope: 'scim offline_access', state }),
    );
    const tokens = rememberTokens(await client.authorizationCodeGrant(config, callback, { expectedState: state }));
    expect(tokens.scope).toBe('offline_access scim');
    expect(typeof tokens.refresh_token).toBe('string');
    const refreshed = rememberTokens(await client.refreshTokenGrant(config, tokens.refresh_token as string));
    expect(refreshed.scope).toBe('offline_access scim');
  });

  test('another unknown scope next to offline_access is still redirected with invalid_scope', async () => {
    const config = await discover();
    const state = client.randomState();
    const browser = new AuthorizeBrowser(service.baseUrl);
    const answer = await browser.get(
      client.buildAuthorizationUrl(config, { redirect_uri: OKTA_CALLBACK, scope: 'scim offline_access openid', state })
        .href,
    );
    expect(answer.status).toBe(303);
    const parameters = new URL(answer.location as string).searchParams;
    expect(parameters.get('error')).toBe('invalid_scope');
    expect(parameters.get('state')).toBe(state);
  });
});
