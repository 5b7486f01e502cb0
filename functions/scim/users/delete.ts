import { deleteUser } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { ifMatchOf, userIdOf, usersContext } from '../../_shared/scim-users';

/** DELETE /scim/v2/Users/{id}: 204, then 404 (RFC 7644 §3.6); the user is removed and its userName freed. */
export const handler = scimRoute(async (request) => {
  await deleteUser(usersContext(request, 'delete'), userIdOf(request), ifMatchOf(request));
  return { status: 204 };
});
