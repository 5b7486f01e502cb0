import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { documentClient, tableName } from '../../functions/_shared/services';
import { handler as revoke } from '../../functions/oauth/revoke';
import { handler as token } from '../../functions/oauth/token';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useLocalEnvironment } from '../support/local-service';
import { basicAuthorization, issueTestCode, type OAuthFixture, oauthFixture, oauthStores } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

// Random form bodies and headers straight into the token and revocation handlers. Client A's credentials
// (right or wrong) are offered to the fuzzer; client B's code and tokens are too, so the property checks that
// no rejected request, and no request by A, ever changes B's code, grant or refresh token (RFC 6749 §4.1.2,
// §10.4; RFC 7009 §2.1: a client may revoke only its own tokens). Machine client M's credentials are offered
// too: it may get a client_credentials token (and only that, only with its right secret), never anything else.

const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
]);

let clientA: OAuthFixture;
let clientB: OAuthFixture;
let machine: { clientId: string; clientSecret: string };
let codeB: string;
let unusedCodeB: string;
let refreshB: string;
let accessB: string;
let grantB: string;

const keyOf = (pk: string, sk: string) => ({ pk, sk });

async function itemsOfB(): Promise<string> {
  const keys = [
    keyOf(`CODE#${opaqueTokenHash(codeB)}`, 'CODE'),
    keyOf(`CODE#${opaqueTokenHash(unusedCodeB)}`, 'CODE'),
    keyOf(`REFRESH#${opaqueTokenHash(refreshB)}`, 'REFRESH'),
    keyOf(`GRANT#${grantB}`, 'GRANT'),
  ];
  const items = await Promise.all(
    keys.map(
      async (Key) =>
        (await documentClient().send(new GetCommand({ TableName: tableName('grants'), Key, ConsistentRead: true })))
          .Item,
    ),
  );
  expect(items.every((item) => item !== undefined)).toBe(true);
  return JSON.stringify(items);
}

beforeAll(async () => {
  useLocalEnvironment();
  clientA = await oauthFixture();
  clientB = await oauthFixture();
  const created = await oauthStores().clients.create({
    tenantId: clientA.tenantId,
    name: 'Entra',
    kind: 'client_credentials',
  });
  machine = { clientId: created.client.clientId, clientSecret: created.clientSecret };
  rememberSecret(machine.clientSecret);
  codeB = await issueTestCode(clientB);
  unusedCodeB = await issueTestCode(clientB);
  const redeemed = await token(
    apiEvent('POST', '/oauth/token', {
      headers: {
        Authorization: basicAuthorization(clientB.clientId, clientB.clientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: codeB,
        redirect_uri: clientB.redirectUri,
      }).toString(),
    }),
    lambdaContext(),
  );
  const body = JSON.parse(redeemed.body) as { access_token: string; refresh_token: string };
  refreshB = body.refresh_token;
  accessB = body.access_token;
  rememberSecret(refreshB);
  rememberSecret(accessB);
  grantB = JSON.parse(Buffer.from(accessB.split('.')[1] as string, 'base64url').toString()).grant_id as string;
});

const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
const text = (maxLength = 40) => fc.string({ unit: 'binary', maxLength }).map(wellFormed);

const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Client assertions (RFC 7523) as a forger or a broken client sends them: unsigned (`alg: none`), HMAC-signed
 * with a guessed key, naming the clients under test, with random or oversized parts, or no JWT at all.
 */
const assertions = fc.oneof(
  fc
    .record({
      alg: fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'EdDSA', ''),
      kid: fc.oneof(
        text(12),
        fc.integer({ min: 200, max: 20_000 }).map((size) => 'k'.repeat(size)),
      ),
      iss: fc.constantFrom('clientA', 'clientM', 'https://login.microsoftonline.com/x/v2.0', ''),
      exp: fc.oneof(fc.integer(), fc.constant(Math.floor(Date.now() / 1000) + 60), fc.constant('soon')),
      jti: fc.oneof(
        text(),
        fc.integer({ min: 200, max: 4000 }).map((size) => 'j'.repeat(size)),
      ),
      signature: fc.oneof(
        text(60),
        fc.integer({ min: 1, max: 200_000 }).map((size) => 's'.repeat(size)),
      ),
    })
    .map(
      ({ alg, kid, iss, exp, jti, signature }) =>
        `${base64url({ alg, kid, typ: 'JWT' })}.${base64url({ iss: resolve(iss), sub: resolve(iss), aud: 'x', exp, jti })}.${Buffer.from(signature).toString('base64url')}`,
    ),
  text(200),
  fc.constantFrom('a.b.c', '..', 'eyJhbGciOiJub25lIn0.e30.', 'not a jwt'),
);

