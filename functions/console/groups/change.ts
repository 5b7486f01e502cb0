import { changeGroupsFromForm } from '../../../core/console/groups';
import { groupsDeps } from '../../_shared/console-groups';
import { consoleRoute } from '../../_shared/console-route';

/**
 * POST /console/groups: the forms of the Groups pages: the access source, the continuation of a
 * recomputation, and a group's mapping (map or remove).
 */
export const handler = consoleRoute(async (request) =>
  changeGroupsFromForm(groupsDeps(request), request.admin, request.form),
);
