import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { MemoryAssertionReplayStore } from '../../../adapters/memory/assertion-replay-store';
import {
  JWKS_CACHE_SECONDS,
  JWKS_FAILURE_BACKOFF_SECONDS,
  JWKS_UNKNOWN_KID_REFRESH_SECONDS,
  jwksUriProblem,
  parseRegisteredJwks,
  RemoteKeySets,
} from '../../../core/oauth/assertion-keys';
import {
  type AssertionCredential,
  type ClientAssertionDeps,
  verifyClientAssertion,
} from '../../../core/oauth/client-assertion';
import { OAuthError } from '../../../core/oauth/errors';

/**
 * The pure verification (RFC 7523 §3) and the key-set cache, with assertions signed by jose's SignJWT. The
 * remote JWKS is a function returning documents here (the cache's port); the HTTP tests serve a real one.
 */
const ISSUER = 'https://scim.example.com';
const TOKEN_ENDPOINT = `${ISSUER}/oauth/token`;
const NOW = new Date('2026-12-01T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const CLIENT_ID = 'a3c6f1de-5b0e-4b59-8d5e-1c3a8e2b9f00';

async function keyPair(alg: 'ES256' | 'RS256' | 'PS256', kid: string) {
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
  return { ...pair, publicJwk, alg, kid };
}

type Pair = Awaited<ReturnType<typeof keyPair>>;

function assertion(pair: Pair, claims: Record<string, unknown>, overrides: { iat?: number; exp?: number } = {}) {
  return new SignJWT({ jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: pair.alg, kid: pair.kid, typ: 'JWT' })
    .setIssuedAt(overrides.iat ?? nowSeconds)
    .setExpirationTime(overrides.exp ?? nowSeconds + 60)
    .sign(pair.privateKey);
}

const ownClaims = { iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_ENDPOINT };

function deps(remote: RemoteKeySets = new RemoteKeySets(async () => ({ keys: [] }))): ClientAssertionDeps {
  return {
    replays: new MemoryAssertionReplayStore(),
    remoteKeys: remote,
    issuer: ISSUER,
    tokenEndpoint: TOKEN_ENDPOINT,
    now: () => NOW,
  };
}

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('private_key_jwt with registered keys (RFC 7523 §3)', () => {
  let pair: Pair;
  let credential: AssertionCredential;
  beforeAll(async () => {
    pair = await keyPair('ES256', 'k1');
    credential = { kind: 'jwks', keys: [pair.publicJwk] };
  });

  test('a valid assertion is accepted, and its exp returned', async () => {
    const jwt = await assertion(pair, ownClaims);
    await expect(verifyClientAssertion(deps(), CLIENT_ID, credential, jwt)).resolves.toEqual({
      expiresAt: nowSeconds + 60,
    });
  });

  test('aud may be the token endpoint or the issuer, nothing else', async () => {
    const subject = deps();
    await expect(
      verifyClientAssertion(subject, CLIENT_ID, credential, await assertion(pair, { ...ownClaims, aud: ISSUER })),
    ).resolves.toBeDefined();
    const wrong = await assertion(pair, { ...ownClaims, aud: 'https://other.example.com/token' });
    expect(await refusal(verifyClientAssertion(subject, CLIENT_ID, credential, wrong))).toMatchObject({
      error: 'invalid_client',
      status: 401,
      description: expect.stringContaining('aud'),
    });
  });

  test.each([
    ['iss', { ...ownClaims, iss: 'someone-else' }],
    ['sub', { ...ownClaims, sub: 'someone-else' }],
  ])('a wrong %s is refused', async (claim, claims) => {
    const error = await refusal(verifyClientAssertion(deps(), CLIENT_ID, credential, await assertion(pair, claims)));
    expect(error).toMatchObject({ error: 'invalid_client', description: expect.stringContaining(claim) });
  });

  test.each([
    ['expired beyond the skew', { exp: nowSeconds - 61, iat: nowSeconds - 120 }, 'expired'],
    ['expiring too far ahead', { exp: nowSeconds + 2 * 3600 + 1 }, 'expire within'],
    ['issued in the future', { iat: nowSeconds + 120, exp: nowSeconds + 180 }, 'future'],
    ['living too long', { iat: nowSeconds - 3 * 3600, exp: nowSeconds + 60 }, 'at most'],
  ])('an assertion %s is refused', async (_case, times, reason) => {
    const error = await refusal(
      verifyClientAssertion(deps(), CLIENT_ID, credential, await assertion(pair, ownClaims, times)),
    );
    expect(error).toMatchObject({ error: 'invalid_client', description: expect.stringContaining(reason) });
  });

  test('an assertion within the clock skew of its exp is still accepted', async () => {
    const jwt = await assertion(pair, ownClaims, { iat: nowSeconds - 100, exp: nowSeconds - 30 });
    await expect(verifyClientAssertion(deps(), CLIENT_ID, credential, jwt)).resolves.toBeDefined();
  });

  test('an assertion without exp or without jti is refused', async () => {
    const noExp = await new SignJWT({ ...ownClaims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(pair.privateKey);
    expect(await refusal(verifyClientAssertion(deps(), CLIENT_ID, credential, noExp))).toMatchObject({
      description: expect.stringContaining('exp'),
    });
    const noJti = await new SignJWT(ownClaims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setExpirationTime(nowSeconds + 60)
      .sign(pair.privateKey);
    expect(await refusal(verifyClientAssertion(deps(), CLIENT_ID, credential, noJti))).toMatchObject({
      description: expect.stringContaining('jti'),
    });
  });

  test('a second use of one assertion is refused, also when both race', async () => {
    const subject = deps();
    const jwt = await assertion(pair, ownClaims);
    const results = await Promise.allSettled([
      verifyClientAssertion(subject, CLIENT_ID, credential, jwt),
      verifyClientAssertion(subject, CLIENT_ID, credential, jwt),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await refusal(verifyClientAssertion(subject, CLIENT_ID, credential, jwt))).toMatchObject({
      description: expect.stringContaining('used before'),
    });
  });

  test('a signature by another key with the same kid is refused', async () => {
    const forger = await keyPair('ES256', 'k1');
    const error = await refusal(
      verifyClientAssertion(deps(), CLIENT_ID, credential, await assertion(forger, ownClaims)),
    );
    expect(error).toMatchObject({ error: 'invalid_client', description: expect.stringContaining('signature') });
  });

  test('alg none and HMAC are refused before any key is tried', async () => {
    const payload = encode({ ...ownClaims, jti: randomUUID(), exp: nowSeconds + 60 });
    const none = `${encode({ alg: 'none' })}.${payload}.`;
    const hmac = await new SignJWT({ ...ownClaims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(nowSeconds + 60)
      .sign(new TextEncoder().encode('a shared secret that is long enough for HS256'));
    for (const jwt of [none, hmac]) {
      expect(await refusal(verifyClientAssertion(deps(), CLIENT_ID, credential, jwt))).toMatchObject({
        error: 'invalid_client',
        description: expect.stringContaining('signed with one of'),
      });
    }
  });

  test('without a kid, every registered key of the algorithm is tried', async () => {
    const other = await keyPair('ES256', 'k2');
    const both: AssertionCredential = { kind: 'jwks', keys: [pair.publicJwk, other.publicJwk] };
    const signedBySecond = await new SignJWT({ ...ownClaims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime(nowSeconds + 60)
      .sign(other.privateKey);
    await expect(verifyClientAssertion(deps(), CLIENT_ID, both, signedBySecond)).resolves.toBeDefined();
    const stranger = await keyPair('ES256', 'k3');
    const signedByStranger = await new SignJWT({ ...ownClaims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime(nowSeconds + 60)
      .sign(stranger.privateKey);
    expect(await refusal(verifyClientAssertion(deps(), CLIENT_ID, both, signedByStranger))).toMatchObject({
      description: expect.stringContaining('signature'),
    });
  });

  test('garbage is refused as not a JWT', async () => {
    for (const jwt of ['', 'abc', 'a.b.c', `${encode({ alg: 'ES256' })}.!!.x`]) {
      await expect(verifyClientAssertion(deps(), CLIENT_ID, credential, jwt)).rejects.toMatchObject({
        error: 'invalid_client',
      });
    }
  });
});

describe('federated credentials (Entra workload identity federation)', () => {
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const entraIssuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
  const jwksUri = `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`;
  const subject = '1a2b3c4d-0000-4000-8000-provisioning';
  const audience = 'api://9b2e6c8a-5d1f-4e3b-a7c9-0f1e2d3c4b5a';
  const credential: AssertionCredential = { kind: 'federated', issuer: entraIssuer, subject, audience, jwksUri };
  const entraClaims = { iss: entraIssuer, sub: subject, aud: audience, tid: tenant, oid: subject, ver: '2.0' };

  test('an Entra-shaped token (uti, no jti) verifies with the issuer keys, which are fetched once', async () => {
    const pair = await keyPair('RS256', 'entra-1');
    let fetches = 0;
    const remote = new RemoteKeySets(
      async () => {
        fetches += 1;
        return { keys: [{ ...pair.publicJwk, x5t: pair.kid, issuer: entraIssuer }] };
      },
      () => nowSeconds,
    );
    const make = () =>
      new SignJWT({ ...entraClaims, uti: randomUUID().slice(0, 22) })
        .setProtectedHeader({ alg: 'RS256', kid: 'entra-1', typ: 'JWT' })
        .setIssuedAt(nowSeconds)
        .setNotBefore(nowSeconds)
        .setExpirationTime(nowSeconds + 75 * 60)
        .sign(pair.privateKey);
    const subjectDeps = deps(remote);
    await expect(verifyClientAssertion(subjectDeps, CLIENT_ID, credential, await make())).resolves.toEqual({
      expiresAt: nowSeconds + 75 * 60,
    });
    await expect(verifyClientAssertion(subjectDeps, CLIENT_ID, credential, await make())).resolves.toBeDefined();
    expect(fetches).toBe(1);
  });

  test('a plain http JWKS URL is refused for a deployed (https) issuer', async () => {
    expect(jwksUriProblem('http://login.example.com/keys', ISSUER)).toMatch(/https/);
    expect(jwksUriProblem('http://localhost:4000/keys', ISSUER)).toMatch(/https/);
    expect(jwksUriProblem('http://localhost:4000/keys', 'http://localhost:3000')).toBeUndefined();
    expect(jwksUriProblem('http://evil.example.com/keys', 'http://localhost:3000')).toMatch(/https/);
    expect(jwksUriProblem(jwksUri, ISSUER)).toBeUndefined();
    const pair = await keyPair('RS256', 'entra-1');
    const http = { ...credential, jwksUri: 'http://localhost:4000/keys' };
    const jwt = await assertion(pair, entraClaims);
    expect(await refusal(verifyClientAssertion(deps(), CLIENT_ID, http, jwt))).toMatchObject({
      error: 'invalid_client',
    });
  });
});

describe('the issuers’ key sets (RemoteKeySets)', () => {
  const uri = 'https://idp.example.com/keys';

  function fixture() {
    let clock = nowSeconds;
    let document: unknown = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x1', y: 'y1', kid: 'a' }] };
    let reachable = true;
    const fetched: number[] = [];
    const sets = new RemoteKeySets(
      async () => {
        fetched.push(clock);
        if (!reachable) throw new Error('ECONNREFUSED');
        return document;
      },
      () => clock,
    );
    return {
      sets,
      fetched,
      advance: (seconds: number) => {
        clock += seconds;
      },
      serve: (kids: string[]) => {
        document = { keys: kids.map((kid) => ({ kty: 'EC', crv: 'P-256', x: `x-${kid}`, y: 'y', kid })) };
      },
      setReachable: (value: boolean) => {
        reachable = value;
      },
    };
  }

  test('an unknown kid refreshes the set at most once per interval', async () => {
    const f = fixture();
    await expect(f.sets.keysFor(uri, 'a')).resolves.toHaveLength(1);
    f.serve(['a', 'b']);
    await expect(f.sets.keysFor(uri, 'b')).resolves.toHaveLength(1);
    await expect(f.sets.keysFor(uri, 'c')).resolves.toHaveLength(0);
    await expect(f.sets.keysFor(uri, 'd')).resolves.toHaveLength(0);
    expect(f.fetched).toHaveLength(2);
    f.advance(JWKS_UNKNOWN_KID_REFRESH_SECONDS);
    await expect(f.sets.keysFor(uri, 'c')).resolves.toHaveLength(0);
    expect(f.fetched).toHaveLength(3);
  });

  test('concurrent first uses share one fetch', async () => {
    const f = fixture();
    await Promise.all([f.sets.keysFor(uri, 'a'), f.sets.keysFor(uri, 'a'), f.sets.keysFor(uri, undefined)]);
    expect(f.fetched).toHaveLength(1);
  });

  test('an unreachable issuer is 503 with Retry-After, and is not asked again during the back-off', async () => {
    const f = fixture();
    f.setReachable(false);
    const error = await refusal(f.sets.keysFor(uri, 'a'));
    expect(error).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
    expect(error.headers['Retry-After']).toBe(String(JWKS_FAILURE_BACKOFF_SECONDS));
    f.advance(4);
    const again = await refusal(f.sets.keysFor(uri, 'a'));
    expect(again.headers['Retry-After']).toBe(String(JWKS_FAILURE_BACKOFF_SECONDS - 4));
    expect(f.fetched).toHaveLength(1);
    f.setReachable(true);
    f.advance(JWKS_FAILURE_BACKOFF_SECONDS);
    await expect(f.sets.keysFor(uri, 'a')).resolves.toHaveLength(1);
  });

  test('when a due refresh fails the keys fetched before stay in use; an unknown kid then is 503', async () => {
    const f = fixture();
    await f.sets.keysFor(uri, 'a');
    f.setReachable(false);
    f.advance(JWKS_CACHE_SECONDS);
    await expect(f.sets.keysFor(uri, 'a')).resolves.toHaveLength(1);
    f.advance(JWKS_UNKNOWN_KID_REFRESH_SECONDS + JWKS_FAILURE_BACKOFF_SECONDS);
    expect(await refusal(f.sets.keysFor(uri, 'new'))).toMatchObject({ status: 503 });
  });

  test('a document without keys, HMAC keys and private members are not used', async () => {
    const f = fixture();
    f.serve([]);
    await expect(f.sets.keysFor(uri, undefined)).resolves.toEqual([]);
    const g = new RemoteKeySets(async () => ({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'h' },
        { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private', kid: 'p' },
        { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'ok' },
      ],
    }));
    await expect(g.keysFor(uri, undefined)).resolves.toEqual([{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'ok' }]);
  });
});

describe('registering a JWK Set', () => {
  test('public keys are kept with their public members only', async () => {
    const pair = await keyPair('ES256', 'k1');
    expect(parseRegisteredJwks(JSON.stringify({ keys: [pair.publicJwk] }))).toEqual([pair.publicJwk]);
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['no keys', '{"keys":[]}', /no "keys"/],
    ['an HMAC key', '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}', /asymmetric/],
    ['a private key', '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","d":"d"}]}', /private/],
    [
      'a short RSA key',
      `{"keys":[{"kty":"RSA","n":"${Buffer.alloc(128, 1).toString('base64url')}","e":"AQAB"}]}`,
      /2048/,
    ],
    [
      'too many keys',
      JSON.stringify({
        keys: Array.from({ length: 6 }, (_, i) => ({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: `${i}` })),
      }),
      /at most 5/,
    ],
    [
      'duplicate kids',
      '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","kid":"a"},{"kty":"EC","crv":"P-256","x":"z","y":"y","kid":"a"}]}',
      /same kid/,
    ],
    ['too large', `{"keys":[],"pad":"${'x'.repeat(17 * 1024)}"}`, /larger than/],
  ])('%s is refused with the reason', (_case, text, reason) => {
    expect(() => parseRegisteredJwks(text)).toThrow(reason);
  });
});
