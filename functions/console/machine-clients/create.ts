import { createMachineClientFromForm } from '../../../core/console/machine-clients';
import { machineClientDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/machine-clients: creates a client_credentials client; its secret is shown once. */
export const handler = consoleRoute(async (request) =>
  createMachineClientFromForm(machineClientDeps(request), request.admin, request.form),
);
