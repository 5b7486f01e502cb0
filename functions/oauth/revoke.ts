import { handleRevocationRequest } from '../../core/oauth/revocation';
import { authenticateClient } from '../../core/oauth/token-endpoint';
import { logger } from '../_shared/logger';
import { oauthRoute } from '../_shared/oauth-route';
import {
  clientAssertionVerification,
  clientAuthFailures,
  clientStore,
  grantLedger,
  grantStore,
  publicBaseUrl,
  scimBaseUrl,
  verificationKeys,
} from '../_shared/services';

/** POST /oauth/revoke: RFC 7009; 200 with an empty body whether or not the token was known. */
export const handler = oauthRoute(async (request) => {
  const now = () => new Date();
  const client = await authenticateClient(
    {
      clients: clientStore(),
      clientAuthFailures: clientAuthFailures(request.sourceIp),
      assertions: clientAssertionVerification(),
      now,
    },
    request.headers.authorization,
    request.form,
  );
  const revokedGrantId = await handleRevocationRequest(
    {
      ledger: grantLedger(),
      grants: grantStore(),
      publicKeys: verificationKeys,
      issuer: publicBaseUrl(),
      audience: scimBaseUrl(),
      now,
    },
    client.clientId,
    request.form,
  );
  logger.appendKeys({ clientId: client.clientId, ...(revokedGrantId ? { revokedGrantId } : {}) });
  return { status: 200 };
});
