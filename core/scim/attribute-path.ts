import { type AttributeDefinition, findAttribute } from './attribute';
import { CORE_USER_SCHEMA, commonAttributes, coreUserAttributes, findExtensionSchema, sameUrn } from './user-schema';

/**
 * Attribute paths, RFC 7644 §3.10: `[schema URN ":"] attrName ["." subAttr]`. Names and URNs are
 * case-insensitive (RFC 7643 §2.1); a resolved path carries the canonical spelling from the schema.
 */
export interface AttributePath {
  /** The schema URN as written, when the path is prefixed with one. */
  readonly schema?: string;
  /** Absent when the path names a whole extension (`urn:…:enterprise:2.0:User`, a PATCH target). */
  readonly attribute?: string;
  readonly subAttribute?: string;
}

export interface ResolvedPath {
  /** The canonical extension URN holding the attribute, or undefined for core and common attributes. */
  readonly container?: string;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
}

/** A path naming a whole extension object (PATCH only). */
export interface ResolvedExtension {
  readonly container: string;
  readonly attribute?: undefined;
  readonly subAttribute?: undefined;
}

const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

/** Splits a path into its parts, or returns undefined when it is not a well-formed path. */
export function parseAttributePath(text: string): AttributePath | undefined {
  if (findExtensionSchema(text)) return { schema: text };
  let schema: string | undefined;
  let rest = text;
  if (text.toLowerCase().startsWith('urn:')) {
    const colon = text.lastIndexOf(':');
    schema = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((part) => ATTRIBUTE_NAME.test(part))) return undefined;
  const [attribute, subAttribute] = parts;
  return {
    ...(schema !== undefined ? { schema } : {}),
    ...(attribute !== undefined ? { attribute } : {}),
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

/**
 * Finds the attribute a path names. `parent` makes the path relative to a complex attribute (the inside of a
 * value filter `emails[type eq "work"]`). Returns undefined for anything the User resource does not have.
 */
export function resolveAttributePath(
  path: AttributePath,
  parent?: ResolvedPath,
): ResolvedPath | ResolvedExtension | undefined {
  if (parent) {
    if (path.schema !== undefined || path.subAttribute !== undefined || path.attribute === undefined) return undefined;
    const subAttribute = findAttribute(parent.attribute.subAttributes, path.attribute);
    return subAttribute ? { ...parent, subAttribute } : undefined;
  }
  let container: string | undefined;
  let candidates: readonly AttributeDefinition[];
  if (path.schema === undefined || sameUrn(path.schema, CORE_USER_SCHEMA)) {
    candidates = [...commonAttributes, ...coreUserAttributes];
  } else {
    const extension = findExtensionSchema(path.schema);
    if (!extension) return undefined;
    if (path.attribute === undefined) return { container: extension.id };
    container = extension.id;
    candidates = extension.attributes;
  }
  if (path.attribute === undefined) return undefined;
  const attribute = findAttribute(candidates, path.attribute);
  if (!attribute) return undefined;
  if (path.subAttribute === undefined) return { ...(container ? { container } : {}), attribute };
  const subAttribute = findAttribute(attribute.subAttributes, path.subAttribute);
  return subAttribute ? { ...(container ? { container } : {}), attribute, subAttribute } : undefined;
}

/** The canonical text of a resolved path, for error details. */
export function pathText(path: ResolvedPath | ResolvedExtension): string {
  if (!path.attribute) return path.container;
  const local = path.subAttribute ? `${path.attribute.name}.${path.subAttribute.name}` : path.attribute.name;
  return path.container ? `${path.container}:${local}` : local;
}

/** The definition that describes the values a path selects: the sub-attribute if there is one. */
export const leafDefinition = (path: ResolvedPath): AttributeDefinition => path.subAttribute ?? path.attribute;
