import type { AttributeDefinition } from './attribute';
import {
  type AttributePath,
  leafDefinition,
  pathText,
  type ResolvedPath,
  resolveAttributePath,
} from './attribute-path';
import { invalidFilter, type ScimError } from './errors';
import {
  type CompareOperator,
  type CompareValue,
  type FilterNode,
  type FilterSyntaxOptions,
  parseFilterSyntax,
} from './filter-syntax';
import { isUserId } from './ids';
import { isStorableKey, userNameKey } from './user-attributes';
import { asBoolean, asInstant, comparableString, foldCase, isPlainObject } from './values';

/**
 * Filters resolved against the User schema and checked for type (RFC 7644 §3.4.2.2), then evaluated against
 * a User's SCIM representation. Anything that cannot be evaluated faithfully is refused with `invalidFilter`
 * rather than silently matching nothing.
 */
export type CompiledFilter =
  | {
      readonly kind: 'compare';
      readonly path: ResolvedPath;
      /** Inside a value filter: the path is a sub-attribute of the element being tested. */
      readonly relative: boolean;
      readonly op: CompareOperator;
      readonly value: CompareValue;
    }
  | { readonly kind: 'present'; readonly path: ResolvedPath; readonly relative: boolean }
  | { readonly kind: 'and' | 'or'; readonly left: CompiledFilter; readonly right: CompiledFilter }
  | { readonly kind: 'not'; readonly filter: CompiledFilter }
  | { readonly kind: 'valuePath'; readonly path: ResolvedPath; readonly filter: CompiledFilter };

/** Okta's "unique identifier field" may be set to `email`; it means the user's email addresses. */
const FILTER_ALIASES: Record<string, AttributePath> = { email: { attribute: 'emails', subAttribute: 'value' } };

/** Parses and compiles a filter; the query-string form reads `+` outside strings as a space. */
export function compileFilter(text: string, options: FilterSyntaxOptions = {}): CompiledFilter {
  return compileNode(parseFilterSyntax(text, invalidFilter, options), invalidFilter);
}

/** Compiles a parsed filter; `fail` builds the error (invalidFilter, or invalidPath inside a PATCH path). */
export function compileNode(
  node: FilterNode,
  fail: (detail: string) => ScimError,
  parent?: ResolvedPath,
): CompiledFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return {
        kind: node.kind,
        left: compileNode(node.left, fail, parent),
        right: compileNode(node.right, fail, parent),
      };
    case 'not':
      return { kind: 'not', filter: compileNode(node.filter, fail, parent) };
    case 'valuePath': {
      const path = resolveFilterPath(node.path, fail);
      if (path.attribute.type !== 'complex' || path.subAttribute) {
        throw fail(`A value filter needs a complex attribute; ${pathText(path)} is not one`);
      }
      return { kind: 'valuePath', path, filter: compileNode(node.filter, fail, path) };
    }
    case 'present':
      return { kind: 'present', path: resolveFilterPath(node.path, fail, parent), relative: parent !== undefined };
    case 'compare': {
      let path = resolveFilterPath(node.path, fail, parent);
      // RFC 7644 §3.4.2.2: `emails co "x"` compares the `value` sub-attribute of a multi-valued complex attribute.
      const valueSub = path.attribute.subAttributes?.find((sub) => sub.name === 'value');
      if (!path.subAttribute && path.attribute.type === 'complex' && path.attribute.multiValued && valueSub) {
        path = { ...path, subAttribute: valueSub };
      }
      const value = checkOperand(leafDefinition(path), node.op, node.value, pathText(path), fail);
      return { kind: 'compare', path, relative: parent !== undefined, op: node.op, value };
    }
  }
}

function resolveFilterPath(
  path: AttributePath,
  fail: (detail: string) => ScimError,
  parent?: ResolvedPath,
): ResolvedPath {
  const alias =
    !parent && path.schema === undefined && path.subAttribute === undefined && path.attribute !== undefined
      ? FILTER_ALIASES[path.attribute.toLowerCase()]
      : undefined;
  const resolved = resolveAttributePath(alias ?? path, parent);
  if (!resolved?.attribute) {
    throw fail(`Unknown attribute "${writtenPath(path)}"${parent ? ` in a value filter on ${pathText(parent)}` : ''}`);
  }
  return resolved;
}

