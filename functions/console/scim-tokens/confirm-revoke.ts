import { confirmScimTokenRevocation } from '../../../core/console/scim-tokens';
import { pathParam } from '../../_shared/console-applications';
import { scimTokenPageDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/scim-tokens/{tokenId}/revoke: the confirmation page. */
export const handler = consoleRoute(async (request) =>
  confirmScimTokenRevocation(scimTokenPageDeps(request), request.admin, pathParam(request, 'tokenId')),
);
