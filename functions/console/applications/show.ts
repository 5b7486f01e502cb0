import { showApplication } from '../../../core/console/applications';
import { applicationDeps, pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/applications/{clientId}: one application, its Okta values and its connections. */
export const handler = consoleRoute(async (request) =>
  showApplication(applicationDeps(request), request.admin, pathParam(request, 'clientId')),
);
