import { StorageLimitError } from '../storage-errors';
import { invalidValue, notFound, preconditionFailed, serviceUnavailable, uniqueness } from './errors';
import { lookupKeys, matchesFilter } from './filter';
import { isUserId, newUserId } from './ids';
import { type CursorPosition, encodeCursor, type ListQuery } from './list-query';
import { LIST_RESPONSE_SCHEMA } from './messages';
import { applyPatch } from './patch';
import { projectResource } from './projection';
import { compareIds, compareSortValues, type SortSpec, sortResources, sortValue } from './sort';
import { checkUserAttributes, type UserAttributes, userAttributesFromResource } from './user-attributes';
import { DEFAULT_ACCESS, etagOf, type UserRecord, userRepresentation } from './user-record';
import { UserNameTakenError, type UserStore, VersionConflictError } from './user-store';
import { jsonEqual } from './values';

/**
 * The Users resource (RFC 7644 §3): create, read, replace, patch, delete and list, on a UserStore. Handlers
 * parse HTTP and render; everything the protocol decides happens here.
 */
/**
 * Without If-Match, a write that lost a race is retried on a fresh read, after a short random pause that grows
 * with each attempt, this many times before a 503 with Retry-After.
 */
export const WRITE_ATTEMPTS = 10;
export const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * attempt));

export interface UsersContext {
  readonly store: UserStore;
  readonly tenantId: string;
  readonly now?: () => Date;
  /** Told when a write deactivates (false) or reactivates (true) a user, for the operators' metrics. */
  readonly onActiveChange?: (active: boolean) => void;
}

/** A user without `active` is active (RFC 7643 §4.1.1 leaves the default to the service provider). */
const isActive = (attributes: UserAttributes): boolean => attributes.active !== false;

const timestamp = (context: UsersContext): string => (context.now?.() ?? new Date()).toISOString();

/** POST /Users (RFC 7644 §3.3). A new user is active unless the body says otherwise. */
export async function createUser(context: UsersContext, body: unknown): Promise<UserRecord> {
  const given = userAttributesFromResource(body);
  // The limits hold for what is stored, the default included.
  const attributes = given.active === undefined ? checkUserAttributes({ ...given, active: true }) : given;
  const now = timestamp(context);
  const record: UserRecord = {
    id: newUserId(),
    version: 1,
    created: now,
    lastModified: now,
    attributes,
    access: DEFAULT_ACCESS,
  };
  try {
    await context.store.create(context.tenantId, record);
  } catch (error) {
    if (error instanceof UserNameTakenError) throw userNameTaken();
    if (error instanceof StorageLimitError) throw invalidValue(error.message);
    throw error;
  }
  return record;
}

const userNameTaken = () => uniqueness('A user with this userName already exists (userName is case-insensitive)');

/** GET /Users/{id}: unknown ids and strings that cannot be our ids are both 404. */
export async function getUser(context: UsersContext, id: string): Promise<UserRecord> {
  const record = isUserId(id) ? await context.store.get(context.tenantId, id) : undefined;
  if (!record) throw notFound(`User ${id} not found`);
  return record;
}

/**
 * PUT /Users/{id} (RFC 7644 §3.5.1): the client-writable attributes are replaced; read-only and unknown ones
 * in the body are ignored. `active` left out of the body keeps its value (the RFC lets the service provider
 * treat an omitted attribute as "not asserted"), so a PUT never deactivates a user by accident.
 */
export async function replaceUser(
  context: UsersContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<UserRecord> {
  const replacement = userAttributesFromResource(body);
  return writeUser(context, id, ifMatch, (current) =>
    replacement.active === undefined && current.attributes.active !== undefined
      ? { ...replacement, active: current.attributes.active }
      : replacement,
  );
}

/** PATCH /Users/{id} (RFC 7644 §3.5.2). */
export async function patchUser(
  context: UsersContext,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
): Promise<UserRecord> {
  return writeUser(context, id, ifMatch, (current) => applyPatch(current, body));
}

/**
 * Read, change, and write conditionally on the version read: one read and at most one transaction when
 * nobody else writes the user meanwhile. A write that changes nothing is not made (the version stays).
 */
async function writeUser(
  context: UsersContext,
  id: string,
  ifMatch: string | undefined,
  change: (current: UserRecord) => UserAttributes,
): Promise<UserRecord> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const current = await getUser(context, id);
    checkIfMatch(ifMatch, current);
    // The limits hold for what is stored, whatever the change kept from the current user.
    const attributes = checkUserAttributes({ ...change(current) });
    if (jsonEqual(attributes, current.attributes)) return current;
    const next: UserRecord = { ...current, version: current.version + 1, lastModified: timestamp(context), attributes };
    try {
      await context.store.update(context.tenantId, current, next);
      if (isActive(current.attributes) !== isActive(attributes)) context.onActiveChange?.(isActive(attributes));
      return next;
    } catch (error) {
      if (error instanceof UserNameTakenError) throw userNameTaken();
      if (error instanceof StorageLimitError) throw invalidValue(error.message);
      if (!(error instanceof VersionConflictError)) throw error;
      if (ifMatch !== undefined) throw preconditionFailed();
      await backOff(attempt);
    }
  }
  throw serviceUnavailable(1);
}

