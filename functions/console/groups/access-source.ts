import { changeAccessSourceFromForm } from '../../../core/console/groups';
import { groupsDeps } from '../../_shared/console-groups';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/groups: where users' roles and brands come from, or the continuation of their recomputation. */
export const handler = consoleRoute(async (request) =>
  changeAccessSourceFromForm(groupsDeps(request), request.admin, request.form),
);
