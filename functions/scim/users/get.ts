import { etagOf } from '../../../core/scim/user-record';
import { etagMatches, getUser } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { userIdOf, userResult, usersContext } from '../../_shared/scim-users';

/** GET /scim/v2/Users/{id} (RFC 7644 §3.4.1), with If-None-Match → 304 (§3.14). */
export const handler = scimRoute(async (request) => {
  const record = await getUser(usersContext(request, 'get'), userIdOf(request));
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, record)) {
    return { status: 304, headers: { ETag: etagOf(record) } };
  }
  return userResult(request, record);
});
