import { deleteMachineClientFromForm } from '../../../core/console/machine-clients';
import { pathParam } from '../../_shared/console-applications';
import { machineClientDeps } from '../../_shared/console-machine';
import { consoleRoute } from '../../_shared/console-route';

/** POST /console/machine-clients/{clientId}/delete: deletes the client and ends its grants. */
export const handler = consoleRoute(async (request) =>
  deleteMachineClientFromForm(machineClientDeps(request), request.admin, pathParam(request, 'clientId')),
);
