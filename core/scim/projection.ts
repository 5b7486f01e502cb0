import { type AttributeDefinition, findAttribute } from './attribute';
import { parseAttributePath, resolveAttributePath } from './attribute-path';
import { commonAttributes, coreUserAttributes, findExtensionSchema } from './user-schema';
import { isPlainObject } from './values';

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5) with the `returned` rules of RFC 7643 §7:
 * `always` attributes (id, schemas) survive any projection, `never` ones are never shown, `request` ones only
 * when asked for. Names the schema does not know are ignored, as the RFC allows.
 */
export interface Projection {
  /** When given, only these attributes (and `always` ones) are returned. */
  readonly attributes?: readonly Selector[];
  readonly excludedAttributes?: readonly Selector[];
}

/** One entry of an attribute list, in canonical spelling. */
interface Selector {
  readonly container?: string;
  readonly attribute?: string;
  readonly subAttribute?: string;
}

/** Parses a comma-separated attribute list (a query parameter or the `.search` body's array). */
export function parseAttributeList(list: string | readonly string[] | undefined): Selector[] | undefined {
  if (list === undefined) return undefined;
  const names = (typeof list === 'string' ? list.split(',') : list).map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) return undefined;
  // Repeated names collapse, so a list is never longer than the schema however long the request's list is.
  const selectors = new Map<string, Selector>();
  for (const name of names) {
    const path = parseAttributePath(name);
    const resolved = path ? resolveAttributePath(path) : undefined;
    if (!resolved) continue;
    const selector: Selector = {
      ...(resolved.container ? { container: resolved.container } : {}),
      ...(resolved.attribute ? { attribute: resolved.attribute.name } : {}),
      ...(resolved.subAttribute ? { subAttribute: resolved.subAttribute.name } : {}),
    };
    selectors.set(selectorKey(selector.container, selector.attribute, selector.subAttribute), selector);
  }
  return [...selectors.values()];
}

/**
 * The selectors of an `attributes` or `excludedAttributes` list as sets, so that each attribute of each resource
 * is looked up once whatever the length of the list: `named` holds every selector, `parents` the attributes
 * one of whose sub-attributes is named.
 */
type Mode =
  | { readonly kind: 'include' | 'exclude'; readonly named: ReadonlySet<string>; readonly parents: ReadonlySet<string> }
  | { readonly kind: 'default' };

const selectorKey = (container?: string, attribute?: string, subAttribute?: string): string =>
  JSON.stringify([container ?? null, attribute ?? null, subAttribute ?? null]);

function modeOf(kind: 'include' | 'exclude', selectors: readonly Selector[]): Mode {
  const named = new Set<string>();
  const parents = new Set<string>();
  for (const selector of selectors) {
    named.add(selectorKey(selector.container, selector.attribute, selector.subAttribute));
    if (selector.subAttribute !== undefined) parents.add(selectorKey(selector.container, selector.attribute));
  }
  return { kind, named, parents };
}

export function projectResource(resource: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  const mode: Mode = projection.attributes
    ? modeOf('include', projection.attributes)
    : projection.excludedAttributes
      ? modeOf('exclude', projection.excludedAttributes)
      : { kind: 'default' };
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas') {
      output[key] = value;
      continue;
    }
    const extension = findExtensionSchema(key);
    if (extension) {
      if (!isPlainObject(value)) continue;
      const wholeExtension = selects(mode, extension.id);
      const inner = projectAttributes(value, extension.attributes, extension.id, mode, wholeExtension);
      if (Object.keys(inner).length > 0) output[key] = inner;
      continue;
    }
    const definition = findAttribute(commonAttributes, key) ?? findAttribute(coreUserAttributes, key);
    if (!definition) continue;
    const projected = projectAttribute(definition, value, undefined, mode, false);
    if (projected !== undefined) output[key] = projected;
  }
  if (projection.excludedAttributes && projection.attributes) {
    return projectResource(output, { excludedAttributes: projection.excludedAttributes });
  }
  // `schemas` names the extensions the projected resource still carries (RFC 7643 §3).
  if (Array.isArray(output.schemas)) {
    output.schemas = output.schemas.filter(
      (schema) => !findExtensionSchema(String(schema)) || String(schema) in output,
    );
  }
  return output;
}

function projectAttributes(
  values: Record<string, unknown>,
  definitions: readonly AttributeDefinition[],
  container: string,
  mode: Mode,
  wholeContainer: boolean,
): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const definition = findAttribute(definitions, key);
    if (!definition) continue;
    const projected = projectAttribute(definition, value, container, mode, wholeContainer);
    if (projected !== undefined) output[key] = projected;
  }
  return output;
}

/** Whether a selector list names exactly this container / attribute / sub-attribute. */
function selects(mode: Mode, container?: string, attribute?: string, subAttribute?: string): boolean {
  return mode.kind !== 'default' && mode.named.has(selectorKey(container, attribute, subAttribute));
}

function selectsSubAttributesOf(mode: Mode, container: string | undefined, attribute: string): boolean {
  return mode.kind !== 'default' && mode.parents.has(selectorKey(container, attribute));
}

function projectAttribute(
  definition: AttributeDefinition,
  value: unknown,
  container: string | undefined,
  mode: Mode,
  wholeContainer: boolean,
): unknown {
  if (definition.returned === 'never') return undefined;
  if (definition.returned === 'always') return value;
  const named = wholeContainer || selects(mode, container, definition.name);
  switch (mode.kind) {
    case 'default':
      return definition.returned === 'request' ? undefined : value;
    case 'include':
      if (named) return value;
      if (!selectsSubAttributesOf(mode, container, definition.name)) return undefined;
      return mapComplex(value, (element) =>
        keepSubAttributes(element, (sub) => selects(mode, container, definition.name, sub)),
      );
    case 'exclude':
      if (named) return undefined;
      if (definition.returned === 'request') return undefined;
      if (!selectsSubAttributesOf(mode, container, definition.name)) return value;
      return mapComplex(value, (element) =>
        keepSubAttributes(element, (sub) => !selects(mode, container, definition.name, sub)),
      );
  }
}

function mapComplex(value: unknown, project: (element: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(value)) {
    const elements = value
      .filter(isPlainObject)
      .map(project)
      .filter((element) => Object.keys(element).length > 0);
    return elements.length > 0 ? elements : undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const projected = project(value);
  return Object.keys(projected).length > 0 ? projected : undefined;
}

function keepSubAttributes(element: Record<string, unknown>, keep: (sub: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(element).filter(([sub]) => keep(sub)));
}
