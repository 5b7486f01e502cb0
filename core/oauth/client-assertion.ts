import { createHash } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { jwksUriProblem, type RemoteKeySets } from './assertion-keys';
import { invalidClient, OAuthError } from './errors';

/**
 * Client authentication with a signed JWT, RFC 7523 §2.2 and §3 (the `private_key_jwt` method of OpenID
 * Connect Core §9, and Microsoft Entra's workload identity federation). The keys come from the client's
 * registration: a JWK Set of its own (`iss` = `sub` = its client id), or a federated credential (a trusted
 * issuer such as Entra, with the `sub` and `aud` it puts in the tokens it issues for the client).
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Asymmetric JWS algorithms only (RFC 7518 §3.3–3.5, RFC 8037): `none` is never a signature, and an HMAC
 * (`HS*`) would need a secret shared with us, which is what an assertion replaces (RFC 8725 §3.1: verifiers
 * must allow only the algorithms they expect).
 */
export const ASSERTION_SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** The clock difference tolerated on `exp`, `nbf` and `iat` (RFC 7523 §3: "some small leeway"). */
export const ASSERTION_CLOCK_SKEW_SECONDS = 60;
/**
 * The furthest `exp` may lie ahead of now (and of `iat`). RFC 7523 §3 lets the server "reject JWTs with an
 * "exp" claim value that is unreasonably far in the future"; Entra's tokens live 60 to 90 minutes, a
 * private_key_jwt client's usually a minute.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 2 * 3600;
/** The longest assertion read; an Entra access token is 1.5 to 3 KB. */
export const MAX_ASSERTION_LENGTH = 16 * 1024;
/** The longest `jti` accepted. */
export const MAX_ASSERTION_ID_LENGTH = 256;

/** Where a client's assertion keys come from; stored on the client record. */
export type AssertionCredential =
  | { readonly kind: 'jwks'; readonly keys: readonly JWK[] }
  | {
      readonly kind: 'federated';
      /** The `iss` of the tokens, e.g. `https://login.microsoftonline.com/<tenant id>/v2.0`. */
      readonly issuer: string;
      /** The `sub` they carry: for Entra, the object id of the provisioning app's service principal. */
      readonly subject: string;
      /** The `aud` they carry: for Entra, the Application ID URI, e.g. `api://<workload app id>`. */
      readonly audience: string;
      /** The issuer's keys: for Entra, `https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys`. */
      readonly jwksUri: string;
    };

/**
 * Records that an assertion id was used, atomically: true the first time, false for every later use before
 * `keepUntil` (epoch seconds), however many requests race (RFC 7523 §3: "maintaining the set of used "jti"
 * values for the length of time for which the JWT would be considered valid").
 */
export interface AssertionReplayGuard {
  useOnce(assertionId: string, keepUntil: number, nowSeconds: number): Promise<boolean>;
}

export interface ClientAssertionDeps {
  readonly replays: AssertionReplayGuard;
  readonly remoteKeys: RemoteKeySets;
  /** Our issuer; with the token endpoint URL, what a registered-key assertion's `aud` may name (RFC 7523 §3). */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly now: () => Date;
}

/** What the token endpoint learns from a valid assertion. */
export interface VerifiedAssertion {
  /** Epoch seconds: the assertion's `exp`. */
  readonly expiresAt: number;
}

const refused = (description: string) => invalidClient(description, false);

