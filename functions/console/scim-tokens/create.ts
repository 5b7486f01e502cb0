import { createScimTokenFromForm } from '../../../core/console/scim-tokens';
import { scimTokenPageDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/scim-tokens: creates a SCIM bearer token, shown once. */
export const handler = consoleRoute(async (request) =>
  createScimTokenFromForm(scimTokenPageDeps(request), request.admin, request.form),
);
