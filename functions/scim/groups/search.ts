import { groupQueryFromSearchRequest } from '../../../core/scim/group-query';
import { listGroups } from '../../../core/scim/groups';
import { groupsContext } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/** POST /scim/v2/Groups/.search: the same query as GET /Groups, in a SearchRequest body (RFC 7644 §3.4.3). */
export const handler = scimRoute(async (request) => {
  const query = groupQueryFromSearchRequest(request.json);
  return { status: 200, body: await listGroups(groupsContext(request), query, request.scimBaseUrl) };
});
