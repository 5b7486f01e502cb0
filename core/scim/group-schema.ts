import { type AttributeDefinition, attribute, complex } from './attribute';
import type { SchemaDefinition } from './user-schema';

/**
 * The Group resource's schema (RFC 7643 §4.2, §8.7.1), as this service implements it: `displayName` is
 * required and unique per tenant (Entra needs unique names to match groups, RFC 7643 leaves it optional), and
 * `members` holds users only (neither Okta nor Entra pushes nested groups).
 */
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const groupAttributes: readonly AttributeDefinition[] = [
  attribute('displayName', 'string', 'A human-readable name for the Group, unique per tenant (case-insensitive).', {
    required: true,
    uniqueness: 'server',
  }),
  complex(
    'members',
    'The users of the group. Only direct members; a value that is not a user of the tenant is skipped.',
    [
      attribute('value', 'string', 'The id of the member user.', { mutability: 'immutable', caseExact: true }),
      attribute('$ref', 'reference', 'The URI of the member user.', {
        mutability: 'immutable',
        referenceTypes: ['User'],
      }),
      attribute('display', 'string', 'A human-readable name of the member, as the client sent it.', {
        mutability: 'immutable',
      }),
      attribute('type', 'string', 'The type of the member; always "User".', {
        mutability: 'immutable',
        canonicalValues: ['User'],
      }),
    ],
    { multiValued: true },
  ),
];

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: groupAttributes,
};
