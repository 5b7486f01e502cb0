import { invalidSyntax, invalidValue } from './errors';
import type { GroupMember } from './group-record';
import { GROUP_SCHEMA } from './group-schema';
import { isUserId } from './ids';
import { MAX_GROUP_MEMBERS, MAX_KEY_VALUE_BYTES } from './limits';
import { sameUrn } from './user-schema';
import { foldCase, isPlainObject } from './values';

/** The client-writable attributes of a Group besides its members. */
export interface GroupAttributes {
  readonly displayName: string;
  readonly externalId?: string;
}

/**
 * A member value as a client sent it, after checks. `value` is kept even when it cannot be a user of this
 * tenant, so that the skipped ids can be reported.
 */
export type MemberInput = GroupMember;

export interface GroupBody {
  readonly attributes: GroupAttributes;
  /** Undefined when the body has no `members` (a PUT then leaves the membership as it is). */
  readonly members: readonly MemberInput[] | undefined;
}

/** The display a client may attach to a member is stored with the membership, so it is bounded like a key. */
const MAX_MEMBER_DISPLAY_BYTES = MAX_KEY_VALUE_BYTES;

const byteLength = (text: string): number => new TextEncoder().encode(text).length;

/** A member of a JSON object by case-insensitive name (RFC 7643 §2.1). */
export function memberOf(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/**
 * A POST or PUT body (RFC 7644 §3.3, §3.5.1) for a Group. `id`, `meta`, unknown attributes and unknown extension
 * schemas (Entra adds its own Group schema URN) are ignored; wrong types for known attributes are `invalidValue`.
 */
export function groupBodyFromResource(body: unknown): GroupBody {
  if (!isPlainObject(body)) throw invalidSyntax('The request body must be a JSON object (a SCIM Group resource)');
  const schemas = memberOf(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => typeof schema === 'string' && sameUrn(schema, GROUP_SCHEMA))
  ) {
    throw invalidSyntax(`"schemas" must be an array containing "${GROUP_SCHEMA}"`);
  }
  const externalId = externalIdValue(memberOf(body, 'externalId'));
  const attributes: GroupAttributes = {
    displayName: displayNameValue(memberOf(body, 'displayName')),
    ...(externalId !== undefined ? { externalId } : {}),
  };
  const members = memberOf(body, 'members');
  return { attributes, members: members === undefined ? undefined : memberValues(members, 'members') };
}

export function displayNameValue(value: unknown): string {
  if (value === undefined || value === null) throw invalidValue('displayName is required');
  if (typeof value !== 'string') throw invalidValue('displayName must be a string');
  if (value.trim() === '') throw invalidValue('displayName must not be empty');
  if (byteLength(displayNameKey(value)) > MAX_KEY_VALUE_BYTES) {
    throw invalidValue(`displayName is longer than ${MAX_KEY_VALUE_BYTES} bytes`);
  }
  return value;
}

/** null and "" mean no externalId (RFC 7643 §2.5: unassigned). */
export function externalIdValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidValue('externalId must be a string');
  if (byteLength(value) > MAX_KEY_VALUE_BYTES)
    throw invalidValue(`externalId is longer than ${MAX_KEY_VALUE_BYTES} bytes`);
  return value;
}

/** The uniqueness key of a displayName: compared case-insensitively, like `displayName eq` (RFC 7643 §2.2). */
export const displayNameKey = (displayName: string): string => foldCase(displayName);

/**
 * `members` values (RFC 7643 §4.2): objects with `value` (Okta adds `display`, Entra `"$ref": null`), or a bare
 * id string (Entra's PATCH has been seen sending one). null or [] is no members. Members whose `type` is not
 * `User` (nested groups) are dropped. Duplicates collapse to one, the first `display` winning.
 */
export function memberValues(value: unknown, where: string): MemberInput[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_GROUP_MEMBERS) {
    throw invalidValue(`${where} names more than ${MAX_GROUP_MEMBERS} members; a group holds at most that many`);
  }
  const members = new Map<string, MemberInput>();
  for (const item of items) {
    const member = memberValue(item, where);
    if (member && !members.has(member.userId)) members.set(member.userId, member);
  }
  return [...members.values()];
}

function memberValue(item: unknown, where: string): MemberInput | undefined {
  if (typeof item === 'string') return checkedMember(item, undefined, where);
  if (!isPlainObject(item)) throw invalidValue(`Each value of ${where} must be an object with "value"`);
  const type = memberOf(item, 'type');
  if (type !== undefined && type !== null && (typeof type !== 'string' || type.toLowerCase() !== 'user')) {
    return undefined;
  }
  const display = memberOf(item, 'display');
  if (display !== undefined && display !== null && typeof display !== 'string') {
    throw invalidValue(`${where}.display must be a string`);
  }
  return checkedMember(memberOf(item, 'value'), typeof display === 'string' ? display : undefined, where);
}

function checkedMember(value: unknown, display: string | undefined, where: string): MemberInput {
  if (typeof value !== 'string' || value === '') throw invalidValue(`${where}.value must be the id of a user`);
  if (byteLength(value) > MAX_KEY_VALUE_BYTES) {
    throw invalidValue(`${where}.value is longer than ${MAX_KEY_VALUE_BYTES} bytes`);
  }
  if (display !== undefined && byteLength(display) > MAX_MEMBER_DISPLAY_BYTES) {
    throw invalidValue(`${where}.display is longer than ${MAX_MEMBER_DISPLAY_BYTES} bytes`);
  }
  return { userId: value, ...(display !== undefined && display !== '' ? { display } : {}) };
}

/** Whether a member value can name a user at all (anything else is skipped without a read). */
export const canBeUserId = (value: string): boolean => isUserId(value);
