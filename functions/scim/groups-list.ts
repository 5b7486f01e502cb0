import { emptyList } from '../../core/scim/discovery';
import { listQueryFromParameters } from '../../core/scim/list-query';
import { scimRoute } from '../_shared/scim-route';

/** GET /scim/v2/Groups: an empty ListResponse until groups exist (Okta's connection test may ask). */
export const handler = scimRoute(async (request) => {
  const parameters = Object.fromEntries(Object.entries(request.query).map(([name, values]) => [name, values[0]]));
  const query = listQueryFromParameters({ startIndex: parameters.startIndex, count: parameters.count });
  return { status: 200, body: emptyList(query.paging.kind === 'index' ? query.paging.startIndex : 1) };
});
