import { invalidValue, notFound, preconditionFailed, serviceUnavailable, uniqueness } from './errors';
import { canBeUserId, type GroupAttributes, groupBodyFromResource, type MemberInput } from './group-attributes';
import { groupLookupKeys, matchesGroupFilter, memberIdsIn } from './group-filter';
import { type MemberPlan, planGroupPatch } from './group-patch';
import {
  compareGroups,
  type GroupListQuery,
  groupSortValue,
  isAfterCursor,
  projectGroup,
  projectionShowsMembers,
} from './group-query';
import {
  type GroupMember,
  type GroupRecord,
  groupRepresentation,
  newGroupId,
  userGroupRepresentation,
} from './group-record';
import { DisplayNameTakenError, type GroupChange, type GroupStore, type GroupWriteGuard } from './group-store';
import { isUserId } from './ids';
import { MAX_GROUP_MEMBERS } from './limits';
import { type CursorPosition, encodeCursor } from './list-query';
import { VersionConflictError } from './user-store';
import { backOff, checkIfMatch, etagMatches, listResponse, WRITE_ATTEMPTS } from './users';

/**
 * The Groups resource (RFC 7644 §3, RFC 7643 §4.2): create, read, replace, patch, delete and list, on a
 * GroupStore. Membership changes are applied as the differences they make, one membership at a time, so that
 * concurrent additions never lose each other and a change costs what it changes, not what the group holds.
 */
export interface GroupsContext {
  readonly store: GroupStore;
  readonly tenantId: string;
  readonly now?: () => Date;
  /** Told which member ids were skipped because they are not users of the tenant (the request still succeeds). */
  readonly onSkippedMembers?: (userIds: readonly string[]) => void;
  /**
   * Told when replacing the whole member list (PUT, `replace` of `members`) removes members: Entra has been seen
   * sending a `replace` with only some of the members, which removes the others, so operators can see it.
   */
  readonly onMembersReplaced?: (change: { readonly removed: number; readonly remaining: number }) => void;
  /** What a group write does beyond the group: access that follows groups, the skipped ids' audit trail. */
  readonly effects?: GroupEffects;
}

/** Told after a group write has been stored; each call may do storage work of its own (awaited). */
export interface GroupEffects {
  /** These users joined or left the group. */
  membershipsChanged(group: GroupRecord, userIds: readonly string[]): Promise<void>;
  /** Whether membership changes of the group matter beyond it (then a deletion reads its members first). */
  followsMembers(groupId: string): Promise<boolean>;
  /** The group was deleted; `memberIds` were its members when that matters (see `followsMembers`). */
  groupDeleted(group: GroupRecord, memberIds: readonly string[]): Promise<void>;
  /** Member ids of the write that were skipped as not users of the tenant. */
  membersSkipped(group: GroupRecord, userIds: readonly string[]): Promise<void>;
}

/** A group and, when it was read, its members. */
export interface GroupView {
  readonly record: GroupRecord;
  readonly members?: readonly GroupMember[];
}

const timestamp = (context: GroupsContext): string => (context.now?.() ?? new Date()).toISOString();

const displayNameTaken = () =>
  uniqueness('A group with this displayName already exists (displayName is case-insensitive)');

const groupFull = () => invalidValue(`A group holds at most ${MAX_GROUP_MEMBERS} members`);

/** The given members that are users of the tenant; the others are reported and dropped. */
async function knownMembers(
  context: GroupsContext,
  members: readonly MemberInput[],
  skippedSink: string[],
): Promise<MemberInput[]> {
  const shaped = members.filter((member) => canBeUserId(member.userId));
  const users =
    shaped.length > 0
      ? await context.store.usersAmong(
          context.tenantId,
          shaped.map((m) => m.userId),
        )
      : new Set();
  const known = shaped.filter((member) => users.has(member.userId));
  report(
    context,
    members.filter((member) => !users.has(member.userId)).map((member) => member.userId),
    skippedSink,
  );
  return known;
}

