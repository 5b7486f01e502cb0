import type { JWK } from 'jose';
import type { AssertionCredential } from './client-assertion';
import { temporarilyUnavailable } from './errors';
import { publicJwks } from './jwks';

/**
 * The public keys a client assertion (RFC 7523 §3) is verified with: a JWK Set registered on the client, or
 * the JWKS URL of a federated credential's issuer, fetched, cached and refreshed here. Every bound on a key
 * set is declared in this file, and the CLI and the fetcher both apply them.
 */

/** Key types of asymmetric signatures (RFC 7518 §6, RFC 8037 §2); an `oct` (HMAC) key is never a client key. */
const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

/** At most this many keys are registered on a client (enough for a rotation with overlap, and a spare). */
export const MAX_REGISTERED_KEYS = 5;
/** The largest JWK Set file `client create --jwks-file` reads; a 4096-bit RSA public JWK is under 1 KiB. */
export const MAX_REGISTERED_JWKS_BYTES = 16 * 1024;
/** The largest JWKS document fetched from an issuer (Entra's has about ten RSA keys with certificates: ~15 KiB). */
export const MAX_REMOTE_JWKS_BYTES = 128 * 1024;
/** At most this many usable keys are taken from an issuer's JWKS. */
export const MAX_REMOTE_KEYS = 50;
/** RSA keys shorter than 2048 bits are refused (RFC 7518 §3.3: "2048 bits or larger MUST be used"). */
const MIN_RSA_MODULUS_BYTES = 256;
/** The longest JWKS URL or issuer a federated credential may hold. */
export const MAX_FEDERATED_VALUE_LENGTH = 2048;

export class KeySetProblem extends Error {
  override readonly name = 'KeySetProblem';
}

/** JWK members that hold secret key material: RSA and EC/OKP private parts (RFC 7518 §6.2.2, §6.3.2), `oct`'s `k`. */
const SECRET_KEY_MEMBER = /"(?:d|p|q|dp|dq|qi|oth|k)"\s*:/;

/**
 * Whether a pasted key set may hold secret key material. Conservative (any member of that name anywhere), so
 * that a page answering a refused key set never sends a private key back to the browser.
 */
export const mayHoldSecretKeyMaterial = (text: string): boolean => SECRET_KEY_MEMBER.test(text);

const rsaModulusBytes = (jwk: JWK): number => Buffer.from(jwk.n ?? '', 'base64url').length;

/** The key's problem as a sentence, or undefined when it is a usable public signature key. */
function keyProblem(jwk: unknown): string | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'a key is not a JSON object';
  const key = jwk as JWK;
  if (typeof key.kty !== 'string' || !ASYMMETRIC_KEY_TYPES.has(key.kty)) {
    return `key type ${JSON.stringify(key.kty)} is not an asymmetric signature key (RSA, EC or OKP)`;
  }
  if (key.d !== undefined || key.p !== undefined || key.q !== undefined) return 'a key holds private members';
  if (key.use !== undefined && key.use !== 'sig') return 'a key is not for signatures (use must be "sig")';
  if (key.kid !== undefined && (typeof key.kid !== 'string' || key.kid.length > 256)) return 'a kid is malformed';
  if (key.kty === 'RSA' && rsaModulusBytes(key) < MIN_RSA_MODULUS_BYTES) return 'an RSA key is shorter than 2048 bits';
  if ((key.kty === 'EC' || key.kty === 'OKP') && (typeof key.crv !== 'string' || typeof key.x !== 'string')) {
    return 'an EC or OKP key lacks crv or x';
  }
  return undefined;
}

/**
 * The JWK Set an admin registers on a client (RFC 7517 §5): 1 to MAX_REGISTERED_KEYS public signature keys,
 * with distinct `kid`s. A private key, an HMAC key or a short RSA key is refused with the reason.
 */
export function parseRegisteredJwks(text: string): JWK[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_REGISTERED_JWKS_BYTES) {
    throw new KeySetProblem(`The JWK Set is larger than ${MAX_REGISTERED_JWKS_BYTES} bytes`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KeySetProblem('The JWK Set is not JSON');
  }
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeySetProblem('The JWK Set has no "keys" array of keys');
  if (keys.length > MAX_REGISTERED_KEYS) {
    throw new KeySetProblem(`The JWK Set has ${keys.length} keys; at most ${MAX_REGISTERED_KEYS} are accepted`);
  }
  for (const key of keys) {
    const problem = keyProblem(key);
    if (problem) throw new KeySetProblem(`The JWK Set is refused: ${problem}`);
  }
  const kids = keys.map((key: JWK) => key.kid).filter((kid) => kid !== undefined);
  if (new Set(kids).size !== kids.length) throw new KeySetProblem('The JWK Set has two keys with the same kid');
  if (keys.length > 1 && kids.length !== keys.length) {
    throw new KeySetProblem('Every key of a JWK Set with more than one key needs a kid');
  }
  return publicJwks(keys as JWK[]).keys;
}

