import { decodeJwt, type JWK } from 'jose';
import { verifyAccessToken } from './access-token';
import { invalidRequest } from './errors';
import { type FormParams, requiredParam, singleParam } from './form-params';
import type { RevocationReason } from './grants';
import { opaqueTokenHash } from './opaque-tokens';
import type { RefreshTokenRecord } from './refresh-tokens';

export interface RevocationDeps {
  readonly ledger: { getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> };
  readonly grants: { revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean> };
  readonly publicKeys: () => Promise<readonly JWK[]>;
  readonly issuer: string;
  readonly audience: string;
  readonly now: () => Date;
}

/**
 * POST /oauth/revoke, RFC 7009 §2.1 for an authenticated client. Either kind of token revokes its whole grant:
 * a refresh token because its access tokens must stop too (RFC 7009 §2.1 SHOULD), an access token because a
 * grant is all we can revoke it by. An unknown, expired or already-revoked token is a success (RFC 7009 §2.2);
 * another client's token is refused and nothing is revoked (RFC 7009 §2.1). `token_type_hint` is only a hint
 * and both types are looked up whatever it says. Returns the revoked grant id, if any, for the log.
 */
export async function handleRevocationRequest(
  deps: RevocationDeps,
  clientId: string,
  form: FormParams,
): Promise<string | undefined> {
  const token = requiredParam(form, 'token');
  singleParam(form, 'token_type_hint');
  const target = (await refreshTokenTarget(deps, token)) ?? (await accessTokenTarget(deps, token));
  if (!target) return undefined;
  if (target.clientId !== clientId) throw invalidRequest('The token was not issued to this client');
  const revoked = await deps.grants.revokeIfExists(target.grantId, deps.now().toISOString(), 'revocation-request');
  return revoked ? target.grantId : undefined;
}

async function refreshTokenTarget(deps: RevocationDeps, token: string) {
  const record = await deps.ledger.getRefreshToken(opaqueTokenHash(token));
  return record ? { clientId: record.clientId, grantId: record.grantId } : undefined;
}

async function accessTokenTarget(deps: RevocationDeps, token: string) {
  try {
    decodeJwt(token);
  } catch {
    return undefined;
  }
  try {
    const verified = await verifyAccessToken(token, await deps.publicKeys(), {
      issuer: deps.issuer,
      audience: deps.audience,
    });
    return { clientId: verified.clientId, grantId: verified.grantId };
  } catch {
    // Not one of ours, tampered with or expired: nothing to revoke (RFC 7009 §2.2).
    return undefined;
  }
}
