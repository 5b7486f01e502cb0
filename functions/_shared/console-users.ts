import { GroupAccessService } from '../../core/access/group-access-service';
import type { UsersDeps } from '../../core/console/users';
import type { SignedInRequest } from './console-route';
import { accessService, assertionReplayStore, groupAccessStore, groupStore } from './services';

/** The Users pages' dependencies; the audit trail records the signed-in admin's email as who changed access. */
export const usersDeps = (request: SignedInRequest): UsersDeps => ({
  access: accessService(`console:${request.admin.email}`),
  groupAccess: new GroupAccessService(
    { writes: groupAccessStore(), groups: groupStore(), settings: groupAccessStore() },
    `console:${request.admin.email}`,
  ),
  sessions: request.deps.sessions,
  forms: assertionReplayStore(),
  issuer: request.deps.issuer,
  now: request.deps.now,
});
