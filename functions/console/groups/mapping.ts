import { changeGroupMappingFromForm } from '../../../core/console/groups';
import { pathParam } from '../../_shared/console-applications';
import { groupsDeps } from '../../_shared/console-groups';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/groups/{groupId}: maps the group to a role and/or brands, or removes its mapping. */
export const handler = consoleRoute(async (request) =>
  changeGroupMappingFromForm(groupsDeps(request), request.admin, pathParam(request, 'groupId'), request.form),
);
