import type { AuthorizationCodeReader, AuthorizationCodeRecord } from './authorization-code';
import { isPublicClient } from './clients';
import { invalidGrant } from './errors';
import { requiredParam, singleParam } from './form-params';
import type { GrantRecord, GrantStorePort, TokenLedger } from './grants';
import { newOpaqueToken, opaqueTokenHash } from './opaque-tokens';
import { verifierMatchesChallenge } from './pkce';
import { GRANT_ABSOLUTE_LIFETIME_SECONDS } from './refresh-tokens';
import {
  epochSeconds,
  newRefreshRecord,
  type TokenGrant,
  type TokenIssuingDeps,
  type TokenOutcome,
  tokenResponse,
} from './token-grant';

/** The authorization_code grant, RFC 6749 §4.1.3, with PKCE (RFC 7636 §4.6). */
export interface AuthorizationCodeGrantDeps extends TokenIssuingDeps {
  readonly codes: AuthorizationCodeReader;
  readonly grants: Pick<GrantStorePort, 'revokeIfExists'>;
  readonly ledger: Pick<TokenLedger, 'redeemCode'>;
}

export const authorizationCodeGrant: TokenGrant<AuthorizationCodeGrantDeps> = async (
  deps,
  { clientId, client },
  form,
) => {
  const code = requiredParam(form, 'code');
  const redirectUri = singleParam(form, 'redirect_uri');
  const verifier = singleParam(form, 'code_verifier');
  const nowDate = deps.now();
  const now = epochSeconds(nowDate);
  const codeHash = opaqueTokenHash(code);
  const record = await deps.codes.get(codeHash);
  // RFC 6749 §4.1.3: the code must exist, be unexpired and unused, and have been issued to this client.
  if (!record || record.clientId !== clientId) throw invalidGrant('The authorization code is invalid');
  if (record.consumedAt !== undefined) return refuseReplayedCode(deps, record, nowDate);
  if (record.validUntil <= now) throw invalidGrant('The authorization code has expired');
  // RFC 6749 §4.1.3, §10.6: the same redirect_uri as in the authorization request, byte for byte.
  if (redirectUri !== record.redirectUri) {
    throw invalidGrant('The redirect_uri does not match the one of the authorization request');
  }
  // RFC 9700 §2.1.1: a public client's code is redeemed only with PKCE; /authorize already refuses to issue
  // one without a challenge, and this holds even for a code issued before the client became public.
  if (isPublicClient(client) && record.codeChallenge === undefined) {
    throw invalidGrant('A public client must use PKCE (S256): the authorization request had no code_challenge');
  }
  checkVerifier(record, verifier);

  const grant: GrantRecord = {
    grantId: record.grantId,
    tenantId: record.tenantId,
    clientId: record.clientId,
    subject: record.subject,
    scope: record.scope,
    status: 'active',
    createdAt: nowDate.toISOString(),
    expiresAt: now + GRANT_ABSOLUTE_LIFETIME_SECONDS,
    authTime: record.authTime,
  };
  const refreshToken = newOpaqueToken();
  if (!(await deps.ledger.redeemCode(codeHash, now, grant, newRefreshRecord(refreshToken, grant, now)))) {
    // Another request consumed the code between our read and our write, or it expired in between.
    const latest = await deps.codes.get(codeHash);
    if (latest?.consumedAt !== undefined) return refuseReplayedCode(deps, latest, nowDate);
    throw invalidGrant('The authorization code has expired');
  }
  return tokenResponse(deps, 'authorization_code', grant, grant.scope, refreshToken, now);
};

/** RFC 7636 §4.6; and a verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 §4.8). */
function checkVerifier(record: AuthorizationCodeRecord, verifier: string | undefined): void {
  if (record.codeChallenge !== undefined) {
    if (verifier === undefined || !verifierMatchesChallenge(verifier, record.codeChallenge)) {
      throw invalidGrant('The code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    throw invalidGrant('A code_verifier was sent, but the authorization request had no code_challenge');
  }
}

/** RFC 6749 §4.1.2: a code used twice is refused, and everything issued from it is revoked (AS-C4). */
async function refuseReplayedCode(
  deps: AuthorizationCodeGrantDeps,
  record: AuthorizationCodeRecord,
  now: Date,
): Promise<TokenOutcome> {
  await deps.grants.revokeIfExists(record.grantId, now.toISOString(), 'code-replay');
  throw invalidGrant('The authorization code has already been used; the tokens issued from it are revoked');
}
