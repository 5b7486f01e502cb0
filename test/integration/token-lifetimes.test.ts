import { decodeJwt } from 'jose';
import { OAuthError } from '../../core/oauth/errors';
import { GRANT_ABSOLUTE_LIFETIME_SECONDS, REFRESH_TOKEN_IDLE_SECONDS } from '../../core/oauth/refresh-tokens';
import { handleTokenRequest } from '../../core/oauth/token-endpoint';
import { useLocalEnvironment } from '../support/local-service';
import {
  basicAuthorization,
  form,
  issueTestCode,
  type OAuthFixture,
  oauthFixture,
  oauthStores,
  rememberTokens,
  tokenEndpointDeps,
} from '../support/oauth';

/**
 * Lifetimes and windows, with a clock the test moves: the token endpoint's core runs on the real DynamoDB
 * Local stores, and only `now` is chosen by the test.
 */
beforeAll(() => useLocalEnvironment());

const start = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

async function exchange(fixture: OAuthFixture, params: Record<string, string>, nowSeconds: number) {
  const outcome = await handleTokenRequest(
    tokenEndpointDeps(() => at(nowSeconds)),
    basicAuthorization(fixture.clientId, fixture.clientSecret),
    form(params),
  );
  const { refresh_token: refreshToken } = rememberTokens(outcome.response);
  if (refreshToken === undefined) throw new Error(`the ${params.grant_type} grant issued no refresh token`);
  return { ...outcome, response: { ...outcome.response, refresh_token: refreshToken } };
}

const redeemAt = (fixture: OAuthFixture, code: string, nowSeconds: number) =>
  exchange(fixture, { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri }, nowSeconds);

const refreshAt = (fixture: OAuthFixture, refreshToken: string, nowSeconds: number) =>
  exchange(fixture, { grant_type: 'refresh_token', refresh_token: refreshToken }, nowSeconds);

async function oauthErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${String(error)}`);
  return error.error;
}

async function grantAt(fixture: OAuthFixture, nowSeconds: number) {
  const code = await issueTestCode(fixture, {}, () => at(nowSeconds));
  return (await redeemAt(fixture, code, nowSeconds)).response;
}

describe('authorization code lifetime', () => {
  test('AS-C2: a code redeemed 59 s after issue works; at 60 s and 61 s it is invalid_grant', async () => {
    const fixture = await oauthFixture();
    const fresh = await issueTestCode(fixture, {}, () => at(0));
    await expect(redeemAt(fixture, fresh, 59)).resolves.toMatchObject({ response: { token_type: 'Bearer' } });
    const stale = await issueTestCode(fixture, {}, () => at(0));
    expect(await oauthErrorOf(redeemAt(fixture, stale, 61))).toBe('invalid_grant');
    expect(await oauthErrorOf(redeemAt(fixture, stale, 60))).toBe('invalid_grant');
  });
});

describe('refresh token grace window', () => {
  test('AS-G5: the previous token within 59 s of the rotation returns the same successor', async () => {
    const fixture = await oauthFixture();
    const first = await grantAt(fixture, 0);
    const rotated = (await refreshAt(fixture, first.refresh_token, 100)).response;
    const retried = (await refreshAt(fixture, first.refresh_token, 159)).response;
    expect(retried.refresh_token).toBe(rotated.refresh_token);
    expect(decodeJwt(retried.access_token).iat).toBe(Math.floor(at(159).getTime() / 1000));
    await expect(refreshAt(fixture, rotated.refresh_token, 160)).resolves.toBeDefined();
  });

  test('AS-G5/AS-G4: the previous token 60 s after the rotation is reuse: invalid_grant and the grant is revoked', async () => {
    const fixture = await oauthFixture();
    const first = await grantAt(fixture, 0);
    const rotated = (await refreshAt(fixture, first.refresh_token, 100)).response;
    expect(await oauthErrorOf(refreshAt(fixture, first.refresh_token, 160))).toBe('invalid_grant');
    expect(await oauthErrorOf(refreshAt(fixture, rotated.refresh_token, 161))).toBe('invalid_grant');
    const grantId = decodeJwt(rotated.access_token).grant_id as string;
    await expect(oauthStores().grants.get(grantId)).resolves.toMatchObject({
      status: 'revoked',
      revokedReason: 'refresh-token-reuse',
    });
  });
});

describe('refresh token lifetimes', () => {
  test('AS-G6: a refresh token unused for the idle lifetime (90 days) is invalid_grant; one day less works', async () => {
    const fixture = await oauthFixture();
    const used = await grantAt(fixture, 0);
    await expect(refreshAt(fixture, used.refresh_token, REFRESH_TOKEN_IDLE_SECONDS - 1)).resolves.toBeDefined();
    const idle = await grantAt(fixture, 0);
    expect(await oauthErrorOf(refreshAt(fixture, idle.refresh_token, REFRESH_TOKEN_IDLE_SECONDS))).toBe(
      'invalid_grant',
    );
  });

  test('AS-G6: regular use keeps a grant alive up to its absolute lifetime (365 days), not beyond', async () => {
    const fixture = await oauthFixture();
    let refreshToken = (await grantAt(fixture, 0)).refresh_token;
    const step = 80 * 24 * 3600;
    let now = 0;
    while (now + step < GRANT_ABSOLUTE_LIFETIME_SECONDS) {
      now += step;
      refreshToken = (await refreshAt(fixture, refreshToken, now)).response.refresh_token;
    }
    expect(await oauthErrorOf(refreshAt(fixture, refreshToken, GRANT_ABSOLUTE_LIFETIME_SECONDS))).toBe('invalid_grant');
  });
});
