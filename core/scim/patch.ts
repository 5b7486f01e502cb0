import { type AttributeDefinition, findAttribute } from './attribute';
import { pathText, type ResolvedExtension, type ResolvedPath, resolveAttributePath } from './attribute-path';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget, ScimError } from './errors';
import { type CompiledFilter, compileNode, matchesFilter } from './filter';
import { parsePatchPathSyntax } from './filter-syntax';
import { MAX_PATCH_OPERATIONS } from './limits';
import { PATCH_OP_SCHEMA } from './messages';
import { normaliseElement, normaliseValue, type UserAttributes, userAttributesFromResource } from './user-attributes';
import { type AppAccess, accessRepresentation } from './user-record';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA, findExtensionSchema } from './user-schema';
import { canonicalJson, comparableString, isPlainObject, jsonEqual } from './values';

/**
 * The PATCH engine, RFC 7644 §3.5.2: `add`, `replace` and `remove`, with and without `path`, applied in order
 * and atomically (any failing operation fails the request and changes nothing).
 *
 * Accepted dialects, besides the RFC's own form:
 * - Okta: `{"op":"replace","value":{"active":false}}` (no path, value is a partial resource);
 * - Entra: `"op":"Replace"` (any case), `"active":"False"` (booleans as strings), full paths as keys of a
 *   path-less value (`{"name.givenName":"Ann","urn:…:enterprise:2.0:User:department":"R&D"}`), a bare id as
 *   the enterprise manager, and `add`/`replace` through a value filter that matches nothing
 *   (`emails[type eq "work"].value`) creating the element the filter describes.
 *
 * Read-only attributes (`id`, `meta`, `groups`, `manager.displayName`) and the app's access extension are
 * refused with `mutability` when a path names them; inside a path-less value they are ignored like in a PUT,
 * except that an attempt to change the access extension is still `mutability`. `password` is accepted and
 * discarded.
 */
export type OpName = 'add' | 'replace' | 'remove';

type Target =
  | { readonly kind: 'extension'; readonly container: string }
  | { readonly kind: 'attribute'; readonly path: ResolvedPath }
  | {
      readonly kind: 'filtered';
      readonly path: ResolvedPath;
      readonly filter: CompiledFilter;
      readonly subAttribute?: AttributeDefinition;
    };

export interface Operation {
  readonly op: OpName;
  readonly path?: string;
  readonly hasValue: boolean;
  readonly value: unknown;
}

export interface PatchSubject {
  readonly attributes: UserAttributes;
  readonly access: AppAccess;
}

/** Applies a PatchOp request body to a user's attributes and returns the new, normalised attributes. */
export function applyPatch(subject: PatchSubject, body: unknown): UserAttributes {
  const operations = readOperations(body, MAX_PATCH_OPERATIONS, 'A PATCH request');
  const document = structuredClone(subject.attributes) as Record<string, unknown>;
  applyInOrder(operations, (operation) => applyOperation(document, operation, subject.access));
  // The result goes through the same normalisation as a PUT body, so a PATCH can never store a shape a PUT
  // could not (unassigned values dropped, at most one primary, userName present, key lengths).
  return userAttributesFromResource({ ...document, schemas: [CORE_USER_SCHEMA] });
}

/**
 * The operations of a PatchOp message, checked for shape: `op` in any letter case, `path` trimmed (absent when
 * empty), `value` found by case-insensitive name. `maxOperations` is the resource's limit and `request` names
 * the request in the message that refuses more.
 */