/** The usable keys of a fetched JWKS document; unusable ones (certificates' private parts, HMAC keys) are skipped. */
export function usableRemoteKeys(document: unknown): JWK[] | undefined {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return undefined;
  return publicJwks(keys.filter((key) => keyProblem(key) === undefined).slice(0, MAX_REMOTE_KEYS) as JWK[]).keys;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);

/**
 * THE rule for a JWKS URL (and a federated issuer): `https`, without credentials or fragment. Plain `http` is
 * accepted only for a loopback host and only when our own issuer is itself plain-http loopback, which is the
 * local runtime; a deployed service (an https issuer) never fetches keys over plain http.
 */
export function jwksUriProblem(value: string, ourIssuer: string): string | undefined {
  if (value.length > MAX_FEDERATED_VALUE_LENGTH) return `is longer than ${MAX_FEDERATED_VALUE_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return 'must not hold credentials or a fragment';
  if (url.protocol === 'https:') return undefined;
  if (isLoopbackHttp(url) && URL.canParse(ourIssuer) && isLoopbackHttp(new URL(ourIssuer))) return undefined;
  return 'must be an https URL';
}

/** The values of a federated credential (RFC 7523 §3: the `iss`, `sub` and `aud` of the tokens, and where their keys are). */
export const FEDERATED_FIELDS = ['issuer', 'subject', 'audience', 'jwksUri'] as const;
export type FederatedField = (typeof FEDERATED_FIELDS)[number];
type FederatedCredential = Extract<AssertionCredential, { kind: 'federated' }>;

/**
 * THE rule for a federated credential, shared by the CLI and the console: every value present, at most
 * MAX_FEDERATED_VALUE_LENGTH characters without control characters, the issuer a URL and the JWKS URL one
 * that jwksUriProblem accepts for `ourIssuer`. Either the credential (values trimmed) or each field's problem.
 */
export function federatedCredentialOf(
  values: Readonly<Record<FederatedField, string | undefined>>,
  ourIssuer: string,
):
  | { readonly credential: FederatedCredential }
  | { readonly problems: Readonly<Partial<Record<FederatedField, string>>> } {
  const problems: Partial<Record<FederatedField, string>> = {};
  const trimmed = {} as Record<FederatedField, string>;
  for (const field of FEDERATED_FIELDS) {
    const value = (values[field] ?? '').trim();
    trimmed[field] = value;
    if (value === '') problems[field] = 'is required with a federated credential';
    else if (value.length > MAX_FEDERATED_VALUE_LENGTH || /\p{Cc}/u.test(value)) {
      problems[field] = `must be at most ${MAX_FEDERATED_VALUE_LENGTH} characters, without control characters`;
    }
  }
  if (problems.jwksUri === undefined) {
    const uriProblem = jwksUriProblem(trimmed.jwksUri, ourIssuer);
    if (uriProblem) problems.jwksUri = uriProblem;
  }
  if (problems.issuer === undefined && !URL.canParse(trimmed.issuer))
    problems.issuer = 'must be a URL (the tokens’ iss)';
  if (Object.keys(problems).length > 0) return { problems };
  return { credential: { kind: 'federated', ...trimmed } };
}

/** Fetches and parses one JWKS document within the time budget; any failure (network, status, size) throws. */
export type JwksFetcher = (uri: string) => Promise<unknown>;

/** Fetched key sets are used this long before they are fetched again (Entra rotates keys with weeks of overlap). */
export const JWKS_CACHE_SECONDS = 3600;
/** A key nobody has seen (a rotation) makes the set be fetched again, at most once per this interval per URL. */
export const JWKS_UNKNOWN_KID_REFRESH_SECONDS = 60;
/** After a failed fetch, requests answer 503 for this long instead of fetching again (and Retry-After says so). */
export const JWKS_FAILURE_BACKOFF_SECONDS = 10;
/** When a due refresh fails, the keys fetched before are still used for this long after they were fetched. */
export const JWKS_STALE_USE_SECONDS = 24 * 3600;
/** At most this many JWKS URLs are cached per process; the oldest entry makes room. */
const MAX_CACHED_KEY_SETS = 500;

interface CachedKeySet {
  keys?: JWK[];
  fetchedAt?: number;
  failedAt?: number;
  unknownKidRefreshAt?: number;
  inFlight?: Promise<boolean>;
}

/**
 * The issuers' key sets, cached per process (per warm Lambda): fetched on first use, again when older than
 * JWKS_CACHE_SECONDS, and again when an assertion names a `kid` the set lacks, at most once per
 * JWKS_UNKNOWN_KID_REFRESH_SECONDS, so that random `kid`s cannot make us hammer an issuer. Concurrent requests
 * share one fetch. An issuer that cannot be reached, with no keys to fall back on, is `temporarily_unavailable`
 * (503 with Retry-After): never a 500, never an accepted assertion.
 */
export class RemoteKeySets {
  private readonly sets = new Map<string, CachedKeySet>();

  constructor(
    private readonly fetchJwks: JwksFetcher,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The keys of `uri` that may verify an assertion with header `kid` (every key when `kid` is absent). */
  async keysFor(uri: string, kid: string | undefined): Promise<JWK[]> {
    const entry = this.entry(uri);
    const now = this.nowSeconds();
    let fetchedNow = false;
    if (entry.fetchedAt === undefined || now - entry.fetchedAt >= JWKS_CACHE_SECONDS) {
      fetchedNow = await this.refresh(uri, entry);
      // A due refresh that fails leaves the keys fetched before in use, for a bounded time.
      if (!fetchedNow && !(entry.keys && now - (entry.fetchedAt ?? 0) < JWKS_STALE_USE_SECONDS)) {
        throw this.unavailable(entry);
      }
    }
    if (kid !== undefined && !fetchedNow && !hasKid(entry.keys, kid) && this.mayRefreshForUnknownKid(entry, now)) {
      entry.unknownKidRefreshAt = now;
      // The issuer may have rotated to this key; if it cannot be asked, nobody can tell, so retry later.
      if (!(await this.refresh(uri, entry))) throw this.unavailable(entry);
    }
    const keys = entry.keys ?? [];
    return kid === undefined ? keys : keys.filter((key) => key.kid === kid);
  }

  private entry(uri: string): CachedKeySet {
    const existing = this.sets.get(uri);
    if (existing) return existing;
    if (this.sets.size >= MAX_CACHED_KEY_SETS) {
      const oldest = this.sets.keys().next().value;
      if (oldest !== undefined) this.sets.delete(oldest);
    }
    const created: CachedKeySet = {};
    this.sets.set(uri, created);
    return created;
  }

  private mayRefreshForUnknownKid(entry: CachedKeySet, now: number): boolean {
    return (
      entry.unknownKidRefreshAt === undefined || now - entry.unknownKidRefreshAt >= JWKS_UNKNOWN_KID_REFRESH_SECONDS
    );
  }

  /** Fetches the set (one fetch shared by concurrent callers) unless one failed moments ago; true when it worked. */
  private refresh(uri: string, entry: CachedKeySet): Promise<boolean> {
    if (entry.failedAt !== undefined && this.nowSeconds() - entry.failedAt < JWKS_FAILURE_BACKOFF_SECONDS) {
      return Promise.resolve(false);
    }
    entry.inFlight ??= this.fetchJwks(uri)
      .then((document) => {
        const keys = usableRemoteKeys(document);
        if (keys === undefined) throw new Error('The JWKS document has no keys array');
        entry.keys = keys;
        entry.fetchedAt = this.nowSeconds();
        entry.failedAt = undefined;
        return true;
      })
      .catch(() => {
        entry.failedAt = this.nowSeconds();
        return false;
      })
      .finally(() => {
        entry.inFlight = undefined;
      });
    return entry.inFlight;
  }

  /** 503 with the whole seconds left until the next fetch may be tried. */
  private unavailable(entry: CachedKeySet) {
    const waited = this.nowSeconds() - (entry.failedAt ?? this.nowSeconds());
    return temporarilyUnavailable(Math.max(1, JWKS_FAILURE_BACKOFF_SECONDS - waited));
  }
}

const hasKid = (keys: readonly JWK[] | undefined, kid: string): boolean =>
  keys?.some((key) => key.kid === kid) ?? false;