function report(context: GroupsContext, skipped: readonly string[], sink: string[]): void {
  if (skipped.length === 0) return;
  context.onSkippedMembers?.(skipped);
  sink.push(...skipped);
}

async function afterWrite(
  context: GroupsContext,
  group: GroupRecord,
  changed: readonly string[],
  skipped: readonly string[],
): Promise<void> {
  if (!context.effects) return;
  if (skipped.length > 0) await context.effects.membersSkipped(group, skipped);
  if (changed.length > 0) await context.effects.membershipsChanged(group, changed);
}

const byUserId = (a: GroupMember, b: GroupMember) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

/** POST /Groups (RFC 7644 §3.3): members that are not users of the tenant are skipped, not refused. */
export async function createGroup(context: GroupsContext, body: unknown): Promise<GroupView> {
  const parsed = groupBodyFromResource(body);
  const skippedIds: string[] = [];
  const members = await knownMembers(context, parsed.members ?? [], skippedIds);
  const now = timestamp(context);
  const record: GroupRecord = {
    id: newGroupId(),
    version: 1,
    created: now,
    lastModified: now,
    ...parsed.attributes,
    memberCount: 0,
  };
  try {
    const outcome = await context.store.create(context.tenantId, record, members);
    report(context, outcome.skipped, skippedIds);
    const skipped = new Set(outcome.skipped);
    const added = members.filter((m) => !skipped.has(m.userId)).sort(byUserId);
    await afterWrite(
      context,
      outcome.record,
      added.map((member) => member.userId),
      skippedIds,
    );
    return { record: outcome.record, members: added };
  } catch (error) {
    if (error instanceof DisplayNameTakenError) throw displayNameTaken();
    throw error;
  }
}

/** GET /Groups/{id}: unknown ids and strings that cannot be our ids are both 404. */
export async function getGroup(context: GroupsContext, id: string): Promise<GroupRecord> {
  const record = isUserId(id) ? await context.store.get(context.tenantId, id) : undefined;
  if (!record) throw notFound(`Group ${id} not found`);
  return record;
}

/** The group with its members when the response shows them; otherwise the member list is not read at all. */
export async function viewOf(context: GroupsContext, record: GroupRecord, withMembers: boolean): Promise<GroupView> {
  if (!withMembers) return { record };
  return { record, members: await context.store.members(context.tenantId, record.id) };
}

/**
 * PUT /Groups/{id} (RFC 7644 §3.5.1): displayName and externalId are replaced, and `members` becomes exactly the
 * list sent (Okta's app-wizard integration PUTs the whole list after every change). A body without `members`
 * leaves the membership as it is, so a PUT never empties a group by omission.
 */