const values = () =>
  fc.oneof(
    text(),
    fc.constantFrom(
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'password',
      'scim',
      'scim openid',
      'refresh_token ',
      '<script>alert(1)</script>',
    ),
    fc.constant('codeB'),
    fc.constant('unusedCodeB'),
    fc.constant('refreshB'),
    fc.constant('accessB'),
    fc.constant('redirectA'),
    fc.constant('clientA'),
    fc.constant('clientM'),
    fc.constant('secretM'),
    // Values far longer than any key or item field may be (a client_id of 3,000 characters, say).
    fc.integer({ min: 200, max: 4000 }).map((size) => 'x'.repeat(size)),
    fc.constant(JWT_BEARER_ASSERTION_TYPE),
    assertions,
  );

const names = fc.oneof(
  fc.constantFrom(
    'grant_type',
    'code',
    'redirect_uri',
    'refresh_token',
    'code_verifier',
    'scope',
    'client_id',
    'client_secret',
    'token',
    'token_type_hint',
    'resource',
    'client_assertion_type',
    'client_assertion',
  ),
  text(12),
);

/** A client_credentials request authenticated by a random assertion: these reach the RFC 7523 checks. */
const assertionForms = fc
  .tuple(
    fc.constantFrom('client_credentials', 'refresh_token'),
    fc.option(fc.constantFrom('clientA', 'clientM')),
    assertions,
  )
  .map(([grantType, clientId, assertion]): [string, string][] => [
    ['grant_type', grantType],
    ['client_assertion_type', JWT_BEARER_ASSERTION_TYPE],
    ['client_assertion', assertion],
    ...(clientId === null ? [] : ([['client_id', clientId]] as [string, string][])),
  ]);

const forms = fc.oneof(
  { arbitrary: fc.array(fc.tuple(names, values()), { maxLength: 6 }), weight: 5 },
  { arbitrary: assertionForms, weight: 1 },
);

// Weighted towards a well-formed envelope (A's right credentials, a form body), so that most cases reach the
// grant logic instead of stopping at client authentication.
const authorizations = fc.oneof(
  { arbitrary: fc.constant('basicA'), weight: 4 },
  { arbitrary: fc.constant('basicM'), weight: 2 },
  {
    arbitrary: fc.constantFrom('wrongSecretA', 'wrongSecretM', 'none', 'Basic', 'Basic !!!', 'Bearer accessB'),
    weight: 2,
  },
  { arbitrary: text().map((value) => `Basic ${Buffer.from(value).toString('base64')}`), weight: 1 },
  { arbitrary: text(), weight: 1 },
  {
    arbitrary: fc.integer({ min: 200, max: 4000 }).map((size) => basicAuthorization('c'.repeat(size), 'secret')),
    weight: 1,
  },
);

const contentTypes = fc.oneof(
  { arbitrary: fc.constant('application/x-www-form-urlencoded'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'application/x-www-form-urlencoded; charset=UTF-8',
      'application/json',
      'text/plain',
      '',
    ),
    weight: 2,
  },
  { arbitrary: text(), weight: 1 },
);

const requests = fc.record({
  endpoint: fc.constantFrom('token', 'revoke'),
  form: forms,
  authorization: authorizations,
  contentType: contentTypes,
  rawBody: fc.option(
    fc.oneof(
      text(300),
      fc.integer({ min: 1, max: 200_000 }).map((size) => `grant_type=${'a'.repeat(size)}`),
    ),
    { freq: 5 },
  ),
});

function resolve(value: string): string {
  const named: Record<string, string> = {
    codeB,
    unusedCodeB,
    refreshB,
    accessB,
    redirectA: clientA.redirectUri,
    clientA: clientA.clientId,
    clientM: machine.clientId,
    secretM: machine.clientSecret,
  };
  return named[value] ?? value;
}

let requestCount = 0;
const nextSourceIp = () => {
  requestCount += 1;
  return `10.${(requestCount >> 16) & 255}.${(requestCount >> 8) & 255}.${requestCount & 255}`;
};

function authorizationHeader(choice: string): string | undefined {
  if (choice === 'basicA') return basicAuthorization(clientA.clientId, clientA.clientSecret);
  if (choice === 'wrongSecretA') return basicAuthorization(clientA.clientId, `${clientA.clientSecret}x`);
  if (choice === 'basicM') return basicAuthorization(machine.clientId, machine.clientSecret);
  if (choice === 'wrongSecretM') return basicAuthorization(machine.clientId, `${machine.clientSecret}x`);
  if (choice === 'none') return undefined;
  if (choice === 'Bearer accessB') return `Bearer ${accessB}`;
  return choice;
}

