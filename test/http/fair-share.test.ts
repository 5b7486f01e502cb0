import { FAIR_SHARE_SCIM_REQUESTS_ENV, FAIR_SHARE_TOKEN_REQUESTS_ENV } from '../../contract/environment';
import { type RunningService, startService } from '../support/local-service';
import { basicAuthorization, oauthFixture } from '../support/oauth';
import { type ScimResponse, scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/** A low share, so a flood of a few dozen requests passes it whatever the machine's speed. */
const SCIM_SHARE = 3;
const TOKEN_SHARE = 2;
const saved = { scim: process.env[FAIR_SHARE_SCIM_REQUESTS_ENV], token: process.env[FAIR_SHARE_TOKEN_REQUESTS_ENV] };

let service: RunningService;
beforeAll(async () => {
  process.env[FAIR_SHARE_SCIM_REQUESTS_ENV] = String(SCIM_SHARE);
  process.env[FAIR_SHARE_TOKEN_REQUESTS_ENV] = String(TOKEN_SHARE);
  service = await startService();
});
afterAll(async () => {
  await service.close();
  process.env[FAIR_SHARE_SCIM_REQUESTS_ENV] = saved.scim;
  process.env[FAIR_SHARE_TOKEN_REQUESTS_ENV] = saved.token;
});

const WHOLE_SECONDS = /^[1-9][0-9]*$/;

/** Polls (a window is one second) until the request is answered with something other than 429. */
async function untilNotRefused<T extends { status: number }>(send: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const reply = await send();
    if (reply.status !== 429 || Date.now() > giveUpAt) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('fair share between tenants (SCIM)', () => {
  test('tenant A flooding gets 429s with an integer Retry-After; tenant B’s requests meanwhile all succeed; A is served again in the next window', async () => {
    const a = scimClient(service, (await scimTestToken()).token);
    const b = scimClient(service, (await scimTestToken()).token);
    // B sends fewer requests than its share in all, so wherever the window boundaries fall, none is refused.
    const [flood, neighbour] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => a.get('/Users'))),
      Promise.all(Array.from({ length: SCIM_SHARE }, () => b.get('/Users'))),
    ]);
    const refused = flood.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(flood.every((reply) => reply.status === 200 || reply.status === 429)).toBe(true);
    for (const reply of refused) {
      expect(reply.headers.get('retry-after')).toMatch(WHOLE_SECONDS);
      expect(reply.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
      expect(reply.body).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '429',
        detail: expect.any(String),
      });
    }
    expect(neighbour.map((reply) => reply.status)).toEqual(Array(SCIM_SHARE).fill(200));

    const later: ScimResponse = await untilNotRefused(() => a.get('/Users'));
    expect(later.status).toBe(200);
  });
});

describe('fair share between OAuth clients (token endpoint)', () => {
  const tokenRequest = (clientId: string, clientSecret: string) =>
    fetch(`${service.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basicAuthorization(clientId, clientSecret),
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown-refresh-token' }).toString(),
    }).then(async (response) => ({
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    }));

  test('a client flooding gets 429 temporarily_unavailable with an integer Retry-After; another client is unaffected', async () => {
    const [flooding, other] = await Promise.all([oauthFixture(), oauthFixture()]);
    // Fewer in flight than the free failed-authentication attempts per client and address (CLIENT_AUTH_POLICY),
    // which are reserved before the secret is checked, so every refusal here is the fair share's.
    const [flood, neighbour] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => tokenRequest(flooding.clientId, flooding.clientSecret))),
      Promise.all(Array.from({ length: TOKEN_SHARE }, () => tokenRequest(other.clientId, other.clientSecret))),
    ]);
    const refused = flood.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of refused) {
      expect(reply.headers.get('retry-after')).toMatch(WHOLE_SECONDS);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    }
    // Within its share, the other client gets the grant's own answer: its refresh token is unknown.
    expect(neighbour.map((reply) => [reply.status, reply.body.error])).toEqual(
      Array(TOKEN_SHARE).fill([400, 'invalid_grant']),
    );
    const later = await untilNotRefused(() => tokenRequest(flooding.clientId, flooding.clientSecret));
    expect([later.status, later.body.error]).toEqual([400, 'invalid_grant']);
  });

  test('a wrong secret never uses the client’s share', async () => {
    const fixture = await oauthFixture();
    const wrong = await Promise.all(Array.from({ length: 5 }, () => tokenRequest(fixture.clientId, 'wrong-secret')));
    expect(wrong.map((reply) => reply.status)).toEqual(Array(5).fill(401));
    const right = await tokenRequest(fixture.clientId, fixture.clientSecret);
    expect([right.status, right.body.error]).toEqual([400, 'invalid_grant']);
  });
});
