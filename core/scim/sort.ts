import { leafDefinition, parseAttributePath, type ResolvedPath, resolveAttributePath } from './attribute-path';
import { invalidValue } from './errors';
import { asInstant, comparableString, isPlainObject } from './values';

/**
 * `sortBy` / `sortOrder`, RFC 7644 §3.4.2.3. A multi-valued attribute sorts by its primary value, else its
 * first; resources without a value come last in ascending and first in descending order. Equal values keep
 * creation order (ids are time-ordered), so the order is total and stable between pages.
 */
export type SortOrder = 'ascending' | 'descending';

export interface SortSpec {
  readonly path: ResolvedPath;
  readonly order: SortOrder;
}

export function parseSort(sortBy: string | undefined, sortOrder: string | undefined): SortSpec | undefined {
  const order = parseSortOrder(sortOrder);
  if (sortBy === undefined || sortBy.trim() === '') return undefined;
  const parsed = parseAttributePath(sortBy.trim());
  const resolved = parsed ? resolveAttributePath(parsed) : undefined;
  if (!resolved?.attribute) throw invalidValue(`sortBy names an unknown attribute: "${sortBy}"`);
  const definition = leafDefinition(resolved);
  if (definition.type === 'complex') {
    const value = definition.subAttributes?.find((sub) => sub.name === 'value');
    if (!value) throw invalidValue(`sortBy must name a simple attribute; ${sortBy} is complex`);
    return { path: { ...resolved, subAttribute: value }, order };
  }
  return { path: resolved, order };
}

export function parseSortOrder(sortOrder: string | undefined): SortOrder {
  if (sortOrder === undefined || sortOrder === '') return 'ascending';
  const lower = sortOrder.toLowerCase();
  if (lower === 'ascending' || lower === 'descending') return lower;
  throw invalidValue('sortOrder must be "ascending" or "descending"');
}

/** The value a resource sorts by, in comparable form (string, number or boolean), or undefined. */
export function sortValue(
  path: ResolvedPath,
  resource: Record<string, unknown>,
): string | number | boolean | undefined {
  const container = path.container ? resource[path.container] : resource;
  if (!isPlainObject(container)) return undefined;
  let value = container[path.attribute.name];
  if (Array.isArray(value)) value = value.find((item) => isPlainObject(item) && item.primary === true) ?? value[0];
  if (path.subAttribute) value = isPlainObject(value) ? value[path.subAttribute.name] : undefined;
  const definition = leafDefinition(path);
  if (typeof value === 'string') {
    if (definition.type === 'dateTime') return asInstant(value) ?? value;
    return comparableString(definition, value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/** Orders two sort values; undefined (no value) sorts last ascending and first descending. */
export function compareSortValues(
  a: string | number | boolean | undefined,
  b: string | number | boolean | undefined,
  order: SortOrder,
): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    const missingLast = a === undefined ? 1 : -1;
    return order === 'ascending' ? missingLast : -missingLast;
  }
  const [left, right] = typeof a === typeof b ? [a, b] : [typeof a, typeof b];
  const ascending = left < right ? -1 : left > right ? 1 : 0;
  return order === 'ascending' ? ascending : -ascending;
}

/** Sorts SCIM representations by a SortSpec, ties broken by id (creation order). */
export function sortResources<T extends Record<string, unknown>>(resources: readonly T[], spec: SortSpec): T[] {
  const keyed = resources.map((resource) => ({ resource, key: sortValue(spec.path, resource) }));
  keyed.sort(
    (left, right) =>
      compareSortValues(left.key, right.key, spec.order) ||
      compareIds(String(left.resource.id), String(right.resource.id)),
  );
  return keyed.map((entry) => entry.resource);
}

export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
