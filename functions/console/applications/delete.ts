import { deleteApplication } from '../../../core/console/applications';
import { applicationDeps, pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/applications/{clientId}/delete: deletes the application and revokes its connections. */
export const handler = consoleRoute(async (request) =>
  deleteApplication(applicationDeps(request), request.admin, pathParam(request, 'clientId')),
);
