import { listMachineClientsPage } from '../../../core/console/machine-clients';
import { machineClientDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/machine-clients: the tenant's client_credentials clients and the form that creates one. */
export const handler = consoleRoute(async (request) =>
  listMachineClientsPage(machineClientDeps(request), request.admin),
);
