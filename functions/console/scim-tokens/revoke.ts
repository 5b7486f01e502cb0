import { revokeScimTokenFromForm } from '../../../core/console/scim-tokens';
import { pathParam } from '../../_shared/console-applications';
import { scimTokenPageDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/scim-tokens/{tokenId}/revoke: revokes the token. */
export const handler = consoleRoute(async (request) =>
  revokeScimTokenFromForm(scimTokenPageDeps(request), request.admin, pathParam(request, 'tokenId')),
);
