import { replaceGroup, viewOf } from '../../../core/scim/groups';
import { MAX_GROUP_BODY_BYTES } from '../../../core/scim/limits';
import { groupIdOf, groupResult, groupsContext, ifMatchOf, wantsMembers } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/** PUT /scim/v2/Groups/{id} (RFC 7644 §3.5.1): 200 with the group; `members` becomes the list sent. */
export const handler = scimRoute(
  async (request) => {
    const context = groupsContext(request);
    const record = await replaceGroup(context, groupIdOf(request), request.json, ifMatchOf(request));
    return groupResult(request, await viewOf(context, record, wantsMembers(request)));
  },
  { maxBodyBytes: MAX_GROUP_BODY_BYTES },
);
