import { listUsers } from '../../../core/console/users';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** GET /console/users: the tenant's users a page at a time, or the ones a search names. */
export const handler = consoleRoute(async (request) => listUsers(usersDeps(request), request.admin, request.query));
