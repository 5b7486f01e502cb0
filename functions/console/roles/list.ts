import { listRolesPage } from '../../../core/console/roles';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** GET /console/roles: the built-in and custom roles and the form that creates one. */
export const handler = consoleRoute(async (request) => listRolesPage(usersDeps(request), request.admin));
