import { groupEtag } from '../../../core/scim/group-record';
import { patchGroup, viewOf } from '../../../core/scim/groups';
import { MAX_GROUP_BODY_BYTES } from '../../../core/scim/limits';
import { queryParam } from '../../_shared/http-event';
import { groupIdOf, groupResult, groupsContext, ifMatchOf, wantsMembers } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/**
 * PATCH /scim/v2/Groups/{id} (RFC 7644 §3.5.2): 204 with the new ETag, which the RFC allows when the request
 * asks for no attributes, Entra expects, and Okta accepts (it takes 200 or 204 and does not read the body).
 * With `attributes` or `excludedAttributes` in the query, 200 with the group so projected.
 */
export const handler = scimRoute(
  async (request) => {
    const context = groupsContext(request);
    const record = await patchGroup(context, groupIdOf(request), request.json, ifMatchOf(request));
    const asksForBody =
      queryParam(request, 'attributes') !== undefined || queryParam(request, 'excludedAttributes') !== undefined;
    if (!asksForBody) return { status: 204, headers: { ETag: groupEtag(record) } };
    return groupResult(request, await viewOf(context, record, wantsMembers(request)));
  },
  { maxBodyBytes: MAX_GROUP_BODY_BYTES },
);
