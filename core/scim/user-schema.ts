import { type AttributeDefinition, attribute, complex } from './attribute';

/**
 * The User resource's schemas: the core User schema (RFC 7643 §4.1, §8.7.1), the enterprise extension
 * (RFC 7643 §4.3, §8.7.1) and this service's own extension carrying the app's access model.
 */
export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/**
 * The app's access model. It lives under `urn:ietf:params:scim:schemas:extension:` because that is the only
 * shape Entra accepts for custom extension attributes (`urn:ietf:params:scim:schemas:extension:<name>:2.0:User`);
 * the URN is part of the public API and must never change.
 */
export const ACCESS_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:scim-provisioning:2.0:User';

export const DEFAULT_ROLE = 'collaborator';

/** `value`, `display`, `type`, `primary`: the sub-attributes of most multi-valued attributes (RFC 7643 §2.4). */
function multiValued(
  name: string,
  description: string,
  options: {
    canonicalTypes?: readonly string[];
    valueType?: 'string' | 'reference' | 'binary';
    valueDescription: string;
  },
): AttributeDefinition {
  return complex(
    name,
    description,
    [
      attribute('value', options.valueType ?? 'string', options.valueDescription, {
        ...(options.valueType === 'reference' ? { referenceTypes: ['external'] } : {}),
      }),
      attribute('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attribute('type', 'string', 'A label indicating the attribute’s function.', {
        ...(options.canonicalTypes ? { canonicalValues: options.canonicalTypes } : {}),
      }),
      attribute('primary', 'boolean', 'Whether this is the preferred value; true at most once.'),
    ],
    { multiValued: true },
  );
}