/** The client id an assertion names for itself (RFC 7523 §3: for client authentication `sub` is the client_id). */
export function assertedClientId(assertion: string): string | undefined {
  try {
    const sub = decodeJwt(assertion).sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies `assertion` for the client per RFC 7523 §3, and uses its id up: an error (`invalid_client`, or
 * 503 `temporarily_unavailable` when the issuer's keys cannot be fetched) or the verified assertion. Nothing
 * about the assertion is trusted before its signature is checked, except the `kid` that picks the key.
 */
export async function verifyClientAssertion(
  deps: ClientAssertionDeps,
  clientId: string,
  credential: AssertionCredential,
  assertion: string,
): Promise<VerifiedAssertion> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw refused('The client assertion is too long');
  const header = protectedHeader(assertion);
  if (!(ASSERTION_SIGNING_ALGORITHMS as readonly string[]).includes(header.alg)) {
    throw refused(`The client assertion must be signed with one of ${ASSERTION_SIGNING_ALGORITHMS.join(', ')}`);
  }
  const expected =
    credential.kind === 'jwks'
      ? { issuer: clientId, subject: clientId, audience: [deps.tokenEndpoint, deps.issuer] }
      : { issuer: credential.issuer, subject: credential.subject, audience: [credential.audience] };
  if (credential.kind === 'federated' && jwksUriProblem(credential.jwksUri, deps.issuer) !== undefined) {
    throw refused('The JWKS URL of the client’s federated credential is not allowed here');
  }
  const keys =
    credential.kind === 'jwks' ? [...credential.keys] : await deps.remoteKeys.keysFor(credential.jwksUri, header.kid);
  if (keys.length === 0) throw refused('No key of the client matches the client assertion’s kid');
  const now = deps.now();
  const payload = await verifiedPayload(assertion, createLocalJWKSet({ keys }), { ...expected, now });
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expiresAt = payload.exp as number;
  if (expiresAt - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw refused(`The client assertion must expire within ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`);
  }
  if (payload.iat !== undefined && payload.iat > nowSeconds + ASSERTION_CLOCK_SKEW_SECONDS) {
    throw refused('The client assertion was issued in the future');
  }
  if (payload.iat !== undefined && expiresAt - payload.iat > MAX_ASSERTION_LIFETIME_SECONDS) {
    throw refused(`The client assertion must live at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds`);
  }
  const assertionId = assertionIdOf(payload, credential);
  const firstUse = await deps.replays.useOnce(
    replayKey(expected.issuer, assertionId),
    expiresAt + ASSERTION_CLOCK_SKEW_SECONDS,
    nowSeconds,
  );
  if (!firstUse) throw refused('The client assertion was used before');
  return { expiresAt };
}

function protectedHeader(assertion: string): { alg: string; kid: string | undefined } {
  try {
    const header = decodeProtectedHeader(assertion);
    if (typeof header.alg !== 'string' || (header.kid !== undefined && typeof header.kid !== 'string')) {
      throw new Error('malformed header');
    }
    return { alg: header.alg, kid: header.kid };
  } catch {
    throw refused('The client assertion is not a signed JWT');
  }
}

async function verifiedPayload(
  assertion: string,
  keys: JWTVerifyGetKey,
  expected: { issuer: string; subject: string; audience: string[]; now: Date },
): Promise<JWTPayload> {
  const options = {
    algorithms: [...ASSERTION_SIGNING_ALGORITHMS],
    issuer: expected.issuer,
    subject: expected.subject,
    audience: expected.audience,
    requiredClaims: ['exp'],
    clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
    currentDate: expected.now,
  };
  try {
    return (await jwtVerify(assertion, keys, options)).payload;
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (error instanceof errors.JWKSMultipleMatchingKeys) return verifiedByAnyOf(assertion, error, options);
    throw refused(reasonOf(error));
  }
}

/** Without a `kid` to pick one, each key that fits the algorithm is tried in turn (at most MAX_REMOTE_KEYS). */
async function verifiedByAnyOf(
  assertion: string,
  candidates: errors.JWKSMultipleMatchingKeys,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  for await (const key of candidates) {
    try {
      return (await jwtVerify(assertion, key, options)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw refused(reasonOf(error));
    }
  }
  throw refused('The client assertion signature is invalid');
}

/** A reason the client's developer can act on; never a key or the assertion itself. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The client assertion has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `The client assertion lacks the ${error.claim} claim`;
    if (error.claim === 'nbf') return 'The client assertion is not valid yet';
    return `The client assertion's ${error.claim} claim is not what the client is registered with`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'No key of the client matches the client assertion';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'The client assertion signature is invalid';
  return 'The client assertion is not a valid JWT';
}

/**
 * The assertion's unique id: `jti` (RFC 7519 §4.1.7). Entra's tokens carry theirs as `uti` instead (its access
 * token claims reference), so a federated credential's token may name it that way; one of them is required.
 */
function assertionIdOf(payload: JWTPayload, credential: AssertionCredential): string {
  const id = payload.jti ?? (credential.kind === 'federated' ? payload.uti : undefined);
  if (typeof id !== 'string' || id === '' || id.length > MAX_ASSERTION_ID_LENGTH) {
    throw refused('The client assertion needs a jti claim (its unique id)');
  }
  return id;
}

/** An id is unique per issuer (RFC 7519 §4.1.7); the pair is hashed so the stored key has a fixed size. */
const replayKey = (issuer: string, assertionId: string): string =>
  createHash('sha256').update(issuer).update('\0').update(assertionId).digest('base64url');
