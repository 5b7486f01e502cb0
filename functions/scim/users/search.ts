import { listQueryFromSearchRequest } from '../../../core/scim/list-query';
import { listUsers } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { addRequestedGroups, usersContext } from '../../_shared/scim-users';

/** POST /scim/v2/Users/.search: the same query as GET /Users, in a SearchRequest body (RFC 7644 §3.4.3). */
export const handler = scimRoute(async (request) => {
  const query = listQueryFromSearchRequest(request.json);
  const body = await listUsers(usersContext(request, 'list'), query, request.scimBaseUrl);
  return { status: 200, body: await addRequestedGroups(request, body, query.projection) };
});
