import { type AttributeDefinition, findAttribute, isClientWritable } from './attribute';
import { invalidSyntax, invalidValue } from './errors';
import { MAX_EMAILS_PER_USER, MAX_KEY_VALUE_BYTES, MAX_USER_BYTES, MAX_VALUES_PER_ATTRIBUTE } from './limits';
import {
  CORE_USER_SCHEMA,
  commonAttributes,
  coreUserAttributes,
  ENTERPRISE_USER_SCHEMA,
  enterpriseUserAttributes,
  findExtensionSchema,
  sameUrn,
} from './user-schema';
import { asBoolean, asInstant, foldCase, isPlainObject } from './values';

/**
 * The client-writable attributes of a User, normalised: canonical attribute names, core attributes at the top
 * level, enterprise attributes in an object under the enterprise URN, multi-valued attributes always arrays,
 * unassigned attributes (null, empty arrays, empty objects) absent. Read-only, write-only (password) and
 * unknown attributes are never part of it.
 */
export type UserAttributes = Readonly<Record<string, unknown>> & { readonly userName: string };

/**
 * A POST or PUT body (RFC 7644 §3.3, §3.5.1) as UserAttributes. Read-only attributes a client echoes back (`id`,
 * `meta`, `groups`), `password`, the access extension and anything unknown are ignored, never an error: Okta
 * PUTs back whatever it last read. Wrong types for known attributes are `invalidValue`.
 */
export function userAttributesFromResource(body: unknown): UserAttributes {
  if (!isPlainObject(body)) throw invalidSyntax('The request body must be a JSON object (a SCIM User resource)');
  checkSchemas(body);
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const extension = findExtensionSchema(key);
    if (extension) {
      if (extension.id !== ENTERPRISE_USER_SCHEMA || value === null || value === undefined) continue;
      if (!isPlainObject(value)) throw invalidValue(`${extension.id} must be an object of enterprise attributes`);
      const enterprise = normaliseAttributeSet(enterpriseUserAttributes, value, `${extension.id}:`);
      if (Object.keys(enterprise).length > 0) attributes[ENTERPRISE_USER_SCHEMA] = enterprise;
      continue;
    }
    const definition = findAttribute(coreUserAttributes, key) ?? findAttribute(commonAttributes, key);
    if (!definition || !isClientWritable(definition)) continue;
    const normalised = normaliseValue(definition, value, definition.name);
    if (normalised !== undefined) attributes[definition.name] = normalised;
  }
  return checkUserAttributes(attributes);
}

function checkSchemas(body: Record<string, unknown>): void {
  const key = Object.keys(body).find((name) => name.toLowerCase() === 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => typeof schema === 'string' && sameUrn(schema, CORE_USER_SCHEMA))
  ) {
    throw invalidSyntax(`"schemas" must be an array containing "${CORE_USER_SCHEMA}"`);
  }
}

/** The attributes of one schema (or of a complex value) from an object, by case-insensitive name. */
function normaliseAttributeSet(
  definitions: readonly AttributeDefinition[],
  input: Record<string, unknown>,
  prefix: string,
): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const definition = findAttribute(definitions, key);
    if (!definition || !isClientWritable(definition)) continue;
    const normalised = normaliseValue(definition, value, `${prefix}${definition.name}`);
    if (normalised !== undefined) output[definition.name] = normalised;
  }
  return output;
}

/**
 * One attribute's value in normal form, or undefined when it is unassigned (RFC 7643 §2.5: null and empty
 * arrays mean "no value"). `where` names the attribute in error details.
 */
export function normaliseValue(definition: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (!definition.multiValued) return normaliseElement(definition, value, where);
  const items = (Array.isArray(value) ? value : [value])
    .map((item) => normaliseElement(definition, item, where))
    .filter((item) => item !== undefined);
  if (items.length === 0) return undefined;
  if (items.filter((item) => isPlainObject(item) && item.primary === true).length > 1) {
    throw invalidValue(`At most one value of ${where} may be primary (RFC 7643 §2.4)`);
  }
  return items;
}

