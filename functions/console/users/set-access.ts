import { setUserAccess } from '../../../core/console/users';
import { pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** POST /console/users/{userId}/access: sets the user's role and brands. */
export const handler = consoleRoute(async (request) =>
  setUserAccess(usersDeps(request), request.admin, pathParam(request, 'userId'), request.form),
);