export async function replaceGroup(
  context: GroupsContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<GroupRecord> {
  const parsed = groupBodyFromResource(body);
  const members: MemberPlan | undefined =
    parsed.members === undefined
      ? undefined
      : { kind: 'exact', members: new Map(parsed.members.map((member) => [member.userId, member])) };
  return writeGroup(context, id, ifMatch, () => parsed.attributes, members ?? { kind: 'delta', changes: new Map() });
}

/** PATCH /Groups/{id} (RFC 7644 §3.5.2); see group-patch.ts for the dialects. */
export async function patchGroup(
  context: GroupsContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<GroupRecord> {
  const plan = planGroupPatch(body);
  return writeGroup(context, id, ifMatch, plan.attributes, plan.members);
}

/**
 * Read the group, work out the real changes (additions of users that are not members yet, removals of members
 * that are there), and write them. Attribute changes, whole-list replacements and If-Match are conditional on
 * the version read and start again on a fresh read when another write came first; pure member additions and
 * removals commute, so they are written without that condition.
 */
async function writeGroup(
  context: GroupsContext,
  id: string,
  ifMatch: string | undefined,
  attributesOf: (current: GroupAttributes) => GroupAttributes,
  plan: MemberPlan,
): Promise<GroupRecord> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const current = await getGroup(context, id);
    checkIfMatch(ifMatch, current);
    const before: GroupAttributes = {
      displayName: current.displayName,
      ...(current.externalId !== undefined ? { externalId: current.externalId } : {}),
    };
    const attributes = attributesOf(before);
    const attributesChange =
      attributes.displayName !== before.displayName || attributes.externalId !== before.externalId;
    const skippedIds: string[] = [];
    const { add, remove } = await memberChanges(context, current, plan, skippedIds);
    if (!attributesChange && add.length === 0 && remove.length === 0) {
      await afterWrite(context, current, [], skippedIds);
      return current;
    }
    if (current.memberCount + add.length - remove.length > MAX_GROUP_MEMBERS) throw groupFull();
    const next: GroupRecord = {
      id: current.id,
      version: current.version,
      created: current.created,
      lastModified: timestamp(context),
      ...attributes,
      memberCount: current.memberCount,
    };
    const change: GroupChange = { next, add, remove };
    const guard: GroupWriteGuard =
      ifMatch !== undefined || attributesChange || plan.kind === 'exact' ? 'version' : 'delta';
    try {
      const outcome = await context.store.update(context.tenantId, current, change, guard);
      report(context, outcome.skipped, skippedIds);
      if (plan.kind === 'exact' && remove.length > 0) {
        context.onMembersReplaced?.({ removed: remove.length, remaining: outcome.record.memberCount });
      }
      const notAdded = new Set(outcome.skipped);
      await afterWrite(
        context,
        outcome.record,
        [...add.map((member) => member.userId).filter((userId) => !notAdded.has(userId)), ...remove],
        skippedIds,
      );
      return outcome.record;
    } catch (error) {
      if (error instanceof DisplayNameTakenError) throw displayNameTaken();
      if (!(error instanceof VersionConflictError)) throw error;
      if (ifMatch !== undefined) throw preconditionFailed();
      await backOff(attempt);
    }
  }
  throw serviceUnavailable(1);
}

async function memberChanges(
  context: GroupsContext,
  current: GroupRecord,
  plan: MemberPlan,
  skippedSink: string[],
): Promise<{ add: MemberInput[]; remove: string[] }> {
  const { store, tenantId } = context;
  if (plan.kind === 'exact') {
    const target = await knownMembers(context, [...plan.members.values()], skippedSink);
    const present = current.memberCount > 0 ? await store.members(tenantId, current.id) : [];
    const presentIds = new Set(present.map((member) => member.userId));
    const targetIds = new Set(target.map((member) => member.userId));
    return {
      add: target.filter((member) => !presentIds.has(member.userId)),
      remove: [...presentIds].filter((userId) => !targetIds.has(userId)),
    };
  }
  const changes = [...plan.changes.entries()];
  const additions = await knownMembers(
    context,
    changes.flatMap(([, member]) => (member ? [member] : [])),
    skippedSink,
  );
  const removals = changes.flatMap(([userId, member]) => (member === null && canBeUserId(userId) ? [userId] : []));
  const named = [...additions.map((member) => member.userId), ...removals];
  const present = named.length > 0 ? await store.membersAmong(tenantId, current.id, named) : new Set<string>();
  return {
    add: additions.filter((member) => !present.has(member.userId)),
    remove: removals.filter((userId) => present.has(userId)),
  };
}

/**
 * DELETE /Groups/{id} (RFC 7644 §3.6): the group, its name and its memberships go; the users stay. A second
 * DELETE is 404, after removing any membership a failed first one left behind.
 */
export async function deleteGroup(context: GroupsContext, id: string, ifMatch: string | undefined): Promise<void> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const current = isUserId(id) ? await context.store.get(context.tenantId, id) : undefined;
    if (!current) {
      if (isUserId(id)) await context.store.removeMemberships(context.tenantId, id);
      throw notFound(`Group ${id} not found`);
    }
    checkIfMatch(ifMatch, current);
    const followed = context.effects ? await context.effects.followsMembers(current.id) : false;
    const memberIds = followed
      ? (await context.store.members(context.tenantId, current.id)).map((member) => member.userId)
      : [];
    try {
      await context.store.delete(context.tenantId, current);
      await context.effects?.groupDeleted(current, memberIds);
      return;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (ifMatch !== undefined) throw preconditionFailed();
      await backOff(attempt);
    }
  }
  throw serviceUnavailable(1);
}

