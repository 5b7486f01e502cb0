import { randomUUID } from 'node:crypto';
import { base64url, createLocalJWKSet, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import type { TokenSigner } from './signer';

/** RFC 9068 §2.1: the JOSE header type of a JWT access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** One hour at most: a stolen token is useful for little time, and Okta refreshes lazily when it has work. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

export interface AccessTokenClaims {
  readonly issuer: string;
  /** The SCIM base URL: the only resource these tokens are for (RFC 9068 §2.2 `aud`). */
  readonly audience: string;
  /** The admin who approved the connection. */
  readonly subject: string;
  readonly clientId: string;
  readonly scope: string;
  readonly tenantId: string;
  /** The grant the token was issued under; revoking the grant stops the token (checked by the resource server). */
  readonly grantId: string;
}

export interface VerifiedAccessToken extends AccessTokenClaims {
  readonly tokenId: string;
  readonly expiresAt: number;
}

/** Why a bearer token was refused; rendered as RFC 6750 §3.1 `invalid_token`. */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

const encoder = new TextEncoder();

/**
 * jose's local key set imports each JWK once and keeps the imported key, so it is built once per published key
 * list rather than per request (building it is most of a verification's CPU); a rotation publishes a new list,
 * which gets a key set of its own.
 */
const keySets = new WeakMap<readonly JWK[], ReturnType<typeof createLocalJWKSet>>();
function keySetOf(keys: readonly JWK[]): ReturnType<typeof createLocalJWKSet> {
  let keySet = keySets.get(keys);
  if (!keySet) {
    keySet = createLocalJWKSet({ keys: [...keys] });
    keySets.set(keys, keySet);
  }
  return keySet;
}

/**
 * Mints an RFC 9068 JWT access token. jose cannot sign with a key it does not hold (KMS), so the JWS compact
 * serialization (RFC 7515 §7.1) is assembled here and only the signature comes from the signer.
 */
export async function mintAccessToken(
  signer: TokenSigner,
  claims: AccessTokenClaims,
  now = Math.floor(Date.now() / 1000),
  lifetimeSeconds = ACCESS_TOKEN_LIFETIME_SECONDS,
): Promise<{ token: string; expiresIn: number; tokenId: string }> {
  const tokenId = randomUUID();
  const header = { alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: await signer.keyId() };
  const payload = {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    iat: now,
    nbf: now,
    exp: now + lifetimeSeconds,
    jti: tokenId,
    client_id: claims.clientId,
    scope: claims.scope,
    tenant_id: claims.tenantId,
    grant_id: claims.grantId,
  };
  const signingInput = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = await signer.sign(encoder.encode(signingInput));
  return { token: `${signingInput}.${base64url.encode(signature)}`, expiresIn: lifetimeSeconds, tokenId };
}

/**
 * Verifies an access token with everything pinned: algorithm ES256 only, `typ` at+jwt, issuer, audience,
 * expiry (RFC 9068 §4), and our own claims present. Any failure is an AccessTokenError with a reason safe to
 * show (it never echoes the token).
 */
export async function verifyAccessToken(
  token: string,
  keys: readonly JWK[],
  expected: { issuer: string; audience: string },
  now?: number,
): Promise<VerifiedAccessToken> {
  try {
    const { payload } = await jwtVerify(token, keySetOf(keys), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: ACCESS_TOKEN_TYPE,
      issuer: expected.issuer,
      audience: expected.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id', 'tenant_id', 'grant_id'],
      ...(now !== undefined ? { currentDate: new Date(now * 1000) } : {}),
    });
    const text = (name: string): string => {
      const value = payload[name];
      if (typeof value !== 'string' || value === '')
        throw new AccessTokenError(`The access token has no valid ${name}`);
      return value;
    };
    return {
      issuer: text('iss'),
      audience: expected.audience,
      subject: text('sub'),
      clientId: text('client_id'),
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      tenantId: text('tenant_id'),
      grantId: text('grant_id'),
      tokenId: text('jti'),
      expiresAt: payload.exp as number,
    };
  } catch (error) {
    if (error instanceof AccessTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AccessTokenError('The access token has expired');
    if (error instanceof joseErrors.JOSEError) throw new AccessTokenError('The access token is invalid');
    throw error;
  }
}

export type AccessTokenVerifier = typeof verifyAccessToken;

/**
 * `verifyAccessToken`, remembering what it verified: the IdP sends the same access token for up to its
 * lifetime, and a token string that verified once against a key list, issuer and audience verifies the same way
 * on every later request, except for its expiry, which is checked again each time (as jose does: expired once
 * `exp` is not after now). So the signature and claims of a token are checked once per container rather than
 * per request; whether its grant is still active is the caller's check, made every time. Only successes are
 * kept, at most `maxTokens` (the oldest goes first), and per key list, so a rotation starts afresh.
 */
export function rememberingAccessTokenVerifier(maxTokens: number): AccessTokenVerifier {
  const verifiedByKeys = new WeakMap<readonly JWK[], Map<string, VerifiedAccessToken>>();
  return async (token, keys, expected, now) => {
    let verified = verifiedByKeys.get(keys);
    if (!verified) {
      verified = new Map();
      verifiedByKeys.set(keys, verified);
    }
    const key = `${expected.issuer}\n${expected.audience}\n${token}`;
    const known = verified.get(key);
    if (known) {
      if (known.expiresAt > Math.floor(now ?? Date.now() / 1000)) return known;
      verified.delete(key);
      throw new AccessTokenError('The access token has expired');
    }
    const result = await verifyAccessToken(token, keys, expected, now);
    if (verified.size >= maxTokens) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(key, result);
    return result;
  };
}
