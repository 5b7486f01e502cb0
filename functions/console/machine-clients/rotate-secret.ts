import { rotateMachineClientSecret } from '../../../core/console/machine-clients';
import { pathParam } from '../../_shared/console-applications';
import { machineClientDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/machine-clients/{clientId}/rotate-secret: a new secret, with the CLI's overlap. */
export const handler = consoleRoute(async (request) =>
  rotateMachineClientSecret(machineClientDeps(request), request.admin, pathParam(request, 'clientId'), request.form),
);
