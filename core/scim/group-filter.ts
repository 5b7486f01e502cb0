import type { AttributePath } from './attribute-path';
import { invalidFilter } from './errors';
import { compareText, order, SUBSTRING, writtenPath } from './filter';
import {
  type CompareOperator,
  type CompareValue,
  type FilterNode,
  type FilterSyntaxOptions,
  parseFilterSyntax,
} from './filter-syntax';
import { displayNameKey } from './group-attributes';
import type { GroupRecord } from './group-record';
import { GROUP_SCHEMA } from './group-schema';
import type { GroupLookupKey } from './group-store';
import { sameUrn } from './user-schema';
import { asInstant } from './values';

/**
 * Filters on Groups (RFC 7644 §3.4.2.2), over what a group item holds: `id`, `displayName`, `externalId`,
 * `meta.created`, `meta.lastModified`, and membership: `members eq "<user id>"`, `members.value eq "<user id>"`
 * and `members[value eq "<user id>"]` (Entra's and AWS's membership checks), and `members pr`. A membership
 * test is answered from the user's side of the membership items, never by reading a member list.
 */
export type GroupField = 'id' | 'displayName' | 'externalId' | 'meta.created' | 'meta.lastModified';

export type GroupFilter =
  | { readonly kind: 'compare'; readonly field: GroupField; readonly op: CompareOperator; readonly value: CompareValue }
  | { readonly kind: 'present'; readonly field: GroupField }
  | { readonly kind: 'member'; readonly userId: string }
  | { readonly kind: 'hasMembers' }
  | { readonly kind: 'always' }
  | { readonly kind: 'and' | 'or'; readonly left: GroupFilter; readonly right: GroupFilter }
  | { readonly kind: 'not'; readonly filter: GroupFilter };

const FIELDS: Record<string, GroupField> = {
  id: 'id',
  displayname: 'displayName',
  externalid: 'externalId',
  'meta.created': 'meta.created',
  'meta.lastmodified': 'meta.lastModified',
};

const DATE_FIELDS = new Set<GroupField>(['meta.created', 'meta.lastModified']);

/** The lower-case `attr[.sub]` a path names on the Group resource, or undefined for another schema. */
export function groupPathName(path: AttributePath): string | undefined {
  if (path.schema !== undefined && !sameUrn(path.schema, GROUP_SCHEMA)) return undefined;
  if (path.attribute === undefined) return undefined;
  return [path.attribute, path.subAttribute].filter(Boolean).join('.').toLowerCase();
}

export function compileGroupFilter(text: string, options: FilterSyntaxOptions = {}): GroupFilter {
  return compile(parseFilterSyntax(text, invalidFilter, options));
}

function compile(node: FilterNode): GroupFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: compile(node.left), right: compile(node.right) };
    case 'not':
      return { kind: 'not', filter: compile(node.filter) };
    case 'valuePath': {
      if (groupPathName(node.path) !== 'members') {
        throw invalidFilter('A value filter is only supported on members (members[value eq "<user id>"])');
      }
      return compileMemberFilter(node.filter);
    }
    case 'present': {
      const name = groupPathName(node.path);
      if (name === 'members' || name === 'members.value') return { kind: 'hasMembers' };
      return { kind: 'present', field: fieldOf(node.path) };
    }
    case 'compare': {
      const name = groupPathName(node.path);
      if (name === 'members' || name === 'members.value') return memberTest(node.op, node.value);
      const field = fieldOf(node.path);
      return { kind: 'compare', field, op: node.op, value: checkedOperand(field, node.op, node.value) };
    }
  }
}

function fieldOf(path: AttributePath): GroupField {
  const name = groupPathName(path);
  const field = name === undefined ? undefined : FIELDS[name];
  if (!field) {
    throw invalidFilter(`Groups cannot be filtered on "${writtenPath(path)}"`);
  }
  return field;
}

function memberTest(op: CompareOperator, value: CompareValue): GroupFilter {
  if (op !== 'eq' || typeof value !== 'string') {
    throw invalidFilter('members can only be compared with "eq" and a quoted user id');
  }
  return { kind: 'member', userId: value };
}

/** Inside `members[…]`: `value eq "<id>"`, `type eq "User"`, and `and`/`or` of those. */
function compileMemberFilter(node: FilterNode): GroupFilter {
  if (node.kind === 'and' || node.kind === 'or') {
    return { kind: node.kind, left: compileMemberFilter(node.left), right: compileMemberFilter(node.right) };
  }
  if (node.kind === 'compare' && node.path.schema === undefined && node.path.subAttribute === undefined) {
    const name = node.path.attribute?.toLowerCase();
    if (name === 'value') return memberTest(node.op, node.value);
    if (name === 'type' && node.op === 'eq' && typeof node.value === 'string' && node.value.toLowerCase() === 'user') {
      return { kind: 'always' };
    }
  }
  throw invalidFilter('Inside members[…] only value eq "<user id>" is supported');
}

