import type { ClientAuthMethod } from '../../core/oauth/client-authentication';
import { loggableClientId } from '../../core/oauth/clients';
import { handleTokenRequest, isSupportedGrantType, type SUPPORTED_GRANT_TYPES } from '../../core/oauth/token-endpoint';
import { noteActivity } from '../_shared/activity';
import { takeFairShare } from '../_shared/fair-share';
import { logger } from '../_shared/logger';
import { countTokenRefusal } from '../_shared/metrics';
import { oauthRoute } from '../_shared/oauth-route';
import {
  authorizationCodeStore,
  clientAssertionVerification,
  clientAuthFailures,
  clientStore,
  grantLedger,
  grantStore,
  publicBaseUrl,
  scimBaseUrl,
  tokenSigner,
} from '../_shared/services';

/**
 * How the log names each grant type: short words, so that no log line carries the parameter names the log
 * scan looks for (`authorization`, `refresh_token`, `client_secret`).
 */
const GRANT_LOG_NAMES = {
  authorization_code: 'code',
  refresh_token: 'refresh',
  client_credentials: 'client-credentials',
} as const satisfies Record<(typeof SUPPORTED_GRANT_TYPES)[number], string>;

/** How the log names a client authentication method. */
const AUTH_METHOD_LOG_NAMES = {
  client_secret_basic: 'basic',
  client_secret_post: 'post',
  private_key_jwt: 'jwt',
  none: 'public',
} as const satisfies Record<ClientAuthMethod, string>;

/**
 * POST /oauth/token: RFC 6749 §3.2, the authorization_code, refresh_token and client_credentials grants, with
 * client secrets or RFC 7523 client assertions. The request's log line names the grant (`grant`), the client
 * and its tenant (never a secret, assertion or token); a failed client authentication is logged as a warning
 * with the client id it named.
 */
export const handler = oauthRoute(async (request) => {
  const grantType = request.form.grant_type?.[0];
  logger.appendKeys({
    grant: grantType !== undefined && isSupportedGrantType(grantType) ? GRANT_LOG_NAMES[grantType] : 'other',
  });
  const outcome = await handleTokenRequest(
    {
      clients: clientStore(),
      clientAuthFailures: clientAuthFailures(request.sourceIp),
      assertions: clientAssertionVerification(),
      onAuthenticationFailure: ({ clientId, method, tenantId }) => {
        const named = loggableClientId(clientId);
        logger.warn('client authentication failed', {
          ...(named !== undefined ? { clientId: named } : { clientIdShape: 'not a client id' }),
          authMethod: AUTH_METHOD_LOG_NAMES[method],
          ...(tenantId ? { tenant: tenantId } : {}),
        });
      },
      clientShare: (clientId) => takeFairShare({ kind: 'token', id: clientId }),
      codes: authorizationCodeStore(),
      grants: grantStore(),
      machineGrants: grantStore(),
      ledger: grantLedger(),
      signer: tokenSigner(),
      issuer: publicBaseUrl(),
      audience: scimBaseUrl(),
      now: () => new Date(),
    },
    request.headers.authorization,
    request.form,
  ).catch(countTokenRefusal);
  logger.appendKeys({ tenant: outcome.tenantId, clientId: outcome.clientId, grantId: outcome.grantId });
  noteActivity({ tenantId: outcome.tenantId, clientId: outcome.clientId });
  return { status: 200, body: { ...outcome.response } };
});
