import { invalidCursor, invalidSyntax, invalidValue } from './errors';
import { type CompiledFilter, compileFilter } from './filter';
import { isUserId } from './ids';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { SEARCH_REQUEST_SCHEMA } from './messages';
import { type Projection, parseAttributeList } from './projection';
import { parseSort, type SortSpec } from './sort';
import { isPlainObject } from './values';

/**
 * The query of a list request (RFC 7644 §3.4.2), from the URL of `GET /Users` or the body of
 * `POST /Users/.search` (RFC 7644 §3.4.3): filter, sort, projection and paging, either by index
 * (`startIndex`/`count`, RFC 7644 §3.4.2.4) or by cursor (`cursor`/`count`, RFC 9865).
 */
export interface ListQuery {
  readonly filter?: CompiledFilter;
  readonly sort?: SortSpec;
  readonly projection: Projection;
  readonly count: number;
  readonly paging:
    | { readonly kind: 'index'; readonly startIndex: number }
    | { readonly kind: 'cursor'; readonly after?: CursorPosition };
  /** Binds cursors to the query they were issued for. */
  readonly fingerprint: string;
}

/** Where a cursor page continues: after this resource, in the query's order. */
export interface CursorPosition {
  readonly id: string;
  readonly sortValue?: string | number | boolean;
}

/** The list parameters as sent, before they are checked; the Groups list reads the same ones. */
export interface RawQuery {
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly attributes?: string | readonly string[];
  readonly excludedAttributes?: string | readonly string[];
  readonly startIndex?: string | number;
  readonly count?: string | number;
  readonly cursor?: string;
  /** API Gateway leaves `+` undecoded in query strings (see filter-syntax.ts). */
  readonly plusIsSpace: boolean;
}

/** From query parameters; names are matched case-insensitively (Okta has been seen sending `startindex`). */
export function listQueryFromParameters(parameters: Readonly<Record<string, string | undefined>>): ListQuery {
  return buildQuery(rawQueryFromParameters(parameters));
}

/** From a SearchRequest body (RFC 7644 §3.4.3). */
export function listQueryFromSearchRequest(body: unknown): ListQuery {
  return buildQuery(rawQueryFromSearchRequest(body));
}

export function rawQueryFromParameters(parameters: Readonly<Record<string, string | undefined>>): RawQuery {
  const lower = new Map(Object.entries(parameters).map(([name, value]) => [name.toLowerCase(), value]));
  const get = (name: string) => lower.get(name.toLowerCase());
  return {
    filter: get('filter'),
    sortBy: get('sortBy'),
    sortOrder: get('sortOrder'),
    attributes: get('attributes'),
    excludedAttributes: get('excludedAttributes'),
    startIndex: get('startIndex'),
    count: get('count'),
    cursor: get('cursor'),
    plusIsSpace: true,
  };
}

export function rawQueryFromSearchRequest(body: unknown): RawQuery {
  if (!isPlainObject(body)) throw invalidSyntax('The request body must be a SearchRequest object');
  const member = (name: string) => {
    const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : body[key];
  };
  const schemas = member('schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => String(schema).toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())
  ) {
    throw invalidSyntax(`"schemas" must be an array containing "${SEARCH_REQUEST_SCHEMA}"`);
  }
  const text = (name: string) => {
    const value = member(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidValue(`"${name}" must be a string`);
    return value;
  };
  const list = (name: string) => {
    const value = member(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw invalidValue(`"${name}" must be an array of attribute names`);
    }
    return value as string[];
  };
  const integer = (name: string) => {
    const value = member(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' && typeof value !== 'string') throw invalidValue(`"${name}" must be an integer`);
    return value;
  };
  return {
    filter: text('filter'),
    sortBy: text('sortBy'),
    sortOrder: text('sortOrder'),
    attributes: list('attributes'),
    excludedAttributes: list('excludedAttributes'),
    startIndex: integer('startIndex'),
    count: integer('count'),
    cursor: text('cursor'),
    plusIsSpace: false,
  };
}

function buildQuery(raw: RawQuery): ListQuery {
  const filterText = raw.filter?.trim() ? raw.filter : undefined;
  const filter = filterText !== undefined ? compileFilter(filterText, { plusIsSpace: raw.plusIsSpace }) : undefined;
  const sort = parseSort(raw.sortBy, raw.sortOrder);
  const attributes = parseAttributeList(raw.attributes);
  const excludedAttributes = parseAttributeList(raw.excludedAttributes);
  const fingerprint = queryFingerprint([filterText ?? '', raw.sortBy ?? '', raw.sortOrder ?? '']);
  const projection: Projection = {
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
  const { count, paging } = queryPaging(raw, fingerprint);
  return { ...(filter ? { filter } : {}), ...(sort ? { sort } : {}), projection, count, fingerprint, paging };
}

/** `count` and the paging of a list query, by index or by a cursor issued for the query with this fingerprint. */
export function queryPaging(raw: RawQuery, fingerprint: string): Pick<ListQuery, 'count' | 'paging'> {
  // RFC 7644 §3.4.2.4: a negative count means 0; we cap it at the advertised maximum.
  const count = Math.min(Math.max(parseInteger('count', raw.count) ?? DEFAULT_PAGE_SIZE, 0), MAX_PAGE_SIZE);
  if (raw.cursor !== undefined) {
    if (raw.startIndex !== undefined) throw invalidValue('Use either "startIndex" or "cursor", not both');
    const after = raw.cursor === '' ? undefined : decodeCursor(raw.cursor, fingerprint);
    return { count, paging: { kind: 'cursor', ...(after ? { after } : {}) } };
  }
  // RFC 7644 §3.4.2.4: a startIndex below 1 means 1.
  const startIndex = Math.max(parseInteger('startIndex', raw.startIndex) ?? 1, 1);
  return { count, paging: { kind: 'index', startIndex } };
}

export function parseInteger(name: string, value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw invalidValue(`"${name}" must be an integer`);
  return number;
}

/** FNV-1a: cheap, stable, and only used to tell queries apart, never for security. */
export function queryFingerprint(parts: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/**
 * Cursors are base64url JSON (only RFC 3986 unreserved characters, as RFC 9865 asks): the position after the
 * last resource of the page and the fingerprint of the query. They name a position, not a snapshot, so they
 * never expire and stay valid while users are created and deleted.
 */
export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ a: position.id, v: position.sortValue, q: fingerprint }), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('The cursor is not one this service issued; start again with an empty cursor');
  }
  if (
    !isPlainObject(decoded) ||
    typeof decoded.a !== 'string' ||
    !isUserId(decoded.a) ||
    typeof decoded.q !== 'string'
  ) {
    throw invalidCursor('The cursor is not one this service issued; start again with an empty cursor');
  }
  if (decoded.q !== fingerprint) {
    throw invalidCursor('The cursor belongs to a query with another filter or sort; repeat the same query');
  }
  const sortValue = decoded.v;
  const validSort = typeof sortValue === 'string' || typeof sortValue === 'number' || typeof sortValue === 'boolean';
  return { id: decoded.a, ...(validSort ? { sortValue } : {}) };
}
