import { showGroup } from '../../../core/console/groups';
import { pathParam } from '../../_shared/console-applications';
import { groupsDeps } from '../../_shared/console-groups';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/groups/{groupId}: one group, its mapping and the form that changes it. */
export const handler = consoleRoute(async (request) =>
  showGroup(groupsDeps(request), request.admin, pathParam(request, 'groupId')),
);
