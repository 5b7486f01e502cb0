import { handleTokenRequest } from '../../core/oauth/token-endpoint';
import { noteActivity } from '../_shared/activity';
import { logger } from '../_shared/logger';
import { countTokenRefusal } from '../_shared/metrics';
import { oauthRoute } from '../_shared/oauth-route';
import {
  authorizationCodeStore,
  clientAuthFailures,
  clientStore,
  grantLedger,
  grantStore,
  publicBaseUrl,
  scimBaseUrl,
  tokenSigner,
} from '../_shared/services';

/** POST /oauth/token: RFC 6749 §3.2, the authorization_code and refresh_token grants. */
export const handler = oauthRoute(async (request) => {
  const outcome = await handleTokenRequest(
    {
      clients: clientStore(),
      clientAuthFailures: clientAuthFailures(request.sourceIp),
      codes: authorizationCodeStore(),
      grants: grantStore(),
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
