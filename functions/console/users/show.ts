import { showUser } from '../../../core/console/users';
import { pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** GET /console/users/{userId}: one user, their role and brands, and their history. */
export const handler = consoleRoute(async (request) =>
  showUser(usersDeps(request), request.admin, pathParam(request, 'userId')),
);
