import { createBrandFromForm } from '../../../core/console/brands';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** POST /console/brands: creates a brand. */
export const handler = consoleRoute(async (request) =>
  createBrandFromForm(usersDeps(request), request.admin, request.form),
);