export function readOperations(body: unknown, maxOperations: number, request: string): Operation[] {
  if (!isPlainObject(body)) throw invalidSyntax('The request body must be a JSON object (a PatchOp message)');
  const schemas = memberOf(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => typeof schema === 'string' && sameText(schema, PATCH_OP_SCHEMA))
  ) {
    throw invalidSyntax(`"schemas" must be an array containing "${PATCH_OP_SCHEMA}"`);
  }
  const operations = memberOf(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('"Operations" must be a non-empty array of operations');
  }
  if (operations.length > maxOperations) {
    throw invalidValue(`${request} may carry at most ${maxOperations} operations`);
  }
  return operations.map((operation, index) => {
    if (!isPlainObject(operation)) throw invalidSyntax(`Operation ${index + 1} must be an object`);
    const op = memberOf(operation, 'op');
    const name = typeof op === 'string' ? op.toLowerCase() : undefined;
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw invalidSyntax(`Operation ${index + 1}: "op" must be "add", "replace" or "remove"`);
    }
    const path = memberOf(operation, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw invalidPath(`Operation ${index + 1}: "path" must be a string`);
    }
    const valueKey = Object.keys(operation).find((key) => key.toLowerCase() === 'value');
    return {
      op: name,
      ...(typeof path === 'string' && path.trim() !== '' ? { path: path.trim() } : {}),
      hasValue: valueKey !== undefined,
      value: valueKey === undefined ? undefined : operation[valueKey],
    };
  });
}

/** Applies the operations in order; a SCIM error is prefixed with the number of the operation that raised it. */
export function applyInOrder(operations: readonly Operation[], apply: (operation: Operation) => void): void {
  for (const [index, operation] of operations.entries()) {
    try {
      apply(operation);
    } catch (error) {
      if (error instanceof ScimError) {
        throw new ScimError(error.status, `Operation ${index + 1}: ${error.detail}`, error.scimType);
      }
      throw error;
    }
  }
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A member of a JSON object by case-insensitive name (`Operations`, `operations`, `Op`). */
function memberOf(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => sameText(candidate, name));
  return key === undefined ? undefined : object[key];
}

function applyOperation(document: Record<string, unknown>, operation: Operation, access: AppAccess): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2)');
    if (!isPlainObject(operation.value)) {
      throw invalidValue(`"${operation.op}" without a "path" needs an object "value" of attributes`);
    }
    applyPathlessValue(document, operation.op, operation.value, access);
    return;
  }
  const target = resolveTarget(operation.path);
  if (!target) throw invalidPath(`"${operation.path}" is not an attribute of a User`);
  const protection = protectionOf(target);
  if (protection === 'access') {
    throw mutability(
      `${targetText(target)} is managed by the tenant's admins in the app and cannot be changed over SCIM`,
    );
  }
  if (protection === 'readOnly') throw mutability(`${targetText(target)} is read-only`);
  if (protection === 'discarded') return;
  if (operation.op === 'remove') {
    remove(document, target, operation.hasValue ? operation.value : undefined);
    return;
  }
  if (!operation.hasValue) throw invalidValue(`"${operation.op}" needs a "value"`);
  write(document, operation.op, target, operation.value);
}

/** RFC 7644 §3.5.2.1/§3.5.2.3 without `path`: each member of `value` is an attribute (or a full path) to set. */
function applyPathlessValue(
  document: Record<string, unknown>,
  op: 'add' | 'replace',
  value: Record<string, unknown>,
  access: AppAccess,
): void {
  for (const [key, member] of Object.entries(value)) {
    if (sameText(key, 'schemas')) continue;
    let target: Target | undefined;
    try {
      target = resolveTarget(key);
    } catch {
      target = undefined;
    }
    if (!target) continue;
    const protection = protectionOf(target);
    if (protection === 'access') {
      if (changesAccess(target, member, access)) {
        throw mutability(
          `${ACCESS_USER_SCHEMA} is managed by the tenant's admins in the app and cannot be changed over SCIM`,
        );
      }
      continue;
    }
    if (protection !== 'writable') continue;
    write(document, op, target, member);
  }
}

