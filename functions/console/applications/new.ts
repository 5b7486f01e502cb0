import { newApplication } from '../../../core/console/applications';
import { applicationDeps } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/applications/new: the Create new OAuth application form. */
export const handler = consoleRoute(async (request) => newApplication(applicationDeps(request), request.admin));