function expectOAuthShape(result: APIGatewayProxyResult): void {
  expect(result.statusCode).toBeLessThan(500);
  expect(result.headers?.['Cache-Control']).toBe('no-store');
  if (result.statusCode < 400) return;
  const body = JSON.parse(result.body) as Record<string, unknown>;
  expect(OAUTH_ERRORS.has(String(body.error))).toBe(true);
  if (body.error_description !== undefined) {
    // RFC 6749 §5.2: error_description is printable ASCII, without " and \.
    expect(String(body.error_description)).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
  }
  expect(result.body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
}

test.each([
  ['token', 256, 401],
  ['token', 257, 400],
  ['token', 3000, 400],
  ['revoke', 257, 400],
  ['revoke', 3000, 400],
])(
  'a client_id of %s characters at /oauth/%s is refused before storage: %s, never 500',
  async (endpoint, size, status) => {
    const handler = endpoint === 'token' ? token : revoke;
    const clientId = 'c'.repeat(size);
    const form = { grant_type: 'refresh_token', refresh_token: 'x', token: 'x' };
    for (const [authorization, body] of [
      [basicAuthorization(clientId, 'secret'), new URLSearchParams(form).toString()],
      [undefined, new URLSearchParams({ ...form, client_id: clientId, client_secret: 'secret' }).toString()],
    ] as const) {
      const result = await handler(
        apiEvent('POST', `/oauth/${endpoint}`, {
          headers: {
            ...(authorization ? { Authorization: authorization } : {}),
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body,
          sourceIp: nextSourceIp(),
        }),
        lambdaContext(),
      );
      expectOAuthShape(result);
      expect(result.statusCode).toBe(status);
      expect(JSON.parse(result.body).error).toBe(status === 400 ? 'invalid_request' : 'invalid_client');
    }
  },
);

test('client A revoking client B’s refresh token is refused (RFC 7009 §2.1) and revokes nothing', async () => {
  const before = await itemsOfB();
  const answer = await revoke(
    apiEvent('POST', '/oauth/revoke', {
      headers: {
        Authorization: basicAuthorization(clientA.clientId, clientA.clientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: refreshB, token_type_hint: 'refresh_token' }).toString(),
    }),
    lambdaContext(),
  );
  expect(answer.statusCode).toBe(400);
  expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
  expect(await itemsOfB()).toBe(before);
});

test('random token and revocation requests: never a 500, always an RFC 6749 error, and client B’s code, grant and refresh token are untouched', async () => {
  const before = await itemsOfB();
  let accepted = 0;
  let issuedToMachine = 0;
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const authorization = authorizationHeader(request.authorization);
      const body =
        request.rawBody ??
        new URLSearchParams(request.form.map(([name, value]): [string, string] => [name, resolve(value)])).toString();
      const path = request.endpoint === 'token' ? '/oauth/token' : '/oauth/revoke';
      const handler = request.endpoint === 'token' ? token : revoke;
      const result = await handler(
        apiEvent('POST', path, {
          headers: {
            ...(authorization === undefined ? {} : { Authorization: authorization }),
            ...(request.contentType === '' ? {} : { 'Content-Type': request.contentType }),
          },
          body,
          // An address per request: the failed-authentication limit (AS-E5) is tested on its own.
          sourceIp: nextSourceIp(),
        }),
        lambdaContext(),
      );
      expectOAuthShape(result);
      if (result.statusCode === 401 && authorization?.startsWith('Basic ')) {
        expect(result.headers?.['WWW-Authenticate']).toMatch(/^Basic /);
      }
      if (result.statusCode >= 400) expect(result.body).not.toContain('access_token');
      if (result.statusCode === 200 && request.endpoint === 'token') {
        // Only M's client_credentials grant can issue here: no code or refresh token of A was ever offered.
        const params = new URLSearchParams(body);
        const issued = JSON.parse(result.body) as Record<string, unknown>;
        expect(params.getAll('grant_type')).toEqual(['client_credentials']);
        expect(
          authorization === basicAuthorization(machine.clientId, machine.clientSecret) ||
            params.get('client_secret') === machine.clientSecret,
        ).toBe(true);
        expect(issued).toEqual({
          access_token: expect.any(String),
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'scim',
        });
        rememberSecret(issued.access_token as string);
        issuedToMachine += 1;
      } else if (result.statusCode === 200) {
        accepted += 1;
        expect(request.endpoint).toBe('revoke');
      }
      expect(await itemsOfB()).toBe(before);
    }),
    {
      numRuns: 1500,
      // One case that must succeed (A revoking a token that is not B's), so the count below does not hang on
      // the random draw: the property itself is what the random cases test.
      examples: [
        [
          {
            endpoint: 'revoke',
            form: [['token', 'a-token-nobody-holds']],
            authorization: 'basicA',
            contentType: 'application/x-www-form-urlencoded',
            rawBody: null,
          },
        ],
        [
          {
            endpoint: 'token',
            form: [['grant_type', 'client_credentials']],
            authorization: 'basicM',
            contentType: 'application/x-www-form-urlencoded',
            rawBody: null,
          },
        ],
      ],
    },
  );
  expect(accepted).toBeGreaterThan(0);
  expect(issuedToMachine).toBeGreaterThan(0);
  // B's refresh token still works afterwards.
  const refreshed = await token(
    apiEvent('POST', '/oauth/token', {
      headers: {
        Authorization: basicAuthorization(clientB.clientId, clientB.clientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshB }).toString(),
    }),
    lambdaContext(),
  );
  expect(refreshed.statusCode).toBe(200);
  rememberSecret((JSON.parse(refreshed.body) as { refresh_token: string }).refresh_token);
  rememberSecret((JSON.parse(refreshed.body) as { access_token: string }).access_token);
}, 240_000);