function resolveTarget(text: string): Target | undefined {
  const syntax = parsePatchPathSyntax(text, invalidPath);
  const resolved = resolveAttributePath(syntax.path) as ResolvedPath | ResolvedExtension | undefined;
  if (!resolved) return undefined;
  if (!resolved.attribute) {
    if (syntax.filter) throw invalidPath(`A value filter cannot follow the schema URN in "${text}"`);
    return { kind: 'extension', container: resolved.container };
  }
  if (!syntax.filter) return { kind: 'attribute', path: resolved };
  if (resolved.subAttribute || resolved.attribute.type !== 'complex' || !resolved.attribute.multiValued) {
    throw invalidPath(`A value filter needs a multi-valued complex attribute; ${pathText(resolved)} is not one`);
  }
  const filter = compileNode(syntax.filter, invalidPath, resolved);
  if (syntax.subAttribute === undefined) return { kind: 'filtered', path: resolved, filter };
  const subAttribute = findAttribute(resolved.attribute.subAttributes, syntax.subAttribute);
  if (!subAttribute) return undefined;
  return { kind: 'filtered', path: resolved, filter, subAttribute };
}

type Protection = 'writable' | 'readOnly' | 'access' | 'discarded';

function protectionOf(target: Target): Protection {
  if (target.kind === 'extension') return target.container === ACCESS_USER_SCHEMA ? 'access' : 'writable';
  if (target.path.container === ACCESS_USER_SCHEMA) return 'access';
  const { attribute } = target.path;
  const subAttribute = target.kind === 'filtered' ? target.subAttribute : target.path.subAttribute;
  if (attribute.mutability === 'writeOnly') return 'discarded';
  if (attribute.mutability === 'readOnly' || subAttribute?.mutability === 'readOnly') return 'readOnly';
  return 'writable';
}

function targetText(target: Target): string {
  if (target.kind === 'extension') return target.container;
  const base = pathText(target.path);
  return target.kind === 'filtered' && target.subAttribute ? `${base}[…].${target.subAttribute.name}` : base;
}

/** Whether a path-less value tries to set the access extension to something other than what it is. */
function changesAccess(target: Target, value: unknown, access: AppAccess): boolean {
  const current = accessRepresentation(access);
  const same = (name: string, given: unknown) => {
    const now = current[name];
    if (name === 'brands') return jsonEqual(given ?? [], now ?? []);
    return jsonEqual(given, now);
  };
  if (target.kind === 'extension') {
    if (value === null) return true;
    if (!isPlainObject(value)) return true;
    return Object.entries(value).some(([key, given]) => {
      const definition = findExtensionSchema(ACCESS_USER_SCHEMA)?.attributes.find((a) => sameText(a.name, key));
      return definition !== undefined && !same(definition.name, given);
    });
  }
  if (target.kind === 'filtered' || target.path.subAttribute) return true;
  return !same(target.path.attribute.name, value);
}

