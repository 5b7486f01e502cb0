import { deleteBrandFromForm } from '../../../core/console/brands';
import { pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';
import { usersDeps } from '../../_shared/console-users';

/** POST /console/brands/{brandId}/delete: deletes a brand and takes it from its users. */
export const handler = consoleRoute(async (request) =>
  deleteBrandFromForm(usersDeps(request), request.admin, pathParam(request, 'brandId')),
);
