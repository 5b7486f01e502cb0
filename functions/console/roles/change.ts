import { roleFormPost } from '../../../core/console/roles';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** POST /console/roles: creates, renames or deletes a custom role, as the form's intent says. */
export const handler = consoleRoute(async (request) => roleFormPost(usersDeps(request), request.admin, request.form));
