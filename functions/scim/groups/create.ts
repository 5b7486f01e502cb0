import { createGroup } from '../../../core/scim/groups';
import { MAX_GROUP_BODY_BYTES } from '../../../core/scim/limits';
import { groupResult, groupsContext } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/** POST /scim/v2/Groups: 201 with the group, Location and ETag; 409 uniqueness on a taken displayName (RFC 7644 §3.3). */
export const handler = scimRoute(
  async (request) => groupResult(request, await createGroup(groupsContext(request), request.json), 201),
  { maxBodyBytes: MAX_GROUP_BODY_BYTES },
);