/** A path as the filter wrote it: `[schema:]attribute[.subAttribute]`. */
export function writtenPath(path: AttributePath): string {
  return [path.schema, [path.attribute, path.subAttribute].filter(Boolean).join('.')].filter(Boolean).join(':');
}

const ORDERING = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le']);
export const SUBSTRING = new Set<CompareOperator>(['co', 'sw', 'ew']);

/** Checks that the operator and operand suit the attribute's type, and returns the operand to compare with. */
function checkOperand(
  definition: AttributeDefinition,
  op: CompareOperator,
  value: CompareValue,
  name: string,
  fail: (detail: string) => ScimError,
): CompareValue {
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw fail(`"${op} null" is not meaningful for ${name}; use "pr" or "eq null"`);
  }
  switch (definition.type) {
    case 'complex':
      throw fail(`${name} is complex: filter on one of its sub-attributes, or use "pr"`);
    case 'boolean': {
      const flag = asBoolean(value);
      if (ORDERING.has(op) || SUBSTRING.has(op)) throw fail(`"${op}" cannot be used with boolean ${name}`);
      if (flag === undefined) throw fail(`${name} is boolean; compare it with true or false`);
      return flag;
    }
    case 'integer':
    case 'decimal':
      if (SUBSTRING.has(op)) throw fail(`"${op}" cannot be used with numeric ${name}`);
      if (typeof value !== 'number') throw fail(`${name} is numeric; compare it with a number`);
      return value;
    case 'dateTime':
      if (typeof value !== 'string') throw fail(`${name} is a dateTime; compare it with a quoted date`);
      if (!SUBSTRING.has(op) && asInstant(value) === undefined) {
        throw fail(`"${value}" is not a dateTime (RFC 3339, e.g. 2024-01-31T12:00:00Z)`);
      }
      return value;
    case 'binary':
      if (ORDERING.has(op)) throw fail(`"${op}" cannot be used with binary ${name}`);
      if (typeof value !== 'string') throw fail(`${name} is a string; compare it with a quoted string`);
      return value;
    default:
      if (typeof value !== 'string') throw fail(`${name} is a string; compare it with a quoted string`);
      return value;
  }
}

/** Whether a User's SCIM representation (canonical attribute names) matches the filter. */
export function matchesFilter(filter: CompiledFilter, resource: Record<string, unknown>): boolean {
  return evaluate(filter, resource);
}

function evaluate(filter: CompiledFilter, scope: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case 'and':
      return evaluate(filter.left, scope) && evaluate(filter.right, scope);
    case 'or':
      return evaluate(filter.left, scope) || evaluate(filter.right, scope);
    case 'not':
      return !evaluate(filter.filter, scope);
    case 'valuePath':
      return elementsOf(filter.path, scope).some((element) => evaluate(filter.filter, element));
    case 'present':
      return valuesAt(filter.path, filter.relative, scope).some(isPresent);
    case 'compare': {
      const values = valuesAt(filter.path, filter.relative, scope);
      const definition = leafDefinition(filter.path);
      if (filter.value === null) {
        const present = values.some(isPresent);
        return filter.op === 'eq' ? !present : present;
      }
      const equal = (value: unknown) => compare(definition, 'eq', value, filter.value);
      if (filter.op === 'ne') return !values.some(equal);
      return values.some((value) => compare(definition, filter.op, value, filter.value));
    }
  }
}

/** The complex values a value filter tests: every element of a multi-valued attribute, or the one value. */
function elementsOf(path: ResolvedPath, scope: Record<string, unknown>): Record<string, unknown>[] {
  const container = path.container ? scope[path.container] : scope;
  if (!isPlainObject(container)) return [];
  const value = container[path.attribute.name];
  return (Array.isArray(value) ? value : [value]).filter(isPlainObject);
}

/** The values a path selects, flattened across multi-valued attributes. */
function valuesAt(path: ResolvedPath, relative: boolean, scope: Record<string, unknown>): unknown[] {
  if (relative) return path.subAttribute ? [scope[path.subAttribute.name]] : [];
  const container = path.container ? scope[path.container] : scope;
  if (!isPlainObject(container)) return [];
  const value = container[path.attribute.name];
  const items = Array.isArray(value) ? value : [value];
  const subAttribute = path.subAttribute;
  if (!subAttribute) return items;
  return items.map((item) => (isPlainObject(item) ? item[subAttribute.name] : undefined));
}

