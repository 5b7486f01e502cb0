import { groupQueryFromParameters } from '../../../core/scim/group-query';
import { listGroups } from '../../../core/scim/groups';
import { groupsContext } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/** GET /scim/v2/Groups: list and filter (RFC 7644 §3.4.2), index or cursor paging (RFC 9865). */
export const handler = scimRoute(async (request) => {
  const parameters = Object.fromEntries(Object.entries(request.query).map(([name, values]) => [name, values[0]]));
  const query = groupQueryFromParameters(parameters);
  return { status: 200, body: await listGroups(groupsContext(request), query, request.scimBaseUrl) };
});
