import { listBrandsPage } from '../../../core/console/brands';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** GET /console/brands: the tenant's brands and the form that creates one. */
export const handler = consoleRoute(async (request) => listBrandsPage(usersDeps(request), request.admin));
