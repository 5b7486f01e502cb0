import { listApplications } from '../../../core/console/applications';
import { applicationDeps } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/applications: the tenant's OAuth applications (core/console/applications.ts). */
export const handler = consoleRoute(async (request) => listApplications(applicationDeps(request), request.admin));
