import { confirmMachineClientDeletion } from '../../../core/console/machine-clients';
import { pathParam } from '../../_shared/console-applications';
import { machineClientDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** GET /console/machine-clients/{clientId}/delete: the confirmation page. */
export const handler = consoleRoute(async (request) =>
  confirmMachineClientDeletion(machineClientDeps(request), request.admin, pathParam(request, 'clientId')),
);
