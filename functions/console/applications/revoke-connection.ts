import { revokeConnection } from '../../../core/console/applications';
import { applicationDeps, pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/applications/{clientId}/connections/{grantId}/revoke: ends one connection. */
export const handler = consoleRoute(async (request) =>
  revokeConnection(
    applicationDeps(request),
    request.admin,
    pathParam(request, 'clientId'),
    pathParam(request, 'grantId'),
  ),
);