/** DELETE /Users/{id} (RFC 7644 §3.6): the user and its keys are removed; the userName is free again. */
export async function deleteUser(context: UsersContext, id: string, ifMatch: string | undefined): Promise<void> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
    const current = await getUser(context, id);
    checkIfMatch(ifMatch, current);
    try {
      await context.store.delete(context.tenantId, current);
      return;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (ifMatch !== undefined) throw preconditionFailed();
      await backOff(attempt);
    }
  }
  throw serviceUnavailable(1);
}

/** RFC 7232 §3.1 with weak comparison (RFC 7644 §3.14): `*` or a list of entity tags. */
export function checkIfMatch(ifMatch: string | undefined, record: Pick<UserRecord, 'version'>): void {
  if (ifMatch === undefined) return;
  if (!etagMatches(ifMatch, record)) throw preconditionFailed();
}

/** Whether an If-Match / If-None-Match header value names the record's current version. */
export function etagMatches(header: string, record: Pick<UserRecord, 'version'>): boolean {
  const current = weak(etagOf(record));
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || weak(tag) === current);
}

const weak = (tag: string): string => tag.replace(/^W\//, '');

/**
 * GET /Users and POST /Users/.search (RFC 7644 §3.4.2, §3.4.3, RFC 9865).
 * - Filters on `id`, `userName`, `externalId` or `emails.value` equality are answered from key items.
 * - Other filters, and any `sortBy`, read the tenant's users and evaluate here (documented in the README).
 * - Unfiltered, unsorted pages come from storage in creation order, without re-reading earlier pages.
 */
export async function listUsers(
  context: UsersContext,
  query: ListQuery,
  scimBaseUrl: string,
): Promise<Record<string, unknown>> {
  const represent = (record: UserRecord) => userRepresentation(record, scimBaseUrl);
  if (!query.filter && !query.sort) {
    if (query.paging.kind === 'index') {
      const page = await context.store.indexPage(context.tenantId, query.paging.startIndex, query.count);
      return listBody(query, page.records.map(represent), page.totalResults, undefined);
    }
    const page = await context.store.pageAfter(context.tenantId, query.paging.after?.id, query.count);
    const resources = page.records.map(represent);
    const last = resources.at(-1);
    const next = page.more && last ? encodeCursor({ id: String(last.id) }, query.fingerprint) : undefined;
    return listBody(query, resources, page.totalResults, next);
  }
  const keys = query.filter ? lookupKeys(query.filter) : undefined;
  const records = !keys
    ? await context.store.readAll(context.tenantId)
    : keys.length > 0
      ? await context.store.findByKeys(context.tenantId, keys)
      : [];
  const filter = query.filter;
  const unique = [...new Map(records.map((record) => [record.id, record])).values()];
  const matching = unique.map(represent).filter((resource) => !filter || matchesFilter(filter, resource));
  const ordered = query.sort
    ? sortResources(matching, query.sort)
    : matching.sort((a, b) => compareIds(String(a.id), String(b.id)));
  if (query.paging.kind === 'index') {
    const start = query.paging.startIndex - 1;
    return listBody(query, ordered.slice(start, start + query.count), ordered.length, undefined);
  }
  const after = query.paging.after;
  const remaining = after ? ordered.filter((resource) => isAfter(resource, after, query.sort)) : ordered;
  const page = remaining.slice(0, query.count);
  const last = page.at(-1);
  const next =
    remaining.length > page.length && last
      ? encodeCursor(cursorPosition(last, query.sort), query.fingerprint)
      : undefined;
  return listBody(query, page, ordered.length, next);
}

function cursorPosition(resource: Record<string, unknown>, sort: SortSpec | undefined): CursorPosition {
  const value = sort ? sortValue(sort.path, resource) : undefined;
  return { id: String(resource.id), ...(value !== undefined ? { sortValue: value } : {}) };
}

/** Whether a resource comes after a cursor position in the query's order (sort value, then id). */
function isAfter(resource: Record<string, unknown>, position: CursorPosition, sort: SortSpec | undefined): boolean {
  const byId = compareIds(String(resource.id), position.id);
  if (!sort) return byId > 0;
  const bySort = compareSortValues(sortValue(sort.path, resource), position.sortValue, sort.order);
  return bySort > 0 || (bySort === 0 && byId > 0);
}

function listBody(
  query: ListQuery,
  resources: Record<string, unknown>[],
  totalResults: number,
  nextCursor: string | undefined,
): Record<string, unknown> {
  return listResponse(
    query.paging,
    resources.map((resource) => projectResource(resource, query.projection)),
    totalResults,
    nextCursor,
  );
}

/** The ListResponse (RFC 7644 §3.4.2) of resources already projected: integers, never strings, for the counts. */
export function listResponse(
  paging: ListQuery['paging'],
  resources: Record<string, unknown>[],
  totalResults: number,
  nextCursor: string | undefined,
): Record<string, unknown> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
    ...(paging.kind === 'index' ? { startIndex: paging.startIndex } : {}),
    ...(nextCursor !== undefined ? { nextCursor } : {}),
    Resources: resources,
  };
}
