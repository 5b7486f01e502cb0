import { GROUP_SCHEMA } from './group-schema';
import { newUserId } from './ids';
import { etagOf, userLocation } from './user-record';

/** A stored Group without its members, as storage hands it to the core. */
export interface GroupRecord {
  /** Minted like user ids (ids.ts): URL-safe, time-ordered, never reused. */
  readonly id: string;
  /** Incremented by every write, member changes included; the ETag is `W/"<version>"`. */
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly displayName: string;
  readonly externalId?: string;
  /** How many members the group has, kept with every membership write (so no read counts them). */
  readonly memberCount: number;
}

/** One membership as stored: the member user's id and the `display` the client sent with it, if any. */
export interface GroupMember {
  readonly userId: string;
  readonly display?: string;
}

export const newGroupId = (): string => newUserId();

export const groupLocation = (scimBaseUrl: string, id: string): string =>
  `${scimBaseUrl}/Groups/${encodeURIComponent(id)}`;

export const groupEtag = (record: GroupRecord): string => etagOf(record);

/**
 * The SCIM representation of a Group (RFC 7643 §4.2). `members` is given when it was read (it is left out when
 * the request excluded it, so that nothing reads the member list for nothing); an empty group has `members: []`.
 */
export function groupRepresentation(
  record: GroupRecord,
  members: readonly GroupMember[] | undefined,
  scimBaseUrl: string,
): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: record.id,
    ...(record.externalId !== undefined ? { externalId: record.externalId } : {}),
    displayName: record.displayName,
    ...(members !== undefined ? { members: members.map((member) => memberRepresentation(member, scimBaseUrl)) } : {}),
    meta: {
      resourceType: 'Group',
      created: record.created,
      lastModified: record.lastModified,
      location: groupLocation(scimBaseUrl, record.id),
      version: groupEtag(record),
    },
  };
}

function memberRepresentation(member: GroupMember, scimBaseUrl: string): Record<string, unknown> {
  return {
    value: member.userId,
    ...(member.display !== undefined ? { display: member.display } : {}),
    $ref: userLocation(scimBaseUrl, member.userId),
    type: 'User',
  };
}

/** An entry of a user's read-only `groups` attribute (RFC 7643 §4.1.2). */
export function userGroupRepresentation(record: GroupRecord, scimBaseUrl: string): Record<string, unknown> {
  return {
    value: record.id,
    $ref: groupLocation(scimBaseUrl, record.id),
    display: record.displayName,
    type: 'direct',
  };
}
