import { type RunningService, startService } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { basicAuthorization, issueTestCode, oauthFixture, pkcePair } from '../support/oauth';

/**
 * AS-F3: the token and revocation endpoints log request lines (route, status, tenant, client, grant ids), and
 * never a code, token, client secret or Authorization header, on success or on failure. The whole OAuth
 * conversation below runs in this process, so every log line it causes is captured.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

test('AS-F3: no code, token, secret or Authorization header appears in the logs of the OAuth endpoints', async () => {
  const logs = captureLogs();
  const secrets: string[] = [];
  try {
    const fixture = await oauthFixture();
    const other = await oauthFixture();
    secrets.push(fixture.clientSecret, other.clientSecret);
    const basic = basicAuthorization(fixture.clientId, fixture.clientSecret);
    const wrongBasic = basicAuthorization(fixture.clientId, `${fixture.clientSecret}-wrong`);
    secrets.push(basic.slice('Basic '.length), wrongBasic.slice('Basic '.length), `${fixture.clientSecret}-wrong`);
    const post = async (path: string, params: Record<string, string>, authorization?: string) => {
      const response = await fetch(`${service.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body: new URLSearchParams(params),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, string>) };
    };

    const { verifier, challenge } = pkcePair();
    secrets.push(verifier);
    const code = await issueTestCode(fixture, { codeChallenge: challenge, codeChallengeMethod: 'S256' });
    secrets.push(code);
    const redeem = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: fixture.redirectUri,
      code_verifier: verifier,
    };
    expect((await post('/oauth/token', redeem, wrongBasic)).status).toBe(401);
    const issued = await post('/oauth/token', redeem, basic);
    expect(issued.status).toBe(200);
    secrets.push(issued.body.access_token as string, issued.body.refresh_token as string);
    expect((await post('/oauth/token', redeem, basic)).status).toBe(400);

    const secondCode = await issueTestCode(fixture);
    secrets.push(secondCode);
    const second = await post(
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code: secondCode,
        redirect_uri: fixture.redirectUri,
        client_id: fixture.clientId,
        client_secret: fixture.clientSecret,
      },
      undefined,
    );
    expect(second.status).toBe(200);
    secrets.push(second.body.access_token as string, second.body.refresh_token as string);
    const refreshed = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: second.body.refresh_token as string },
      basic,
    );
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.access_token as string, refreshed.body.refresh_token as string);
    expect(
      (await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) }, basic)).status,
    ).toBe(400);
    const otherBasic = basicAuthorization(other.clientId, other.clientSecret);
    secrets.push(otherBasic.slice('Basic '.length));
    expect((await post('/oauth/revoke', { token: refreshed.body.refresh_token as string }, otherBasic)).status).toBe(
      400,
    );
    expect((await post('/oauth/revoke', { token: refreshed.body.refresh_token as string }, basic)).status).toBe(200);
    expect((await post('/oauth/revoke', { token: issued.body.access_token as string }, basic)).status).toBe(200);
    // The secret typed where the client id goes, in the body and in Basic: it names no client and is not logged.
    const swapped = { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) };
    const swappedBasic = basicAuthorization(fixture.clientSecret, fixture.clientId);
    secrets.push(swappedBasic.slice('Basic '.length));
    expect(
      (await post('/oauth/token', { ...swapped, client_id: fixture.clientSecret, client_secret: fixture.clientId }))
        .status,
    ).toBe(401);
    expect((await post('/oauth/token', swapped, swappedBasic)).status).toBe(401);
  } finally {
    logs.restore();
  }

  const lines = logs.lines();
  const requestLines = logs.json().filter((line) => line.message === 'request');
  expect(requestLines).toHaveLength(11);
  expect(requestLines.some((line) => line.route === 'OAuthToken' && line.status === 200 && line.grantId)).toBe(true);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(20);
    const leaking = lines.filter((line) => line.includes(secret));
    expect(leaking).toEqual([]);
  }
  // The request lines, which are the activity records, carry the OAuth error the client received, whose fixed
  // description may speak of an "authorization code"; the secrets themselves are searched for in the whole line
  // above.
  for (const line of lines.map(withoutActivityErrorDetail)) {
    expect(line).not.toMatch(/authorization|client_secret|refresh_token|code_verifier|eyJ[A-Za-z0-9_-]{10,}/i);
  }
});

function withoutActivityErrorDetail(line: string): string {
  try {
    const parsed = JSON.parse(line) as { message?: string; error?: { detail?: string } };
    if (parsed.message === 'request' && parsed.error) delete parsed.error.detail;
    return JSON.stringify(parsed);
  } catch {
    return line;
  }
}
