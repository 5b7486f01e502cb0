import { listScimTokensPage } from '../../../core/console/scim-tokens';
import { scimTokenPageDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/scim-tokens: the tenant's SCIM bearer tokens (never the tokens) and the form that creates one. */
export const handler = consoleRoute(async (request) => listScimTokensPage(scimTokenPageDeps(request), request.admin));