export const coreUserAttributes: readonly AttributeDefinition[] = [
  attribute('userName', 'string', 'Unique identifier for the User, typically the sign-in name (an email for Okta).', {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', 'The components of the user’s real name.', [
    attribute('formatted', 'string', 'The full name, formatted for display.'),
    attribute('familyName', 'string', 'The family name (last name in most Western languages).'),
    attribute('givenName', 'string', 'The given name (first name in most Western languages).'),
    attribute('middleName', 'string', 'The middle name(s).'),
    attribute('honorificPrefix', 'string', 'The honorific prefix(es), or title (e.g. "Ms.").'),
    attribute('honorificSuffix', 'string', 'The honorific suffix(es) (e.g. "III").'),
  ]),
  attribute('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  attribute('nickName', 'string', 'The casual way to address the user.'),
  attribute('profileUrl', 'reference', 'A URI of the user’s online profile.', { referenceTypes: ['external'] }),
  attribute('title', 'string', 'The user’s title, such as "Vice President".'),
  attribute('userType', 'string', 'The relationship between the organization and the user, e.g. "Employee".'),
  attribute('preferredLanguage', 'string', 'The preferred written or spoken language (RFC 7231 Accept-Language).'),
  attribute('locale', 'string', 'The default location for localization, e.g. "en-US".'),
  attribute('timezone', 'string', 'The time zone in IANA format, e.g. "America/Los_Angeles".'),
  attribute('active', 'boolean', 'The user’s administrative status; false deactivates the user in the app.'),
  attribute('password', 'string', 'Accepted and discarded: this service never stores or returns passwords.', {
    mutability: 'writeOnly',
    returned: 'never',
  }),
  multiValued('emails', 'Email addresses for the user.', {
    canonicalTypes: ['work', 'home', 'other'],
    valueDescription: 'The email address.',
  }),
  multiValued('phoneNumbers', 'Phone numbers for the user.', {
    canonicalTypes: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
    valueDescription: 'The phone number.',
  }),
  multiValued('ims', 'Instant messaging addresses for the user.', {
    canonicalTypes: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
    valueDescription: 'The instant messaging address.',
  }),
  multiValued('photos', 'URLs of photos of the user.', {
    canonicalTypes: ['photo', 'thumbnail'],
    valueType: 'reference',
    valueDescription: 'The URL of a photo of the user.',
  }),
  complex(
    'addresses',
    'A physical mailing address for the user.',
    [
      attribute('formatted', 'string', 'The full mailing address, formatted for display.'),
      attribute('streetAddress', 'string', 'The full street address component.'),
      attribute('locality', 'string', 'The city or locality component.'),
      attribute('region', 'string', 'The state or region component.'),
      attribute('postalCode', 'string', 'The zip code or postal code component.'),
      attribute('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
      attribute('type', 'string', 'A label indicating the address’s function.', {
        canonicalValues: ['work', 'home', 'other'],
      }),
      attribute('primary', 'boolean', 'Whether this is the preferred address; true at most once.'),
    ],
    { multiValued: true },
  ),
  complex(
    'groups',
    'The groups the user belongs to (direct memberships). Read-only: memberships are changed through /Groups.',
    [
      attribute('value', 'string', 'The identifier of the group.', { mutability: 'readOnly' }),
      attribute('$ref', 'reference', 'The URI of the group.', {
        mutability: 'readOnly',
        referenceTypes: ['User', 'Group'],
      }),
      attribute('display', 'string', 'A human-readable name of the group.', { mutability: 'readOnly' }),
      attribute('type', 'string', 'Direct or indirect membership.', {
        mutability: 'readOnly',
        canonicalValues: ['direct', 'indirect'],
      }),
    ],
    { multiValued: true, mutability: 'readOnly' },
  ),
  multiValued('entitlements', 'Entitlements for the user.', { valueDescription: 'The value of an entitlement.' }),
  multiValued('roles', 'Roles for the user, as the identity provider sends them (not the app’s role).', {
    valueDescription: 'The value of a role.',
  }),
  multiValued('x509Certificates', 'X.509 certificates issued to the user.', {
    valueType: 'binary',
    valueDescription: 'The value of an X.509 certificate (base64 DER).',
  }),
];

export const enterpriseUserAttributes: readonly AttributeDefinition[] = [
  attribute('employeeNumber', 'string', 'A string identifier, typically numeric or alphanumeric, of the user.'),
  attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
  attribute('organization', 'string', 'Identifies the name of an organization.'),
  attribute('division', 'string', 'Identifies the name of a division.'),
  attribute('department', 'string', 'Identifies the name of a department.'),
  complex('manager', 'The user’s manager.', [
    attribute('value', 'string', 'The id of the SCIM resource representing the user’s manager.'),
    attribute('$ref', 'reference', 'The URI of the SCIM resource representing the user’s manager.', {
      referenceTypes: ['User'],
    }),
    attribute('displayName', 'string', 'The displayName of the user’s manager.', { mutability: 'readOnly' }),
  ]),
];

/**
 * The app's access model. The tenant's admins manage it inside the app, so identity providers can read it but
 * never change it: PUT ignores it, PATCH that targets it is refused with `mutability`.
 */
export const accessUserAttributes: readonly AttributeDefinition[] = [
  attribute('role', 'string', `The user’s role in the app; new users get "${DEFAULT_ROLE}".`, {
    mutability: 'readOnly',
    caseExact: true,
  }),
  attribute('allBrands', 'boolean', 'Whether the user may work on every brand of the tenant; true for new users.', {
    mutability: 'readOnly',
  }),
  attribute('brands', 'string', 'The ids of the brands the user may work on when allBrands is false.', {
    mutability: 'readOnly',
    multiValued: true,
    caseExact: true,
  }),
];

/** The common attributes of every resource (RFC 7643 §3.1); they belong to no schema. */
export const commonAttributes: readonly AttributeDefinition[] = [
  attribute('id', 'string', 'The service provider’s unique, stable identifier of the resource.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute('externalId', 'string', 'The identifier of the resource at the provisioning client (Okta: 00u…).', {
    caseExact: true,
  }),
  complex(
    'meta',
    'Resource metadata.',
    [
      attribute('resourceType', 'string', 'The name of the resource type.', {
        mutability: 'readOnly',
        caseExact: true,
      }),
      attribute('created', 'dateTime', 'When the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attribute('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
      attribute('location', 'reference', 'The URI of the resource.', { mutability: 'readOnly', caseExact: true }),
      attribute('version', 'string', 'The version (ETag) of the resource.', {
        mutability: 'readOnly',
        caseExact: true,
      }),
    ],
    { mutability: 'readOnly' },
  ),
];

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export const userSchemas: readonly SchemaDefinition[] = [
  { id: CORE_USER_SCHEMA, name: 'User', description: 'User Account', attributes: coreUserAttributes },
  {
    id: ENTERPRISE_USER_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: enterpriseUserAttributes,
  },
  {
    id: ACCESS_USER_SCHEMA,
    name: 'AppAccess',
    description: 'The user’s access in the app (role and brands), managed by the tenant’s admins',
    attributes: accessUserAttributes,
  },
];

/** The extension schemas, whose attributes live in an object under the schema URN (RFC 7643 §3.3). */
export const userExtensionSchemas: readonly SchemaDefinition[] = userSchemas.filter(
  (schema) => schema.id !== CORE_USER_SCHEMA,
);

export function findExtensionSchema(urn: string): SchemaDefinition | undefined {
  const wanted = urn.toLowerCase();
  return userExtensionSchemas.find((schema) => schema.id.toLowerCase() === wanted);
}

/** Schema URNs are compared case-insensitively, like attribute names. */
export const sameUrn = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
