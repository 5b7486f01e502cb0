import { randomUUID } from 'node:crypto';
import { invalidRequest } from './errors';
import { newOpaqueToken, opaqueTokenHash } from './opaque-tokens';
import { isWellFormedPkceValue, type PkceMethod } from './pkce';

/**
 * Authorization codes (RFC 6749 §4.1.2): 256-bit random and opaque, stored only as SHA-256 (RFC 6819
 * §5.1.4.2.2), valid for 60 seconds (RFC 6749 §4.1.2 allows at most 10 minutes; Okta redeems at once) and
 * redeemable once. The code is bound to everything the token request must match (RFC 6749 §4.1.3, RFC 7636
 * §4.6). The grant id is chosen here; the grant itself is created when the code is redeemed, so an abandoned
 * consent leaves no grant behind, and a replayed code names the grant to revoke.
 */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = 60;

export interface AuthorizationCodeRecord {
  readonly codeHash: string;
  readonly grantId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** The approving admin's user id. */
  readonly subject: string;
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: PkceMethod;
  /** Epoch seconds: when the admin signed in. */
  readonly authTime: number;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; the code is refused from this instant on. */
  readonly validUntil: number;
  /** Epoch seconds; set once, atomically, by the redemption. */
  readonly consumedAt?: number;
}

export interface AuthorizationCodeWriter {
  save(record: AuthorizationCodeRecord): Promise<void>;
}

/** Redemption itself is a TokenLedger step (grants.ts), atomic with the grant it creates. */
export interface AuthorizationCodeReader {
  get(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
}

export interface IssueAuthorizationCodeDeps {
  readonly codes: AuthorizationCodeWriter;
  readonly now?: () => Date;
}

export interface AuthorizationCodeRequest {
  readonly tenantId: string;
  readonly clientId: string;
  /** Exactly the `redirect_uri` of the authorization request (already matched against the client's list). */
  readonly redirectUri: string;
  /** The admin's user id; becomes the access tokens' `sub`. */
  readonly subject: string;
  /** The granted scope, from normalizeRequestedScope. */
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: 'S256';
  /** Epoch seconds of the admin's sign-in; defaults to now. */
  readonly authTime?: number;
}

/** Stores a new code for an approved authorization request and returns it; only its hash is kept. */
export async function issueAuthorizationCode(
  deps: IssueAuthorizationCodeDeps,
  request: AuthorizationCodeRequest,
): Promise<string> {
  if ((request.codeChallenge === undefined) !== (request.codeChallengeMethod === undefined)) {
    throw invalidRequest('code_challenge and code_challenge_method go together');
  }
  if (request.codeChallengeMethod !== undefined && request.codeChallengeMethod !== 'S256') {
    throw invalidRequest('Only the S256 code_challenge_method is supported');
  }
  if (request.codeChallenge !== undefined && !isWellFormedPkceValue(request.codeChallenge)) {
    throw invalidRequest('The code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
  const now = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  const code = newOpaqueToken();
  await deps.codes.save({
    codeHash: opaqueTokenHash(code),
    grantId: randomUUID(),
    tenantId: request.tenantId,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    subject: request.subject,
    scope: request.scope,
    ...(request.codeChallenge !== undefined
      ? { codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod }
      : {}),
    authTime: request.authTime ?? now,
    issuedAt: now,
    validUntil: now + AUTHORIZATION_CODE_LIFETIME_SECONDS,
  });
  return code;
}
