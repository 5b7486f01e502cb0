import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { documentClient } from '../../functions/_shared/services';
import { handler as revokeHandler } from '../../functions/oauth/revoke';
import { handler as tokenHandler } from '../../functions/oauth/token';
import { handler as createUserHandler } from '../../functions/scim/users/create';
import { handler as getUserHandler } from '../../functions/scim/users/get';
import { handler as listUsersHandler } from '../../functions/scim/users/list';
import { handler as patchUserHandler } from '../../functions/scim/users/patch';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useLocalEnvironment } from '../support/local-service';
import { basicAuthorization, issueTestCode, oauthFixture } from '../support/oauth';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

// DynamoDB Local never throttles. Here the SDK client the functions share fails the way the AWS SDK does once
// its own retries are spent (an error named ThrottlingException / ProvisionedThroughputExceededException),
// while `throttle` is on; everything else runs against DynamoDB Local. The SCIM route stack's mapping is also
// tested with stand-ins in test/unit; this covers the real handlers, OAuth's included.

let throttle: string | undefined;

beforeAll(() => {
  useLocalEnvironment();
  documentClient().middlewareStack.add(
    (next) => async (args) => {
      if (throttle) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: throttle,
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleForTest' },
  );
});
afterEach(() => {
  throttle = undefined;
});

const THROTTLING = ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'];

const scimJson = (token: string) => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/scim+json',
});

test.each(THROTTLING)(
  'SCIM reads and writes throttled (%s): 429, an integer Retry-After, a SCIM error, nothing written',
  async (name) => {
    const token = await scimTestToken();
    const created = await createUserHandler(
      apiEvent('POST', '/scim/v2/Users', { headers: scimJson(token.token), body: JSON.stringify(oktaCreateBody()) }),
      lambdaContext(),
    );
    const user = JSON.parse(created.body) as { id: string; meta: { version: string } };
    throttle = name;
    const answers = [
      await getUserHandler(
        apiEvent('GET', `/scim/v2/Users/${user.id}`, { headers: scimJson(token.token) }),
        lambdaContext(),
      ),
      await listUsersHandler(
        apiEvent('GET', '/scim/v2/Users?startIndex=1&count=100', { headers: scimJson(token.token) }),
        lambdaContext(),
      ),
      await patchUserHandler(
        apiEvent('PATCH', `/scim/v2/Users/${user.id}`, {
          headers: scimJson(token.token),
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'replace', value: { active: false } }],
          }),
        }),
        lambdaContext(),
      ),
      await createUserHandler(
        apiEvent('POST', '/scim/v2/Users', {
          headers: scimJson(token.token),
          body: JSON.stringify(oktaCreateBody('second@example.com')),
        }),
        lambdaContext(),
      ),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(429);
      expect(answer.headers?.['Retry-After']).toMatch(/^\d+$/);
      expect(JSON.parse(answer.body)).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '429' });
    }
    throttle = undefined;
    const stored = await getUserHandler(
      apiEvent('GET', `/scim/v2/Users/${user.id}`, { headers: scimJson(token.token) }),
      lambdaContext(),
    );
    expect(JSON.parse(stored.body)).toMatchObject({ active: true, meta: { version: user.meta.version } });
    const listed = await listUsersHandler(
      apiEvent('GET', '/scim/v2/Users?count=0', { headers: scimJson(token.token) }),
      lambdaContext(),
    );
    expect(JSON.parse(listed.body)).toMatchObject({ totalResults: 1 });
  },
);

test.each(THROTTLING)(
  'OAuth token and revocation throttled (%s): 503 temporarily_unavailable with an integer Retry-After, and the code still redeemable',
  async (name) => {
    const fixture = await oauthFixture();
    const code = await issueTestCode(fixture);
    const headers = {
      Authorization: basicAuthorization(fixture.clientId, fixture.clientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const redeem = () =>
      tokenHandler(
        apiEvent('POST', '/oauth/token', {
          headers,
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: fixture.redirectUri,
          }).toString(),
        }),
        lambdaContext(),
      );
    throttle = name;
    const answers = [
      await redeem(),
      await tokenHandler(
        apiEvent('POST', '/oauth/token', {
          headers,
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'A'.repeat(43) }).toString(),
        }),
        lambdaContext(),
      ),
      await revokeHandler(
        apiEvent('POST', '/oauth/revoke', { headers, body: new URLSearchParams({ token: 'A'.repeat(43) }).toString() }),
        lambdaContext(),
      ),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(503);
      expect(answer.headers?.['Retry-After']).toMatch(/^\d+$/);
      expect(answer.headers?.['Cache-Control']).toBe('no-store');
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'temporarily_unavailable' });
    }
    throttle = undefined;
    // Nothing was consumed while throttled: the code still gives exactly one token response.
    expect((await redeem()).statusCode).toBe(200);
  },
);
