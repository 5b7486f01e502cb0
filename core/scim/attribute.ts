/**
 * Attribute characteristics, RFC 7643 §2.2 and §7. Every attribute the service knows is described with these,
 * and the descriptions drive everything else: `/Schemas`, validation of request bodies, filter comparison
 * (`caseExact`, types), PATCH mutability checks and response projection (`returned`).
 */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

export type Returned = 'always' | 'never' | 'default' | 'request';

export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** Defaults of RFC 7643 §2.2, so that definitions only spell out what differs. */
type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

export function attribute(
  name: string,
  type: AttributeType,
  description: string,
  options: AttributeOptions = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

export function complex(
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  options: AttributeOptions = {},
): AttributeDefinition {
  return attribute(name, 'complex', description, { ...options, subAttributes });
}

/** Attribute names are case-insensitive (RFC 7643 §2.1). */
export function findAttribute(
  attributes: readonly AttributeDefinition[] | undefined,
  name: string,
): AttributeDefinition | undefined {
  const wanted = name.toLowerCase();
  return attributes?.find((candidate) => candidate.name.toLowerCase() === wanted);
}

/** Whether a client may write the attribute (RFC 7643 §2.2 `mutability`). */
export const isClientWritable = (definition: AttributeDefinition): boolean =>
  definition.mutability === 'readWrite' || definition.mutability === 'immutable';
