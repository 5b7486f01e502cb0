import { patchUser } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { ifMatchOf, userIdOf, userResult, usersContext } from '../../_shared/scim-users';

/** PATCH /scim/v2/Users/{id} (RFC 7644 §3.5.2): 200 with the user; If-Match → 412 when stale. */
export const handler = scimRoute(async (request) => {
  const record = await patchUser(usersContext(request, 'patch'), userIdOf(request), request.json, ifMatchOf(request));
  return userResult(request, record);
});
