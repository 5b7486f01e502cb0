import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import {
  ACCOUNT_POLICY,
  accountThrottleKey,
  delayAfterFailures,
  SOURCE_POLICY,
  sourceThrottleKey,
  type ThrottlePolicy,
} from '../../core/oauth/login-throttle';
import { documentClient, tableName } from '../../functions/_shared/services';
import { handler as authorize } from '../../functions/oauth/authorize';
import { handler as submit } from '../../functions/oauth/authorize-submit';
import { apiEvent, lambdaContext } from '../support/api-event';
import { hiddenField } from '../support/authorize-client';
import { useLocalEnvironment } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture } from '../support/oauth';
import { rememberSecret } from '../support/secrets';

const BASE_URL = 'https://auth.example.test';
let connection: OAuthFixture;
beforeAll(async () => {
  useLocalEnvironment(BASE_URL);
  connection = await oauthFixture();
});

/** A sign-in page from a given source address: its session cookie and CSRF token. */
async function openSignIn(sourceIp: string, client = connection): Promise<{ cookie: string; csrf: string }> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: OKTA_CALLBACK,
  });
  const page = (await authorize(
    apiEvent('GET', `/oauth/authorize?${query}`, { sourceIp }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  expect(page.statusCode).toBe(200);
  const [setCookie = ''] = (page.multiValueHeaders?.['Set-Cookie'] ?? []).map(String);
  const cookie = setCookie.split(';')[0] as string;
  rememberSecret(cookie.slice(cookie.indexOf('=') + 1));
  return { cookie, csrf: hiddenField(page.body, 'csrf_token') };
}

async function attemptSignIn(sourceIp: string, email: string, password: string, client = connection) {
  // A typed password is a secret whether it is right or not.
  rememberSecret(password);
  const { cookie, csrf } = await openSignIn(sourceIp, client);
  const body = new URLSearchParams({ step: 'login', csrf_token: csrf, email, password }).toString();
  return (await submit(
    apiEvent('POST', '/oauth/authorize', {
      sourceIp,
      body,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: cookie,
        Origin: BASE_URL,
        'Sec-Fetch-Site': 'same-origin',
      },
    }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
}

const uniqueIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomUUID().slice(0, 4)}`;

describe('AS-B7: repeated failed sign-ins', () => {
  const throttle = () => new LoginThrottleStore(documentClient(), tableName('grants'));

  /**
   * Failures recorded from `secondsAgo` on, each after the wait the policy asked for: the counter then stands
   * where a patient attacker would have brought it, whatever the speed of the machine running the test.
   */
  async function seedFailures(key: string, policy: ThrottlePolicy, count: number, secondsAgo: number) {
    let at = Math.floor(Date.now() / 1000) - secondsAgo;
    for (let failures = 1; failures <= count; failures++) {
      await expect(throttle().reserveAttempt(key, policy, at)).resolves.toEqual({ allowed: true });
      at += delayAfterFailures(failures, policy);
    }
  }

  test('the first five failures are answered at once, each with the same message', async () => {
    // An account of its own: the failures it leaves would make the shared admin wait in the other tests.
    const own = await oauthFixture();
    const sourceIp = uniqueIp();
    for (let attempt = 0; attempt < ACCOUNT_POLICY.freeFailures; attempt++) {
      const failure = await attemptSignIn(sourceIp, own.adminEmail, `wrong password ${attempt}`, own);
      expect(failure.statusCode).toBe(400);
      expect(failure.body).toContain('The email or password is incorrect.');
    }
  });

  test('the tenth failure locks the account for 15 minutes, right password or not; an unknown email alike', async () => {
    const locked = await oauthFixture();
    const unknownEmail = `nobody-${randomUUID().slice(0, 8)}@acme.example`;
    const sourceIp = uniqueIp();
    for (const email of [locked.adminEmail, unknownEmail]) {
      const key = accountThrottleKey(locked.tenantId, email);
      await seedFailures(key, ACCOUNT_POLICY, ACCOUNT_POLICY.lockAfterFailures - 1, 3600);
      const tenth = await attemptSignIn(sourceIp, email, 'wrong password', locked);
      expect(tenth.statusCode).toBe(400);
      expect(tenth.body).toContain('The email or password is incorrect.');
      const refused = await attemptSignIn(sourceIp, email, locked.adminPassword, locked);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
      const retryAfter = Number(refused.headers?.['Retry-After']);
      expect(retryAfter).toBeGreaterThan(ACCOUNT_POLICY.lockSeconds - 60);
      expect(retryAfter).toBeLessThanOrEqual(ACCOUNT_POLICY.lockSeconds);
      expect(refused.body).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');
    }
  });

  test('a source address over its limit is refused before any password check; another address is not', async () => {
    const busyIp = uniqueIp();
    // 30 failures within the last 400 s: the address is locked for the next ~14 minutes.
    await seedFailures(sourceThrottleKey(busyIp), SOURCE_POLICY, SOURCE_POLICY.lockAfterFailures, 400);
    const refused = await attemptSignIn(busyIp, connection.adminEmail, connection.adminPassword);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers?.['Retry-After'])).toBeGreaterThan(SOURCE_POLICY.lockSeconds - 400);
    const allowed = await attemptSignIn(uniqueIp(), connection.adminEmail, connection.adminPassword);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('Allow Okta provisioning to connect?');
  });
});
