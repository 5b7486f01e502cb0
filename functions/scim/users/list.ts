import { listQueryFromParameters } from '../../../core/scim/list-query';
import { listUsers } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { addRequestedGroups, usersContext } from '../../_shared/scim-users';

/** GET /scim/v2/Users: list and filter (RFC 7644 §3.4.2), index or cursor paging (RFC 9865). */
export const handler = scimRoute(async (request) => {
  const parameters = Object.fromEntries(Object.entries(request.query).map(([name, values]) => [name, values[0]]));
  const query = listQueryFromParameters(parameters);
  const body = await listUsers(usersContext(request, 'list'), query, request.scimBaseUrl);
  return { status: 200, body: await addRequestedGroups(request, body, query.projection) };
});
