import { GroupAccessService } from '../../core/access/group-access-service';
import type { GroupsDeps } from '../../core/console/groups';
import type { SignedInRequest } from './console-route';
import { accessService, groupAccessStore, groupStore } from './services';

/** The Groups pages' dependencies; the audit trail records the signed-in admin's email as who changed access. */
export const groupsDeps = (request: SignedInRequest): GroupsDeps => {
  const actor = `console:${request.admin.email}`;
  const settings = groupAccessStore();
  return {
    access: accessService(actor),
    groupAccess: new GroupAccessService({ writes: settings, groups: groupStore(), settings }, actor),
    sessions: request.deps.sessions,
    issuer: request.deps.issuer,
  };
};
