import { confirmDeleteApplication } from '../../../core/console/applications';
import { applicationDeps, pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/applications/{clientId}/delete: asks to confirm, saying what deleting revokes. */
export const handler = consoleRoute(async (request) =>
  confirmDeleteApplication(applicationDeps(request), request.admin, pathParam(request, 'clientId')),
);
