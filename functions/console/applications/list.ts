import { listApplications } from '../../../core/console/applications';
import { consoleRoute } from '../../_shared/console-route';
import { clientStore } from '../../_shared/services';

/** GET /console/applications: the tenant's OAuth applications (core/console/applications.ts). */
export const handler = consoleRoute(async ({ admin, deps }) =>
  listApplications({ clients: clientStore(), issuer: deps.issuer }, admin),
);
