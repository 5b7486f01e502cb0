import { rotateApplicationSecret } from '../../../core/console/applications';
import { applicationDeps, pathParam } from '../../_shared/console-applications';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/applications/{clientId}/rotate-secret: a new secret, with the CLI's overlap. */
export const handler = consoleRoute(async (request) =>
  rotateApplicationSecret(applicationDeps(request), request.admin, pathParam(request, 'clientId'), request.form),
);
