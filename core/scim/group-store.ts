import type { GroupMember, GroupRecord } from './group-record';

/** A key lookup that finds every group a filter can match (see group-filter.ts). */
export type GroupLookupKey =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'displayName'; readonly value: string }
  | { readonly kind: 'externalId'; readonly value: string }
  | { readonly kind: 'member'; readonly value: string };

/**
 * A change of a group: its attributes (in `next`) and the memberships to add and remove, which the core has
 * already reduced to real changes (no add of a present member, no remove of an absent one, no unknown user).
 */
export interface GroupChange {
  readonly next: GroupRecord;
  readonly add: readonly GroupMember[];
  readonly remove: readonly string[];
}

/**
 * How a write is guarded:
 * - `version`: conditional on the version read, from the attribute write to the member count (read-modify-write:
 *   attribute changes, member replacements, If-Match); a concurrent change makes it fail with
 *   VersionConflictError, and the core starts again on a fresh read.
 * - `delta`: member additions and removals that commute; they only need the group to exist, so concurrent
 *   deltas on one group never fail each other (Entra sends them in parallel).
 */
export type GroupWriteGuard = 'version' | 'delta';

/**
 * What the Groups core needs from storage, per tenant. Each membership is its own item pair (group → user and
 * user → group), so adding or removing one member costs O(1) writes whatever the group's size.
 */
export interface GroupStore {
  /** One strongly consistent read of the group item (no members). */
  get(tenantId: string, id: string): Promise<GroupRecord | undefined>;
  /** Every member of a group, in user-id order, by Query pages. */
  members(tenantId: string, groupId: string): Promise<GroupMember[]>;
  /** Which of these users are members of the group (by key reads). */
  membersAmong(tenantId: string, groupId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** Which of these ids are users of the tenant (by key reads). */
  usersAmong(tenantId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** The ids of the groups a user belongs to, by one Query. */
  groupIdsOf(tenantId: string, userId: string): Promise<string[]>;
  /** Groups by id (those that exist), by key reads. */
  getMany(tenantId: string, ids: readonly string[]): Promise<GroupRecord[]>;
  /** Writes a new group with its members. @throws DisplayNameTakenError */
  create(tenantId: string, record: GroupRecord, members: readonly GroupMember[]): Promise<GroupWriteOutcome>;
  /**
   * Writes a change: the attributes first (under `version`), then the memberships, in as many transactions as
   * their number needs (each membership's items always together).
   * @throws VersionConflictError (a concurrent write under `version`, or the group is gone), DisplayNameTakenError
   */
  update(
    tenantId: string,
    previous: GroupRecord,
    change: GroupChange,
    guard: GroupWriteGuard,
  ): Promise<GroupWriteOutcome>;
  /** Deletes the group (only at `record.version`) and then all its memberships. @throws VersionConflictError */
  delete(tenantId: string, record: GroupRecord): Promise<void>;
  /** Deletes the membership items left of a group that no longer exists. */
  removeMemberships(tenantId: string, groupId: string): Promise<void>;
  /** Removes a user from every group it belongs to (after the user was deleted). */
  removeUserFromGroups(tenantId: string, userId: string): Promise<void>;
  /** Every group one of the keys names (possibly more than a filter matches; never fewer). */
  findByKeys(tenantId: string, keys: readonly GroupLookupKey[]): Promise<GroupRecord[]>;
  /** Every group of the tenant (group items only, never members), in creation order. */
  readAll(tenantId: string): Promise<GroupRecord[]>;
  /**
   * Up to `count` groups created after the group `afterId` (or from the first), in creation order (ids are
   * time-ordered), and whether more follow: one bounded read, however many groups the tenant has.
   */
  pageAfter(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ records: GroupRecord[]; more: boolean }>;
}

/** Another group of the tenant already has this displayName (compared case-insensitively). */
export class DisplayNameTakenError extends Error {
  override readonly name = 'DisplayNameTakenError';
}

/**
 * The group as stored after a write, and the users that were to be added but were deleted meanwhile (they are
 * skipped, like ids that never named a user).
 */
export interface GroupWriteOutcome {
  readonly record: GroupRecord;
  readonly skipped: readonly string[];
}
