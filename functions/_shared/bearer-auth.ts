import {
  AccessTokenError,
  rememberingAccessTokenVerifier,
  type VerifiedAccessToken,
} from '../../core/oauth/access-token';
import { bearerChallenge, bearerTokenFrom, MAX_BEARER_TOKEN_LENGTH } from '../../core/oauth/bearer';
import { cachedGrantStatus } from '../../core/oauth/grant-status';
import {
  cachedScimTokens,
  lastUseRecorder,
  SCIM_TOKEN_PREFIX,
  type ScimTokenCheck,
  type ScimTokenRecord,
} from '../../core/oauth/scim-tokens';
import { unauthorized } from '../../core/scim/errors';
import type { HttpRequest } from './http-event';
import { logger } from './logger';
import { grantStore, publicBaseUrl, scimBaseUrl, scimTokenStore, verificationKeys } from './services';

/** A caller with an access token (a JWT) issued under a grant. */
export interface AccessTokenPrincipal {
  readonly tenantId: string;
  readonly clientId: string;
  readonly grantId: string;
  readonly subject: string;
  readonly scope: string;
}

/** A caller with a long-lived SCIM token (core/oauth/scim-tokens.ts). */
export interface ScimTokenPrincipal {
  readonly tenantId: string;
  readonly scimTokenId: string;
  readonly scope: string;
}

/** Who is calling a SCIM route: every read and write is scoped to `tenantId`. */
export type ScimPrincipal = AccessTokenPrincipal | ScimTokenPrincipal;

/** Who the IdP is in the audit trail and the activity log: its OAuth client, or its SCIM token by id. */
export const callerOf = (principal: ScimPrincipal): string =>
  'clientId' in principal ? principal.clientId : `scim-token:${principal.scimTokenId}`;

/** Enough for every IdP connection a warm function serves in an hour; a few hundred KB at most. */
const MAX_REMEMBERED_ACCESS_TOKENS = 1000;

/** Per container: the grants table is read at most once per grant, and once per SCIM token, per cache window. */
const grantStatus = cachedGrantStatus(grantStore);
const scimTokens = cachedScimTokens(scimTokenStore);
const recordLastUse = lastUseRecorder(scimTokenStore);
/** Per container: an access token's signature and claims are verified once, its expiry and grant every time. */
const verifyAccessToken = rememberingAccessTokenVerifier(MAX_REMEMBERED_ACCESS_TOKENS);

const refuse = (description: string) =>
  unauthorized(description, bearerChallenge({ code: 'invalid_token', description }));

/**
 * Verifies the request's Bearer token (RFC 6750): a SCIM token (by its prefix), or an access token (RFC 9068)
 * with everything pinned: signature with our key, ES256 only, `typ` at+jwt, our issuer, the SCIM base URL as
 * audience, not expired, and its grant still active. Any failure is a 401 SCIM Error with a
 * `WWW-Authenticate: Bearer` challenge.
 */
export async function authenticateBearer(request: HttpRequest): Promise<ScimPrincipal> {
  const token = bearerTokenFrom(request.headers.authorization);
  if (!token) {
    throw unauthorized('A Bearer access token is required in the Authorization header', bearerChallenge());
  }
  if (token.length > MAX_BEARER_TOKEN_LENGTH) {
    logger.warn('bearer token refused', { credential: 'unknown', reason: 'too-long', length: token.length });
    throw refuse('The bearer token is too long');
  }
  if (token.startsWith(SCIM_TOKEN_PREFIX)) return authenticateScimToken(token);
  return authenticateAccessToken(token);
}

async function authenticateAccessToken(token: string): Promise<AccessTokenPrincipal> {
  let verified: VerifiedAccessToken;
  try {
    verified = await verifyAccessToken(token, await verificationKeys(), {
      issuer: publicBaseUrl(),
      audience: scimBaseUrl(),
    });
  } catch (error) {
    if (error instanceof AccessTokenError) throw refuse(error.message);
    throw error;
  }
  if (!(await grantStatus.isActive(verified.grantId, verified.tenantId, Date.now()))) {
    throw refuse('The access token’s grant has been revoked');
  }
  return {
    tenantId: verified.tenantId,
    clientId: verified.clientId,
    grantId: verified.grantId,
    subject: verified.subject,
    scope: verified.scope,
  };
}

const SCIM_TOKEN_REFUSALS: Record<Exclude<ScimTokenCheck, { ok: true }>['reason'], string> = {
  malformed: 'The SCIM token is malformed',
  unknown: 'The SCIM token is not known',
  revoked: 'The SCIM token has been revoked',
  expired: 'The SCIM token has expired',
};

/** Every use and every refusal of a SCIM token is logged by its public id, never the token or its hash. */
async function authenticateScimToken(token: string): Promise<ScimTokenPrincipal> {
  const check = await scimTokens.verify(token, Date.now());
  if (!check.ok) {
    logger.warn('bearer token refused', {
      credential: 'scim-token',
      reason: check.reason,
      ...(check.token ? { scimTokenId: check.token.tokenId, tenant: check.token.tenantId } : {}),
    });
    throw refuse(SCIM_TOKEN_REFUSALS[check.reason]);
  }
  logger.appendKeys({ credential: 'scim-token', scimTokenId: check.token.tokenId });
  await recordUse(check.token);
  return { tenantId: check.token.tenantId, scimTokenId: check.token.tokenId, scope: 'scim' };
}

/** The last-used time is bookkeeping: a failure to write it is logged and never fails the SCIM request. */
async function recordUse(token: ScimTokenRecord): Promise<void> {
  try {
    await recordLastUse(token, Date.now());
  } catch (error) {
    logger.warn('SCIM token last-used time not recorded', {
      scimTokenId: token.tokenId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/** For tests that revoke a grant or a SCIM token and then check that it stops working. */
export const clearGrantStatusCache = (): void => {
  grantStatus.forget();
  scimTokens.forget();
};
