import { createApplication } from '../../../core/console/applications';
import { applicationDeps } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/applications: registers the application, then 303 to the page that shows its secret once. */
export const handler = consoleRoute(async (request) =>
  createApplication(applicationDeps(request), request.admin, request.form),
);
