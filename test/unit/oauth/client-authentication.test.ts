import { ClientSecretBasic, ClientSecretPost } from 'oauth4webapi';
import { clientCredentialsFrom } from '../../../core/oauth/client-authentication';
import { OAuthError } from '../../../core/oauth/errors';
import { redirectUriProblem } from '../../../core/oauth/redirect-uris';

/** The Authorization header oauth4webapi (a client nobody here wrote) sends for client_secret_basic. */
function oauth4webapiBasic(clientId: string, clientSecret: string): string {
  const headers = new Headers();
  ClientSecretBasic(clientSecret)(
    { issuer: 'https://as.example' },
    { client_id: clientId },
    new URLSearchParams(),
    headers,
  );
  return headers.get('authorization') as string;
}

function failure(authorization: string | undefined, body: Record<string, string[]> = {}): OAuthError {
  try {
    clientCredentialsFrom(authorization, body);
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe('client_secret_basic parsing', () => {
  test.each([
    ['client', 'a:b+c%d/e=f'],
    ['id with spaces + plus', 'secret with spaces'],
    ['ünïcödé', 'sécret:with:colons'],
  ])('AS-E2: id %j and secret %j arrive exactly as oauth4webapi encodes them', (clientId, clientSecret) => {
    expect(clientCredentialsFrom(oauth4webapiBasic(clientId, clientSecret), {})).toEqual({
      clientId,
      clientSecret,
      method: 'client_secret_basic',
    });
  });

  test('AS-E2: the scheme is case-insensitive and the credentials split at the first colon', () => {
    const header = `basic ${Buffer.from('client:se:cret').toString('base64')}`;
    expect(clientCredentialsFrom(header, {})).toMatchObject({ clientId: 'client', clientSecret: 'se:cret' });
  });

  test.each([
    ['not base64', 'Basic !!!!'],
    ['unpadded base64', `Basic ${Buffer.from('client:secret').toString('base64').replace(/=+$/, '')}`],
    ['no colon', `Basic ${Buffer.from('clientsecret').toString('base64')}`],
    ['an empty secret', `Basic ${Buffer.from('client:').toString('base64')}`],
    ['a bad percent escape', `Basic ${Buffer.from('client:%zz').toString('base64')}`],
    ['another scheme', 'Bearer abc'],
  ])('AS-E2/AS-E4: %s is 401 invalid_client with a Basic challenge', (_case, header) => {
    const error = failure(header);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(error.headers['WWW-Authenticate']).toMatch(/^Basic realm=/);
  });

  test('AS-E3: client_secret_post as oauth4webapi sends it', () => {
    const body = new URLSearchParams();
    ClientSecretPost('s3cret')({ issuer: 'https://as.example' }, { client_id: 'client' }, body, new Headers());
    const form = Object.fromEntries([...body.entries()].map(([name, value]) => [name, [value]]));
    expect(clientCredentialsFrom(undefined, form)).toEqual({
      clientId: 'client',
      clientSecret: 's3cret',
      method: 'client_secret_post',
    });
  });
});

describe('client assertions (RFC 7521 §4.2)', () => {
  const TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = (payload: object) => `${encode({ alg: 'ES256' })}.${encode(payload)}.c2ln`;

  test('client_assertion_type and client_assertion authenticate the client_id given, or else the sub', () => {
    const assertion = jwt({ sub: 'from-sub' });
    expect(clientCredentialsFrom(undefined, { client_assertion_type: [TYPE], client_assertion: [assertion] })).toEqual({
      clientId: 'from-sub',
      assertion,
      method: 'private_key_jwt',
    });
    expect(
      clientCredentialsFrom(undefined, {
        client_id: ['given'],
        client_assertion_type: [TYPE],
        client_assertion: [assertion],
      }),
    ).toEqual({ clientId: 'given', assertion, method: 'private_key_jwt' });
  });

  test.each([
    [
      'another assertion type',
      {
        client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:saml2-bearer'],
        client_assertion: ['x.y.z'],
      },
      undefined,
    ],
    ['no assertion', { client_assertion_type: [TYPE] }, undefined],
    ['no assertion type', { client_assertion: [jwt({ sub: 'c' })] }, undefined],
    ['an assertion naming no client', { client_assertion_type: [TYPE], client_assertion: ['not-a-jwt'] }, undefined],
    [
      'a secret as well',
      { client_assertion_type: [TYPE], client_assertion: [jwt({ sub: 'c' })], client_secret: ['s'] },
      undefined,
    ],
    [
      'Basic as well',
      { client_assertion_type: [TYPE], client_assertion: [jwt({ sub: 'c' })] },
      `Basic ${Buffer.from('c:s').toString('base64')}`,
    ],
  ])('%s is 401 invalid_client (RFC 7521 §4.2.1)', (_case, body, authorization) => {
    expect(failure(authorization, body)).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  test('a repeated client_assertion is invalid_request', () => {
    const assertion = jwt({ sub: 'c' });
    expect(
      failure(undefined, { client_assertion_type: [TYPE], client_assertion: [assertion, assertion] }),
    ).toMatchObject({
      error: 'invalid_request',
    });
  });
});

describe('redirect URI registration', () => {
  test.each([
    'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
    'https://system-admin.oktapreview.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
    'https://example.com/cb?tenant=a',
    'http://localhost:8080/callback',
    'http://127.0.0.1/callback',
    'http://[::1]:9000/cb',
  ])('AS-A4: %s can be registered', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  test.each([
    ['http on a public host', 'http://example.com/cb'],
    ['Okta’s internal http environment', 'http://system-admin.okta1.com:1802/admin/app/cpc/x/oauth/callback'],
    ['a fragment', 'https://example.com/cb#x'],
    ['an empty fragment', 'https://example.com/cb#'],
    ['userinfo', 'https://okta.com@evil.example/cb'],
    ['a relative URI', '/oauth/callback'],
    ['another scheme', 'javascript:alert(1)'],
    ['a space', 'https://example.com/c b'],
    ['nothing', ''],
  ])('AS-A4: %s is refused', (_case, uri) => {
    expect(redirectUriProblem(uri)).toEqual(expect.any(String));
  });
});
