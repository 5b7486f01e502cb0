import { activityPage } from '../../core/console/activity';
import { consoleRoute } from '../_shared/console-route';
import { activityReader } from '../_shared/services';

/** GET /console/activity: the tenant's provisioning log (core/console/activity.ts). */
export const handler = consoleRoute(async ({ admin, deps, query }) =>
  activityPage({ log: activityReader(), issuer: deps.issuer, now: deps.now }, admin, query),
);
