import { ScimError } from '../../../core/scim/errors';
import { removeUserFromGroups } from '../../../core/scim/groups';
import { deleteUser } from '../../../core/scim/users';
import { groupsContext } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';
import { ifMatchOf, userIdOf, usersContext } from '../../_shared/scim-users';

/**
 * DELETE /scim/v2/Users/{id}: 204, then 404 (RFC 7644 §3.6); the user is removed, its userName freed, and it
 * leaves its groups. The memberships go after the user item, when no group can add the user any more; a repeated
 * DELETE (404) removes any a failed first one left behind.
 */
export const handler = scimRoute(async (request) => {
  const userId = userIdOf(request);
  try {
    await deleteUser(usersContext(request, 'delete'), userId, ifMatchOf(request));
  } catch (error) {
    if (error instanceof ScimError && error.status === 404) await removeUserFromGroups(groupsContext(request), userId);
    throw error;
  }
  await removeUserFromGroups(groupsContext(request), userId);
  return { status: 204 };
});
