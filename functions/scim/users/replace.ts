import { replaceUser } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { ifMatchOf, userIdOf, userResult, usersContext } from '../../_shared/scim-users';

/** PUT /scim/v2/Users/{id}: replace the client-writable attributes (RFC 7644 §3.5.1); If-Match → 412 when stale. */
export const handler = scimRoute(async (request) => {
  const record = await replaceUser(
    usersContext(request, 'replace'),
    userIdOf(request),
    request.json,
    ifMatchOf(request),
  );
  return userResult(request, record);
});
