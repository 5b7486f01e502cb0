import { groupEtag } from '../../../core/scim/group-record';
import { getGroup, groupEtagMatches, viewOf } from '../../../core/scim/groups';
import { groupIdOf, groupResult, groupsContext, wantsMembers } from '../../_shared/scim-groups';
import { scimRoute } from '../../_shared/scim-route';

/**
 * GET /scim/v2/Groups/{id} (RFC 7644 §3.4.1), with its members unless excluded (then they are not read), and
 * If-None-Match → 304 (§3.14).
 */
export const handler = scimRoute(async (request) => {
  const context = groupsContext(request);
  const record = await getGroup(context, groupIdOf(request));
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined && groupEtagMatches(ifNoneMatch, record)) {
    return { status: 304, headers: { ETag: groupEtag(record) } };
  }
  return groupResult(request, await viewOf(context, record, wantsMembers(request)));
});
