import { type AccessCause, GroupAccessService } from '../../core/access/group-access-service';
import { groupProjection, projectGroup, projectionShowsMembers } from '../../core/scim/group-query';
import { groupEtag, groupLocation, groupRepresentation } from '../../core/scim/group-record';
import type { GroupEffects, GroupsContext, GroupView } from '../../core/scim/groups';
import { callerOf } from './bearer-auth';
import { queryParam } from './http-event';
import { logger } from './logger';
import { type ScimRequest, type ScimResult, tenantOf } from './scim-route';
import { groupAccessStore, groupStore } from './services';

/** At most this many skipped ids are written into one log line (the count is always complete). */
const LOGGED_SKIPPED_IDS = 20;

/** What the Groups handlers share: the tenant-scoped store, and how a group becomes a response. */
export function groupsContext(request: ScimRequest): GroupsContext {
  return {
    store: groupStore(),
    tenantId: tenantOf(request),
    onSkippedMembers: (userIds) =>
      logger.warn('Group members skipped: not users of this tenant', {
        skippedMembers: userIds.length,
        skippedMemberIds: userIds.slice(0, LOGGED_SKIPPED_IDS),
      }),
    onMembersReplaced: ({ removed, remaining }) =>
      logger.info('Group members removed by a replacement of the member list', {
        groupMembersRemoved: removed,
        groupMembersRemaining: remaining,
      }),
    effects: groupEffects(request),
  };
}

/**
 * What a group write does beyond the group: in a tenant whose access comes from groups, the members whose
 * mapped group changed are recomputed, the audit trail naming the group, the request and the IdP's client;
 * skipped member ids are kept in the tenant's audit trail.
 */
function groupEffects(request: ScimRequest): GroupEffects {
  const tenantId = tenantOf(request);
  const client = request.principal === undefined ? 'unknown' : callerOf(request.principal);
  const settings = groupAccessStore();
  const access = new GroupAccessService({ writes: settings, groups: groupStore(), settings }, `scim:${client}`);
  const cause = (group: { id: string; displayName: string }, reason: string): AccessCause => ({
    reason,
    group: { id: group.id, displayName: group.displayName },
    request: request.requestId,
    client,
  });
  return {
    membershipsChanged: async (group, userIds) => {
      const changed = await access.membershipsChanged(
        tenantId,
        group.id,
        userIds,
        cause(group, 'group membership changed'),
      );
      if (changed > 0) logger.info('Users’ access recomputed from their groups', { accessChanged: changed });
    },
    followsMembers: (groupId) => access.follows(tenantId, groupId),
    groupDeleted: async (group, memberIds) => {
      await access.membershipsChanged(tenantId, group.id, memberIds, cause(group, 'group deleted'));
      await access.groupDeleted(tenantId, group);
    },
    membersSkipped: (group, userIds) =>
      access.recordSkippedMembers(tenantId, group, userIds, { request: request.requestId, client }),
  };
}

/** The request's `attributes` / `excludedAttributes` (RFC 7644 §3.9). */
export const projectionOf = (request: ScimRequest) =>
  groupProjection(queryParam(request, 'attributes'), queryParam(request, 'excludedAttributes'));

/** Whether the response to this request shows `members` (Entra asks `excludedAttributes=members` every time). */
export const wantsMembers = (request: ScimRequest): boolean => projectionShowsMembers(projectionOf(request));

/** A single Group response, projected, with its version as the ETag (RFC 7644 §3.14). */
export function groupResult(request: ScimRequest, view: GroupView, status = 200): ScimResult {
  const body = projectGroup(groupRepresentation(view.record, view.members, request.scimBaseUrl), projectionOf(request));
  return {
    status,
    body,
    headers: {
      ETag: groupEtag(view.record),
      ...(status === 201 ? { Location: groupLocation(request.scimBaseUrl, view.record.id) } : {}),
    },
  };
}

/** The `{id}` path parameter (API Gateway has already percent-decoded it). */
export const groupIdOf = (request: ScimRequest): string => request.pathParams.id ?? '';

export const ifMatchOf = (request: ScimRequest): string | undefined => request.headers['if-match'];