function checkedOperand(field: GroupField, op: CompareOperator, value: CompareValue): CompareValue {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw invalidFilter(`"${op} null" is not meaningful for ${field}; use "pr" or "eq null"`);
  }
  if (typeof value !== 'string') throw invalidFilter(`${field} is a string; compare it with a quoted string`);
  if (DATE_FIELDS.has(field) && !SUBSTRING.has(op) && asInstant(value) === undefined) {
    throw invalidFilter(`"${value}" is not a dateTime (RFC 3339, e.g. 2024-01-31T12:00:00Z)`);
  }
  return value;
}

/** The user ids whose memberships a filter tests. */
export function memberIdsIn(filter: GroupFilter): string[] {
  switch (filter.kind) {
    case 'member':
      return [filter.userId];
    case 'and':
    case 'or':
      return [...memberIdsIn(filter.left), ...memberIdsIn(filter.right)];
    case 'not':
      return memberIdsIn(filter.filter);
    default:
      return [];
  }
}

/** Which groups each tested user belongs to: the facts a membership test is evaluated against. */
export type MembershipFacts = ReadonlyMap<string, ReadonlySet<string>>;

export function matchesGroupFilter(filter: GroupFilter, record: GroupRecord, memberships: MembershipFacts): boolean {
  switch (filter.kind) {
    case 'and':
      return (
        matchesGroupFilter(filter.left, record, memberships) && matchesGroupFilter(filter.right, record, memberships)
      );
    case 'or':
      return (
        matchesGroupFilter(filter.left, record, memberships) || matchesGroupFilter(filter.right, record, memberships)
      );
    case 'not':
      return !matchesGroupFilter(filter.filter, record, memberships);
    case 'always':
      return true;
    case 'member':
      return memberships.get(filter.userId)?.has(record.id) ?? false;
    case 'hasMembers':
      return record.memberCount > 0;
    case 'present': {
      const value = fieldValue(record, filter.field);
      return value !== undefined && value !== '';
    }
    case 'compare': {
      const value = fieldValue(record, filter.field);
      if (filter.value === null) return filter.op === 'eq' ? value === undefined : value !== undefined;
      if (value === undefined || typeof filter.value !== 'string') return filter.op === 'ne';
      return compare(filter.field, filter.op, value, filter.value);
    }
  }
}

export function fieldValue(record: GroupRecord, field: GroupField): string | undefined {
  switch (field) {
    case 'id':
      return record.id;
    case 'displayName':
      return record.displayName;
    case 'externalId':
      return record.externalId;
    case 'meta.created':
      return record.created;
    case 'meta.lastModified':
      return record.lastModified;
  }
}

/** displayName is not caseExact (RFC 7643 §4.2); id and externalId are (RFC 7643 §3.1). */
export const comparableField = (field: GroupField, value: string): string =>
  field === 'displayName' ? displayNameKey(value) : value;

function compare(field: GroupField, op: CompareOperator, actual: string, expected: string): boolean {
  if (DATE_FIELDS.has(field) && !SUBSTRING.has(op)) {
    return order(op, (asInstant(actual) ?? 0) - (asInstant(expected) ?? 0));
  }
  return compareText(op, comparableField(field, actual), comparableField(field, expected));
}

/** Key lookups that find every group a filter can match, or undefined when only reading all groups can. */
export function groupLookupKeys(filter: GroupFilter): GroupLookupKey[] | undefined {
  switch (filter.kind) {
    case 'and': {
      const left = groupLookupKeys(filter.left);
      const right = groupLookupKeys(filter.right);
      if (left && right) return left.length <= right.length ? left : right;
      return left ?? right;
    }
    case 'or': {
      const left = groupLookupKeys(filter.left);
      const right = groupLookupKeys(filter.right);
      return left && right ? [...left, ...right] : undefined;
    }
    case 'member':
      return [{ kind: 'member', value: filter.userId }];
    case 'compare': {
      if (filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
      if (filter.field === 'id') return [{ kind: 'id', value: filter.value }];
      if (filter.field === 'displayName') return [{ kind: 'displayName', value: displayNameKey(filter.value) }];
      if (filter.field === 'externalId') return [{ kind: 'externalId', value: filter.value }];
      return undefined;
    }
    default:
      return undefined;
  }
}
