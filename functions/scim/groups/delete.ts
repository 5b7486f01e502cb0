import { deleteGroup } from '../../../core/scim/groups';
import { groupIdOf, groupsContext, ifMatchOf } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/** DELETE /scim/v2/Groups/{id}: 204, then 404 (RFC 7644 §3.6); its memberships go, its users stay. */
export const handler = scimRoute(async (request) => {
  await deleteGroup(groupsContext(request), groupIdOf(request), ifMatchOf(request));
  return { status: 204 };
});
