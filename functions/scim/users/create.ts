import { createUser } from '../../../core/scim/users';
import { scimRoute } from '../../_shared/scim-route';
import { userResult, usersContext } from '../../_shared/scim-users';

/** POST /scim/v2/Users: 201 with the user, Location and ETag; 409 uniqueness on a taken userName (RFC 7644 §3.3). */
export const handler = scimRoute(async (request) => {
  const record = await createUser(usersContext(request, 'create'), request.json);
  return userResult(request, record, 201);
});
