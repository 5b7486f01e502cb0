import { invalidGrant, invalidScope } from './errors';
import { requiredParam, singleParam } from './form-params';
import type { GrantStorePort, TokenLedger } from './grants';
import { newOpaqueToken, opaqueTokenHash } from './opaque-tokens';
import { REFRESH_GRACE_SECONDS, type RefreshTokenRecord, sealSuccessor, unsealSuccessor } from './refresh-tokens';
import { normalizeRequestedScope, scopeIsWithin } from './scopes';
import { epochSeconds, newRefreshRecord, type TokenGrant, type TokenIssuingDeps, tokenResponse } from './token-grant';

/**
 * The refresh_token grant, RFC 6749 §6: every use rotates the token, a rotated token presented again is reuse
 * and revokes the grant (RFC 9700 §4.14.2), except within the grace window of AS-G5.
 */
export interface RefreshTokenGrantDeps extends TokenIssuingDeps {
  readonly grants: GrantStorePort;
  readonly ledger: Pick<TokenLedger, 'getRefreshToken' | 'rotateRefreshToken'>;
}

export const refreshTokenGrant: TokenGrant<RefreshTokenGrantDeps> = async (deps, { clientId }, form) => {
  const presented = requiredParam(form, 'refresh_token');
  const requestedScope = singleParam(form, 'scope');
  const nowDate = deps.now();
  const now = epochSeconds(nowDate);
  const tokenHash = opaqueTokenHash(presented);

  // Two passes at most: a rotation lost to a concurrent request is decided again from the fresh state.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const record = await deps.ledger.getRefreshToken(tokenHash);
    if (!record || record.clientId !== clientId) throw invalidGrant('The refresh token is invalid');
    const grant = await deps.grants.get(record.grantId);
    if (grant?.status !== 'active') throw invalidGrant('The refresh token has been revoked');
    if (grant.expiresAt !== undefined && grant.expiresAt <= now) throw invalidGrant('The grant has expired');
    // RFC 6749 §6: a narrower scope may be asked for the access token; the refresh token keeps the grant's.
    const scope = requestedScope === undefined ? record.scope : narrowedScope(requestedScope, record.scope);

    if (record.status === 'rotated') {
      const successor = await retryableSuccessor(deps, record, presented, now);
      if (successor === undefined) {
        await deps.grants.revokeIfExists(record.grantId, nowDate.toISOString(), 'refresh-token-reuse');
        throw invalidGrant('The refresh token has already been used; the grant is revoked');
      }
      return tokenResponse(deps, 'refresh_token', grant, scope, successor, now);
    }
    if (record.validUntil <= now) throw invalidGrant('The refresh token has expired');

    const successor = newOpaqueToken();
    const successorRecord = newRefreshRecord(successor, grant, now);
    const rotated = await deps.ledger.rotateRefreshToken(
      record,
      now,
      successorRecord,
      sealSuccessor(presented, successor),
      grant.expiresAt ?? successorRecord.validUntil,
    );
    if (rotated) return tokenResponse(deps, 'refresh_token', grant, scope, successor, now);
  }
  throw invalidGrant('The refresh token is invalid');
};

function narrowedScope(requested: string, granted: string): string {
  const scope = normalizeRequestedScope(requested);
  if (!scopeIsWithin(scope, granted)) throw invalidScope('The requested scope exceeds the granted scope');
  return scope;
}

/**
 * The grace window (AS-G5): a rotated token presented again within REFRESH_GRACE_SECONDS of its rotation gets
 * the same successor back, provided the successor has not been used itself. Anything else is reuse.
 */
async function retryableSuccessor(
  deps: RefreshTokenGrantDeps,
  record: RefreshTokenRecord,
  presented: string,
  now: number,
): Promise<string | undefined> {
  if (record.rotatedAt === undefined || now >= record.rotatedAt + REFRESH_GRACE_SECONDS) return undefined;
  if (record.successorHash === undefined || record.sealedSuccessor === undefined) return undefined;
  const successor = await deps.ledger.getRefreshToken(record.successorHash);
  if (successor?.status !== 'active' || successor.validUntil <= now) return undefined;
  return unsealSuccessor(presented, record.sealedSuccessor);
}
