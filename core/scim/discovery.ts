import type { AttributeDefinition } from './attribute';
import { GROUP_SCHEMA, groupSchema } from './group-schema';
import { LIST_RESPONSE_SCHEMA } from './messages';
import {
  ACCESS_USER_SCHEMA,
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  type SchemaDefinition,
  userSchemas,
} from './user-schema';

/**
 * `/Schemas` and `/ResourceTypes` (RFC 7644 §4, RFC 7643 §6 and §7), generated from the same attribute
 * definitions that drive validation, filtering and projection, so they cannot disagree with what the service
 * does.
 */
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

function attributeDocument(attribute: AttributeDefinition): Record<string, unknown> {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.canonicalValues ? { canonicalValues: [...attribute.canonicalValues] } : {}),
    ...(attribute.referenceTypes ? { referenceTypes: [...attribute.referenceTypes] } : {}),
    ...(attribute.subAttributes ? { subAttributes: attribute.subAttributes.map(attributeDocument) } : {}),
  };
}

function schemaDocument(schema: SchemaDefinition, scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${scimBaseUrl}/Schemas/${schema.id}` },
  };
}

function userResourceType(scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: CORE_USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: ACCESS_USER_SCHEMA, required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${scimBaseUrl}/ResourceTypes/User` },
  };
}

function groupResourceType(scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: GROUP_SCHEMA,
    schemaExtensions: [],
    meta: { resourceType: 'ResourceType', location: `${scimBaseUrl}/ResourceTypes/Group` },
  };
}

/** Every schema `/Schemas` lists: the User schemas, then the Group schema. */
const allSchemas = [...userSchemas, groupSchema];

const listOf = (resources: Record<string, unknown>[]): Record<string, unknown> => ({
  schemas: [LIST_RESPONSE_SCHEMA],
  totalResults: resources.length,
  itemsPerPage: resources.length,
  startIndex: 1,
  Resources: resources,
});

export const schemasList = (scimBaseUrl: string) =>
  listOf(allSchemas.map((schema) => schemaDocument(schema, scimBaseUrl)));

/** A schema by its URN (compared case-insensitively), or undefined. */
export function schemaById(id: string, scimBaseUrl: string): Record<string, unknown> | undefined {
  const schema = allSchemas.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  return schema ? schemaDocument(schema, scimBaseUrl) : undefined;
}

export const resourceTypesList = (scimBaseUrl: string) =>
  listOf([userResourceType(scimBaseUrl), groupResourceType(scimBaseUrl)]);

export function resourceTypeById(id: string, scimBaseUrl: string): Record<string, unknown> | undefined {
  if (id === 'User') return userResourceType(scimBaseUrl);
  return id === 'Group' ? groupResourceType(scimBaseUrl) : undefined;
}
