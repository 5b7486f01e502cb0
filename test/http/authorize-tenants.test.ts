import { request } from 'node:http';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ACCOUNT_POLICY, accountThrottleKey } from '../../core/oauth/login-throttle';
import { documentClient, tableName } from '../../functions/_shared/services';
import { hiddenField } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { type OAuthFixture, OKTA_CALLBACK, oauthFixture } from '../support/oauth';

/**
 * Two tenants whose admins sign in on their own tenant's pages. A tenant's page checks only its own admins'
 * passwords, so it can neither be used to test another tenant's admin password nor to walk around the
 * lock-out an admin's account got on its own page. Each test signs in from its own loopback address, so its
 * failures fill no counter another test's address uses.
 */
let service: RunningService;
let first: OAuthFixture;
let second: OAuthFixture;
jest.setTimeout(120_000);
beforeAll(async () => {
  service = await startService();
  [first, second] = await Promise.all([oauthFixture({ tenantName: 'Acme' }), oauthFixture({ tenantName: 'Globex' })]);
});
afterAll(() => service.close());

interface Page {
  readonly status: number;
  readonly body: string;
}

let addressCounter = 0;
/** A loopback address of its own (127.0.0.0/8 is all loopback on Linux): the sign-ins' source address. */
const ownAddress = () => `127.0.${40 + Math.floor(Math.random() * 200)}.${(addressCounter++ % 250) + 2}`;

/** A browser of one tab, from one address: the session cookie and the current page's CSRF token. */
function browserFrom(localAddress: string) {
  let cookie = '';
  const send = (method: string, path: string, body?: string): Promise<Page> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, service.baseUrl);
      const outgoing = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          localAddress,
          headers: {
            ...(cookie ? { Cookie: cookie } : {}),
            ...(body !== undefined
              ? {
                  'Content-Type': 'application/x-www-form-urlencoded',
                  Origin: service.baseUrl,
                  'Sec-Fetch-Site': 'same-origin',
                }
              : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const [setCookie] = response.headers['set-cookie'] ?? [];
            if (setCookie) cookie = setCookie.split(';')[0] as string;
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  return {
    open: (connection: OAuthFixture) =>
      send(
        'GET',
        `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: connection.clientId, redirect_uri: OKTA_CALLBACK })}`,
      ),
    signIn: (page: Page, email: string, password: string) =>
      send(
        'POST',
        '/oauth/authorize',
        new URLSearchParams({
          step: 'login',
          csrf_token: hiddenField(page.body, 'csrf_token'),
          email,
          password,
        }).toString(),
      ),
  };
}

/** One sign-in attempt on a fresh page of `connection`'s tenant. */
async function attempt(address: string, connection: OAuthFixture, email: string, password: string) {
  const browser = browserFrom(address);
  const page = await browser.open(connection);
  expect(page.status).toBe(200);
  return browser.signIn(page, email, password);
}

/** The answer with what legitimately differs between two attempts (the CSRF token, the email typed) masked. */
const masked = (page: Page, email: string) => ({
  status: page.status,
  body: page.body.replace(/name="csrf_token" value="[^"]*"/, '').replace(email, 'EMAIL'),
});

describe('sign-in pages of two tenants', () => {
  test('AS-B7: an admin of another tenant is answered exactly as an unknown account, right password or wrong', async () => {
    const address = ownAddress();
    const unknown = await attempt(address, first, 'nobody@globex.example', 'a guess');
    const rightPassword = await attempt(address, first, second.adminEmail, second.adminPassword);
    const wrongPassword = await attempt(address, first, second.adminEmail, 'a guess');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('The email or password is incorrect.');
    expect(masked(rightPassword, second.adminEmail)).toEqual(masked(unknown, 'nobody@globex.example'));
    expect(masked(wrongPassword, second.adminEmail)).toEqual(masked(unknown, 'nobody@globex.example'));
    expect(rightPassword.body).not.toContain(second.tenantName);
    // On its own tenant's page the same account signs in.
    expect((await attempt(address, second, second.adminEmail, second.adminPassword)).status).toBe(200);
  });

  test('AS-B7: after an account is locked out on its page, another tenant’s page confirms none of its passwords', async () => {
    const address = ownAddress();
    // The lock-out as failed attempts spread over the last minutes leave it (waiting out every back-off in the
    // test would take a minute): the account's own counter, at the lock.
    const throttle = new LoginThrottleStore(documentClient(), tableName('grants'));
    const now = Math.floor(Date.now() / 1000);
    for (let failure = 0; failure < ACCOUNT_POLICY.lockAfterFailures; failure += 1) {
      const at = now - 2 * ACCOUNT_POLICY.maxDelaySeconds * (ACCOUNT_POLICY.lockAfterFailures - failure);
      await throttle.reserveAttempt(accountThrottleKey(first.tenantId, first.adminEmail), ACCOUNT_POLICY, at);
    }
    expect((await attempt(address, first, first.adminEmail, first.adminPassword)).status).toBe(429);

    const rightPassword = await attempt(address, second, first.adminEmail, first.adminPassword);
    const wrongPassword = await attempt(address, second, first.adminEmail, 'another guess');
    expect(rightPassword.status).toBe(400);
    expect(masked(rightPassword, first.adminEmail)).toEqual(masked(wrongPassword, first.adminEmail));
    // The account is still locked on its own page.
    expect((await attempt(address, first, first.adminEmail, first.adminPassword)).status).toBe(429);
  });
});