/** The object holding a path's attribute: the document itself, or the extension object under its URN. */
function holder(document: Record<string, unknown>, path: { container?: string }): Record<string, unknown> {
  if (!path.container) return document;
  const existing = document[path.container];
  if (isPlainObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  document[path.container] = created;
  return created;
}

function elementsOf(container: Record<string, unknown>, attribute: AttributeDefinition): Record<string, unknown>[] {
  const value = container[attribute.name];
  return Array.isArray(value) ? (value.filter(isPlainObject) as Record<string, unknown>[]) : [];
}

function write(document: Record<string, unknown>, op: 'add' | 'replace', target: Target, value: unknown): void {
  if (target.kind === 'extension') {
    if (value === null && op === 'replace') {
      delete document[target.container];
      return;
    }
    if (!isPlainObject(value)) throw invalidValue(`The value for ${target.container} must be an object`);
    const extension = findExtensionSchema(target.container);
    for (const [key, member] of Object.entries(value)) {
      const attribute = findAttribute(extension?.attributes, key);
      if (!attribute) continue;
      const path: ResolvedPath = { container: target.container, attribute };
      if (attribute.mutability === 'readOnly') continue;
      writeAttribute(document, op, path, member);
    }
    return;
  }
  if (target.kind === 'filtered') {
    writeFiltered(document, op, target, value);
    return;
  }
  const { path } = target;
  if (!path.subAttribute) {
    writeAttribute(document, op, path, value);
    return;
  }
  const container = holder(document, path);
  const where = pathText(path);
  const normalised = normaliseValue(path.subAttribute, value, where);
  if (!path.attribute.multiValued) {
    const current = isPlainObject(container[path.attribute.name]) ? (container[path.attribute.name] as object) : {};
    const next: Record<string, unknown> = { ...current };
    if (normalised === undefined) {
      if (op === 'replace') delete next[path.subAttribute.name];
    } else {
      next[path.subAttribute.name] = normalised;
    }
    container[path.attribute.name] = next;
    return;
  }
  // `emails.value` without a filter addresses every element; with none yet, it creates one.
  const elements = elementsOf(container, path.attribute);
  const targets = elements.length > 0 ? elements : [{}];
  if (path.subAttribute.name === 'primary' && normalised === true && targets.length > 1) {
    throw invalidValue(`${where} cannot make several values primary`);
  }
  for (const element of targets) setSub(element, path.subAttribute, normalised, op);
  container[path.attribute.name] = targets;
}

function setSub(
  element: Record<string, unknown>,
  subAttribute: AttributeDefinition,
  normalised: unknown,
  op: 'add' | 'replace',
): void {
  if (normalised === undefined) {
    if (op === 'replace') delete element[subAttribute.name];
  } else {
    element[subAttribute.name] = normalised;
  }
}

function writeAttribute(
  document: Record<string, unknown>,
  op: 'add' | 'replace',
  path: ResolvedPath,
  value: unknown,
): void {
  const container = holder(document, path);
  const { attribute } = path;
  const where = pathText(path);
  const name = attribute.name;
  if (attribute.multiValued) {
    const normalised = normaliseValue(attribute, value, where) as unknown[] | undefined;
    if (op === 'replace') {
      if (normalised === undefined) delete container[name];
      else container[name] = normalised;
      return;
    }
    if (normalised === undefined) return;
    // RFC 7644 §3.5.2.1: new values are added; a value that is already there is not duplicated.
    const current: unknown[] = Array.isArray(container[name]) ? [...(container[name] as unknown[])] : [];
    const present = new Set(current.map(canonicalJson));
    for (const item of normalised) {
      const key = canonicalJson(item);
      if (present.has(key)) continue;
      present.add(key);
      if (isPlainObject(item) && item.primary === true) clearPrimary(current);
      current.push(item);
    }
    container[name] = current;
    return;
  }
  if (value === null) {
    if (op === 'replace') delete container[name];
    return;
  }
  const normalised = normaliseValue(attribute, value, where);
  if (normalised === undefined) return;
  if (attribute.type === 'complex') {
    // RFC 7644 §3.5.2.3: sub-attributes not given in the value are left unchanged.
    const current = isPlainObject(container[name]) ? (container[name] as object) : {};
    container[name] = { ...current, ...(normalised as object) };
    return;
  }
  container[name] = normalised;
}

function clearPrimary(elements: unknown[]): void {
  for (const element of elements) if (isPlainObject(element) && element.primary === true) element.primary = false;
}

function writeFiltered(
  document: Record<string, unknown>,
  op: 'add' | 'replace',
  target: Extract<Target, { kind: 'filtered' }>,
  value: unknown,
): void {
  if (value === null && !target.subAttribute) {
    if (op === 'replace') remove(document, target, undefined);
    return;
  }
  const container = holder(document, target.path);
  const { attribute } = target.path;
  const where = targetText(target);
  const normalised = target.subAttribute
    ? normaliseValue(target.subAttribute, value, where)
    : ((normaliseElement(attribute, value, where) as Record<string, unknown> | undefined) ?? {});
  const elements = elementsOf(container, attribute);
  let matched = elements.filter((element) => matchesFilter(target.filter, element));
  if (matched.length === 0) {
    if (normalised === undefined) return;
    // Entra expects `replace`/`add` through an unmatched filter to create the element the filter describes.
    const described = describedElement(target.filter);
    if (!described) throw noTarget(`${pathText(target.path)} has no value matching the filter`);
    elements.push(described);
    matched = [described];
  }
  const makesPrimary = target.subAttribute
    ? target.subAttribute.name === 'primary' && normalised === true
    : (normalised as Record<string, unknown>).primary === true;
  if (makesPrimary) {
    if (matched.length > 1) throw invalidValue(`${where} cannot make several values primary`);
    clearPrimary(elements);
  }
  for (const element of matched) {
    if (target.subAttribute) {
      setSub(element, target.subAttribute, normalised, op);
      continue;
    }
    if (op === 'replace') {
      // RFC 7644 §3.5.2.3 replaces the matched values; what the filter selected them by is kept.
      for (const key of Object.keys(element)) delete element[key];
      Object.assign(element, describedElement(target.filter) ?? {});
    }
    Object.assign(element, normalised);
  }
  container[attribute.name] = elements;
}

/** The element a filter of `eq` tests joined by `and` describes (`type eq "work"` → `{ type: "work" }`). */
function describedElement(filter: CompiledFilter): Record<string, unknown> | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.relative && filter.path.subAttribute) {
    return filter.value === null ? undefined : { [filter.path.subAttribute.name]: filter.value };
  }
  if (filter.kind === 'and') {
    const left = describedElement(filter.left);
    const right = describedElement(filter.right);
    if (!left || !right) return undefined;
    const clash = Object.keys(left).some((key) => key in right && !jsonEqual(left[key], right[key]));
    return clash ? undefined : { ...left, ...right };
  }
  return undefined;
}

