import { AccessTokenError, verifyAccessToken } from '../../core/oauth/access-token';
import { bearerChallenge, bearerTokenFrom } from '../../core/oauth/bearer';
import { cachedGrantStatus } from '../../core/oauth/grant-status';
import { unauthorized } from '../../core/scim/errors';
import type { HttpRequest } from './http-event';
import { grantStore, publicBaseUrl, scimBaseUrl, verificationKeys } from './services';

/** Who is calling a SCIM route: every read and write is scoped to `tenantId`. */
export interface ScimPrincipal {
  readonly tenantId: string;
  readonly clientId: string;
  readonly grantId: string;
  readonly subject: string;
  readonly scope: string;
}

/** Per container: the grants table is read at most once per grant per cache window. */
const grantStatus = cachedGrantStatus(grantStore);

/**
 * Verifies the request's Bearer access token (RFC 6750, RFC 9068): signature with our key, ES256 only,
 * `typ` at+jwt, our issuer, the SCIM base URL as audience, not expired, and its grant still active.
 * Any failure is a 401 SCIM Error with a `WWW-Authenticate: Bearer` challenge.
 */
export async function authenticateBearer(request: HttpRequest): Promise<ScimPrincipal> {
  const token = bearerTokenFrom(request.headers.authorization);
  if (!token) {
    throw unauthorized('A Bearer access token is required in the Authorization header', bearerChallenge());
  }
  const refuse = (description: string) =>
    unauthorized(description, bearerChallenge({ code: 'invalid_token', description }));
  let verified: Awaited<ReturnType<typeof verifyAccessToken>>;
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

/** For tests that revoke a grant and then check that its tokens stop working. */
export const clearGrantStatusCache = (): void => grantStatus.forget();