/** One element of an attribute (one value of a multi-valued one) in normal form, or undefined. */
export function normaliseElement(definition: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (definition.type) {
    case 'complex': {
      // Entra sends the enterprise manager as a bare id string; a bare value means `{ value }`.
      const hasValue = findAttribute(definition.subAttributes, 'value') !== undefined;
      const object = typeof value === 'string' && hasValue ? { value } : value;
      if (!isPlainObject(object)) throw invalidValue(`${where} must be an object`);
      const normalised = normaliseAttributeSet(definition.subAttributes ?? [], object, `${where}.`);
      return Object.keys(normalised).length > 0 ? normalised : undefined;
    }
    case 'boolean': {
      const flag = asBoolean(value);
      if (flag === undefined) throw invalidValue(`${where} must be true or false`);
      return flag;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(`${where} must be an integer`);
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(`${where} must be a number`);
      return value;
    case 'dateTime':
      if (asInstant(value) === undefined) throw invalidValue(`${where} must be an RFC 3339 date and time`);
      return value;
    default:
      // Identity providers map numeric profile fields (employee numbers, phone extensions) into strings.
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value !== 'string') throw invalidValue(`${where} must be a string`);
      return value;
  }
}

/** The rules every stored User satisfies, checked after a create, replace or patch has been applied. */
export function checkUserAttributes(attributes: Record<string, unknown>): UserAttributes {
  const userName = attributes.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw invalidValue('userName is required and must be a non-empty string');
  }
  checkKeyLength('userName', userNameKey(userName));
  if (typeof attributes.externalId === 'string') checkKeyLength('externalId', attributes.externalId);
  for (const definition of coreUserAttributes) {
    const values = attributes[definition.name];
    if (definition.multiValued && Array.isArray(values) && values.length > MAX_VALUES_PER_ATTRIBUTE) {
      throw invalidValue(`A user may have at most ${MAX_VALUES_PER_ATTRIBUTE} values of ${definition.name}`);
    }
  }
  const emails = emailKeys(attributes);
  for (const email of emails) checkKeyLength('emails.value', email);
  if (emails.length > MAX_EMAILS_PER_USER) {
    throw invalidValue(`A user may have at most ${MAX_EMAILS_PER_USER} distinct email addresses`);
  }
  if (storedSize(attributes) > MAX_USER_BYTES) {
    throw invalidValue(`The user is larger than ${MAX_USER_BYTES} bytes as JSON`);
  }
  return attributes as UserAttributes;
}

const utf8 = new TextEncoder();

/** The UTF-8 size of a user's attributes as JSON, the form they are stored in. */
const storedSize = (attributes: Readonly<Record<string, unknown>>): number =>
  utf8.encode(JSON.stringify(attributes)).length;

/**
 * Whether a lookup key (the userName key, an email key, an externalId as given) is short enough to be stored;
 * a longer one is refused on write, so no stored user can carry it.
 */
export const isStorableKey = (key: string): boolean => utf8.encode(key).length <= MAX_KEY_VALUE_BYTES;

function checkKeyLength(name: string, key: string): void {
  if (!isStorableKey(key)) throw invalidValue(`${name} is longer than ${MAX_KEY_VALUE_BYTES} bytes`);
}

/** The distinct, case-folded email addresses of a user: the keys of its `emails.value eq` lookup items. */
export function emailKeys(attributes: Readonly<Record<string, unknown>>): string[] {
  const emails = Array.isArray(attributes.emails) ? attributes.emails : [];
  const keys = emails.flatMap((email) =>
    isPlainObject(email) && typeof email.value === 'string' && email.value !== '' ? [foldCase(email.value)] : [],
  );
  return [...new Set(keys)];
}

/** The userName uniqueness key (RFC 7643 §4.1.1: unique, case-insensitive): NFC, then lower case. */
export const userNameKey = (userName: string): string => foldCase(userName);