/** A deleted user leaves every group it was in (run after the user is gone, so nothing can add it again). */
export async function removeUserFromGroups(context: GroupsContext, userId: string): Promise<void> {
  if (isUserId(userId)) await context.store.removeUserFromGroups(context.tenantId, userId);
}

/** A user's read-only `groups` attribute (RFC 7643 §4.1.2): one Query of its memberships, then the groups. */
export async function groupsOfUser(
  context: GroupsContext,
  userId: string,
  scimBaseUrl: string,
): Promise<Record<string, unknown>[]> {
  const ids = await context.store.groupIdsOf(context.tenantId, userId);
  if (ids.length === 0) return [];
  const groups = await context.store.getMany(context.tenantId, ids);
  return groups.map((group) => userGroupRepresentation(group, scimBaseUrl));
}

/** If-None-Match on GET /Groups/{id}: the same weak comparison as for users. */
export const groupEtagMatches: (header: string, record: GroupRecord) => boolean = etagMatches;

/**
 * GET /Groups and POST /Groups/.search. Filters on `id`, `displayName`, `externalId` equality and membership
 * tests are answered from key items; other filters and sorts read the tenant's group items (never members).
 * A page stops early when the members it would carry exceed MAX_GROUP_MEMBERS, so it always fits in a response;
 * clients page on with `itemsPerPage` (index paging) or `nextCursor`.
 */
export async function listGroups(
  context: GroupsContext,
  query: GroupListQuery,
  scimBaseUrl: string,
): Promise<Record<string, unknown>> {
  const { store, tenantId } = context;
  const keys = query.filter ? groupLookupKeys(query.filter) : undefined;
  const candidates = keys ? await store.findByKeys(tenantId, keys) : await store.readAll(tenantId);
  const filter = query.filter;
  const memberships = new Map<string, Set<string>>();
  if (filter) {
    for (const userId of new Set(memberIdsIn(filter))) {
      memberships.set(userId, new Set(isUserId(userId) ? await store.groupIdsOf(tenantId, userId) : []));
    }
  }
  const matching = filter ? candidates.filter((record) => matchesGroupFilter(filter, record, memberships)) : candidates;
  const ordered = [...matching].sort((a, b) => compareGroups(a, b, query.sort));
  const withMembers = projectionShowsMembers(query.projection);
  let remaining: GroupRecord[];
  if (query.paging.kind === 'index') {
    remaining = ordered.slice(query.paging.startIndex - 1);
  } else {
    const after = query.paging.after;
    remaining = after ? ordered.filter((record) => isAfterCursor(record, after, query.sort)) : ordered;
  }
  const page = withinMemberBudget(remaining.slice(0, query.count), withMembers);
  const views = await Promise.all(page.map((record) => viewOf(context, record, withMembers)));
  const last = page.at(-1);
  const nextCursor =
    query.paging.kind === 'cursor' && remaining.length > page.length && last
      ? encodeCursor(cursorPosition(last, query), query.fingerprint)
      : undefined;
  const resources = views.map((view) =>
    projectGroup(groupRepresentation(view.record, view.members, scimBaseUrl), query.projection),
  );
  return listResponse(query.paging, resources, ordered.length, nextCursor);
}

function withinMemberBudget(page: readonly GroupRecord[], withMembers: boolean): GroupRecord[] {
  if (!withMembers) return [...page];
  const kept: GroupRecord[] = [];
  let members = 0;
  for (const record of page) {
    if (kept.length > 0 && members + record.memberCount > MAX_GROUP_MEMBERS) break;
    kept.push(record);
    members += record.memberCount;
  }
  return kept;
}

function cursorPosition(record: GroupRecord, query: GroupListQuery): CursorPosition {
  const value = query.sort ? groupSortValue(record, query.sort.field) : undefined;
  return { id: record.id, ...(value !== undefined ? { sortValue: value } : {}) };
}
