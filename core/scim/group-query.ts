import { parseAttributePath } from './attribute-path';
import { invalidValue } from './errors';
import {
  comparableField,
  compileGroupFilter,
  fieldValue,
  type GroupField,
  type GroupFilter,
  groupPathName,
} from './group-filter';
import type { GroupRecord } from './group-record';
import {
  type CursorPosition,
  type ListQuery,
  queryFingerprint,
  queryPaging,
  type RawQuery,
  rawQueryFromParameters,
  rawQueryFromSearchRequest,
} from './list-query';
import { compareIds, compareSortValues, parseSortOrder, type SortOrder } from './sort';
import { isPlainObject } from './values';

/**
 * The query of `GET /Groups` and `POST /Groups/.search` (RFC 7644 §3.4.2, §3.4.3, RFC 9865), and the
 * `attributes` / `excludedAttributes` projection of any Group response (RFC 7644 §3.9).
 */
export interface GroupProjection {
  /** Lower-case `attr` or `attr.sub` names on the Group resource. */
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}

export interface GroupSort {
  readonly field: GroupField;
  readonly order: SortOrder;
}

export interface GroupListQuery {
  readonly filter?: GroupFilter;
  readonly sort?: GroupSort;
  readonly projection: GroupProjection;
  readonly count: number;
  readonly paging: ListQuery['paging'];
  readonly fingerprint: string;
}

/** From query parameters, matched case-insensitively like the Users list. */
export function groupQueryFromParameters(parameters: Readonly<Record<string, string | undefined>>): GroupListQuery {
  return buildQuery(rawQueryFromParameters(parameters));
}

/** From a SearchRequest body (RFC 7644 §3.4.3). */
export function groupQueryFromSearchRequest(body: unknown): GroupListQuery {
  return buildQuery(rawQueryFromSearchRequest(body));
}

function buildQuery(raw: RawQuery): GroupListQuery {
  const filterText = raw.filter?.trim() ? raw.filter : undefined;
  const filter =
    filterText !== undefined ? compileGroupFilter(filterText, { plusIsSpace: raw.plusIsSpace }) : undefined;
  const sort = parseGroupSort(raw.sortBy, raw.sortOrder);
  const projection = groupProjection(raw.attributes, raw.excludedAttributes);
  const fingerprint = queryFingerprint(['Group', filterText ?? '', raw.sortBy ?? '', raw.sortOrder ?? '']);
  const { count, paging } = queryPaging(raw, fingerprint);
  return { ...(filter ? { filter } : {}), ...(sort ? { sort } : {}), projection, count, fingerprint, paging };
}

const SORT_FIELDS: Record<string, GroupField> = {
  id: 'id',
  displayname: 'displayName',
  externalid: 'externalId',
  'meta.created': 'meta.created',
  'meta.lastmodified': 'meta.lastModified',
};

function parseGroupSort(sortBy: string | undefined, sortOrder: string | undefined): GroupSort | undefined {
  const order = parseSortOrder(sortOrder);
  if (sortBy === undefined || sortBy.trim() === '') return undefined;
  const path = parseAttributePath(sortBy.trim());
  const name = path ? groupPathName(path) : undefined;
  const field = name === undefined ? undefined : SORT_FIELDS[name];
  if (!field) throw invalidValue(`Groups cannot be sorted by "${sortBy}"`);
  return { field, order };
}

/** The sort value of a group: comparable form, or undefined when it has none. */
export function groupSortValue(record: GroupRecord, field: GroupField): string | undefined {
  const value = fieldValue(record, field);
  return value === undefined ? undefined : comparableField(field, value);
}

/** Orders groups by a sort (missing values last ascending), ties broken by id (creation order). */
export function compareGroups(a: GroupRecord, b: GroupRecord, sort: GroupSort | undefined): number {
  if (!sort) return compareIds(a.id, b.id);
  return (
    compareSortValues(groupSortValue(a, sort.field), groupSortValue(b, sort.field), sort.order) ||
    compareIds(a.id, b.id)
  );
}

/** Whether a group comes after a cursor position in the query's order. */
export function isAfterCursor(record: GroupRecord, position: CursorPosition, sort: GroupSort | undefined): boolean {
  const byId = compareIds(record.id, position.id);
  if (!sort) return byId > 0;
  const value = groupSortValue(record, sort.field);
  const cursorValue = typeof position.sortValue === 'string' ? position.sortValue : undefined;
  const bySort = compareSortValues(value, cursorValue, sort.order);
  return bySort > 0 || (bySort === 0 && byId > 0);
}

const GROUP_URN_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:group:';

/** An `attributes` / `excludedAttributes` value as lower-case names; names of other schemas are ignored. */
function attributeNames(list: string | readonly string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const names = (typeof list === 'string' ? list.split(',') : list)
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
    .map((name) => (name.startsWith(GROUP_URN_PREFIX) ? name.slice(GROUP_URN_PREFIX.length) : name))
    .filter((name) => !name.startsWith('urn:'));
  return names.length > 0 ? names : undefined;
}

export function groupProjection(
  attributes: string | readonly string[] | undefined,
  excludedAttributes: string | readonly string[] | undefined,
): GroupProjection {
  const included = attributeNames(attributes);
  const excluded = attributeNames(excludedAttributes);
  return { ...(included ? { attributes: included } : {}), ...(excluded ? { excludedAttributes: excluded } : {}) };
}

/** `schemas` and `id` are returned always (RFC 7643 §7 `returned: always`). */
const ALWAYS = new Set(['schemas', 'id']);

/** Whether a response under this projection shows `members`, i.e. whether the member list must be read at all. */
export function projectionShowsMembers(projection: GroupProjection): boolean {
  const named = (names: readonly string[] | undefined) =>
    names?.some((name) => name === 'members' || name.startsWith('members.')) ?? false;
  if (projection.attributes && !named(projection.attributes)) return false;
  return !(projection.excludedAttributes?.includes('members') ?? false);
}

export function projectGroup(resource: Record<string, unknown>, projection: GroupProjection): Record<string, unknown> {
  let output = resource;
  if (projection.attributes) output = include(output, projection.attributes);
  if (projection.excludedAttributes) output = exclude(output, projection.excludedAttributes);
  return output;
}

function include(resource: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    if (ALWAYS.has(lower) || names.includes(lower)) {
      output[key] = value;
      continue;
    }
    const subs = names.filter((name) => name.startsWith(`${lower}.`)).map((name) => name.slice(lower.length + 1));
    if (subs.length > 0) output[key] = mapComplex(value, (element) => pick(element, (sub) => subs.includes(sub)));
  }
  return output;
}

function exclude(resource: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    if (!ALWAYS.has(lower) && names.includes(lower)) continue;
    const subs = names.filter((name) => name.startsWith(`${lower}.`)).map((name) => name.slice(lower.length + 1));
    output[key] = subs.length > 0 ? mapComplex(value, (element) => pick(element, (sub) => !subs.includes(sub))) : value;
  }
  return output;
}

function mapComplex(value: unknown, project: (element: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.filter(isPlainObject).map(project);
  return isPlainObject(value) ? project(value) : value;
}

function pick(element: Record<string, unknown>, keep: (sub: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(element).filter(([sub]) => keep(sub.toLowerCase())));
}