/** RFC 7644 §3.4.2.2 `pr`: a non-empty value, or a complex value with a non-empty sub-attribute. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isPlainObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function compare(
  definition: AttributeDefinition,
  op: CompareOperator,
  actual: unknown,
  expected: CompareValue,
): boolean {
  if (actual === undefined || actual === null) return false;
  switch (definition.type) {
    case 'boolean':
      return asBoolean(actual) === expected;
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' && typeof expected === 'number' && order(op, actual - expected);
    case 'dateTime': {
      if (SUBSTRING.has(op)) return compareStrings(definition, op, actual, expected);
      const left = asInstant(actual);
      const right = asInstant(expected);
      return left !== undefined && right !== undefined && order(op, left - right);
    }
    default:
      return compareStrings(definition, op, actual, expected);
  }
}

function compareStrings(
  definition: AttributeDefinition,
  op: CompareOperator,
  actual: unknown,
  expected: CompareValue,
): boolean {
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  return compareText(op, comparableString(definition, actual), comparableString(definition, expected));
}

/** `co`, `sw`, `ew` and the orderings between two strings already in the form they compare in. */
export function compareText(op: CompareOperator, left: string, right: string): boolean {
  switch (op) {
    case 'co':
      return left.includes(right);
    case 'sw':
      return left.startsWith(right);
    case 'ew':
      return left.endsWith(right);
    default:
      return order(op, left < right ? -1 : left > right ? 1 : 0);
  }
}

export function order(op: CompareOperator, difference: number): boolean {
  switch (op) {
    case 'eq':
      return difference === 0;
    case 'ne':
      return difference !== 0;
    case 'gt':
      return difference > 0;
    case 'ge':
      return difference >= 0;
    case 'lt':
      return difference < 0;
    case 'le':
      return difference <= 0;
    default:
      return false;
  }
}

/**
 * A key lookup that finds every user a filter can match: `id`, `userName`, `externalId` and `emails.value`
 * equality, and `and`/`or` combinations of them. Storage answers these from key items, never by scanning;
 * the full filter is still evaluated on what the lookup returns.
 */
export type LookupKey =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'userName'; readonly value: string }
  | { readonly kind: 'externalId'; readonly value: string }
  | { readonly kind: 'email'; readonly value: string };

/**
 * The lookup keys of a filter, or undefined when no key can answer it. An equality on a value no stored user
 * can carry (longer than a key may be, or not the shape of an id) names no user: its keys are empty, and the
 * filter simply matches nothing, which is what RFC 7644 §3.4.2.2 asks of a valid filter no resource satisfies
 * (an error would be wrong: the filter itself is fine).
 */
export function lookupKeys(filter: CompiledFilter): LookupKey[] | undefined {
  const keys = candidateKeys(filter);
  return keys?.filter((key) => (key.kind === 'id' ? isUserId(key.value) : isStorableKey(key.value)));
}

function candidateKeys(filter: CompiledFilter): LookupKey[] | undefined {
  switch (filter.kind) {
    case 'and': {
      const left = candidateKeys(filter.left);
      const right = candidateKeys(filter.right);
      if (left && right) return left.length <= right.length ? left : right;
      return left ?? right;
    }
    case 'or': {
      const left = candidateKeys(filter.left);
      const right = candidateKeys(filter.right);
      return left && right ? [...left, ...right] : undefined;
    }
    case 'valuePath': {
      if (filter.path.container || filter.path.attribute.name !== 'emails') return undefined;
      return candidateKeys(filter.filter);
    }
    case 'compare': {
      if (filter.op !== 'eq' || typeof filter.value !== 'string' || filter.path.container) return undefined;
      const attribute = filter.path.attribute.name;
      const sub = filter.path.subAttribute?.name;
      if (filter.relative) {
        return attribute === 'emails' && sub === 'value'
          ? [{ kind: 'email', value: foldCase(filter.value) }]
          : undefined;
      }
      if (attribute === 'id' && !sub) return [{ kind: 'id', value: filter.value }];
      if (attribute === 'userName' && !sub) return [{ kind: 'userName', value: userNameKey(filter.value) }];
      if (attribute === 'externalId' && !sub) return [{ kind: 'externalId', value: filter.value }];
      if (attribute === 'emails' && sub === 'value') return [{ kind: 'email', value: foldCase(filter.value) }];
      return undefined;
    }
    default:
      return undefined;
  }
}
