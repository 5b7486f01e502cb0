import type { AttributeDefinition } from './attribute';

/**
 * How values are compared and coerced, in one place so that filters, sorting, uniqueness and lookups agree.
 */

/**
 * The comparison form of a string that is not `caseExact` (RFC 7643 §2.2): Unicode NFC, then lower case. The
 * same form is the userName uniqueness key, so `userName eq` and the 409 on a duplicate can never disagree.
 */
export const foldCase = (value: string): string => value.normalize('NFC').toLowerCase();

/** The form a string attribute value is compared in, honouring `caseExact`. */
export const comparableString = (definition: AttributeDefinition, value: string): string =>
  definition.caseExact ? value : foldCase(value);

/**
 * Booleans as JSON booleans, or as the strings "true"/"false" in any case: Entra sends `"active":"False"`
 * (and Okta's docs warn of `"True"`); anything else is not a boolean.
 */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** An RFC 7643 §2.3.5 dateTime as epoch milliseconds, or undefined when it is not one. */
export function asInstant(value: unknown): number | undefined {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    return undefined;
  }
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? undefined : instant;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * A JSON value as text with object keys in sorted order, so that values `jsonEqual` holds for have the same
 * text: the key of a Set or Map, which keeps duplicate checks over many values linear instead of quadratic.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
