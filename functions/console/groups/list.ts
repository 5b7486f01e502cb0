import { listGroupsPage } from '../../../core/console/groups';
import { groupsDeps } from '../../_shared/console-groups';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/groups: the access source and the tenant's groups a page at a time, with their mappings. */
export const handler = consoleRoute(async (request) =>
  listGroupsPage(groupsDeps(request), request.admin, request.query),
);
