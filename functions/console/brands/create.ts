import { brandFormPost } from '../../../core/console/brands';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** POST /console/brands: creates or renames a brand, as the form's intent says. */
export const handler = consoleRoute(async (request) => brandFormPost(usersDeps(request), request.admin, request.form));