function remove(document: Record<string, unknown>, target: Target, value: unknown): void {
  if (target.kind === 'extension') {
    delete document[target.container];
    return;
  }
  const container = holder(document, target.path);
  const { attribute } = target.path;
  if (target.kind === 'filtered') {
    const elements = elementsOf(container, attribute);
    const matched = new Set(elements.filter((element) => matchesFilter(target.filter, element)));
    if (matched.size === 0) throw noTarget(`${pathText(target.path)} has no value matching the filter`);
    const subAttribute = target.subAttribute;
    container[attribute.name] = subAttribute
      ? elements.map((element) => {
          if (matched.has(element)) delete element[subAttribute.name];
          return element;
        })
      : elements.filter((element) => !matched.has(element));
    return;
  }
  const subAttribute = target.path.subAttribute;
  if (subAttribute) {
    if (attribute.multiValued) {
      for (const element of elementsOf(container, attribute)) delete element[subAttribute.name];
    } else if (isPlainObject(container[attribute.name])) {
      delete (container[attribute.name] as Record<string, unknown>)[subAttribute.name];
    }
    return;
  }
  if (attribute.multiValued && value !== undefined && value !== null) {
    // Entra's member-style removal: `remove` on a multi-valued attribute with a value removes only those values.
    const doomed = (normaliseValue(attribute, value, pathText(target.path)) as unknown[] | undefined) ?? [];
    const isDoomed = doomedElements(attribute, doomed);
    container[attribute.name] = (
      Array.isArray(container[attribute.name]) ? (container[attribute.name] as unknown[]) : []
    ).filter((element) => !isDoomed(element));
    return;
  }
  delete container[attribute.name];
}

/**
 * Which elements a member-style removal names: a candidate with a string `value` names the elements with the
 * same value (compared as the attribute compares it); any other candidate names the elements equal to it as
 * JSON. Built once into sets, so that removing many values from many is linear.
 */
function doomedElements(attribute: AttributeDefinition, candidates: readonly unknown[]): (element: unknown) => boolean {
  const valueDefinition = findAttribute(attribute.subAttributes, 'value');
  const values = new Set<string>();
  const wholes = new Set<string>();
  for (const candidate of candidates) {
    if (valueDefinition && isPlainObject(candidate) && typeof candidate.value === 'string') {
      values.add(comparableString(valueDefinition, candidate.value));
    } else {
      wholes.add(canonicalJson(candidate));
    }
  }
  return (element) =>
    (valueDefinition !== undefined &&
      isPlainObject(element) &&
      typeof element.value === 'string' &&
      values.has(comparableString(valueDefinition, element.value))) ||
    (wholes.size > 0 && wholes.has(canonicalJson(element)));
}
