import type { UserAttributes } from './user-attributes';
import {
  ACCESS_USER_SCHEMA,
  CORE_USER_SCHEMA,
  coreUserAttributes,
  DEFAULT_ROLE,
  ENTERPRISE_USER_SCHEMA,
} from './user-schema';
import { isPlainObject } from './values';

/** The app's access model for one user, managed by the tenant's admins (never by SCIM writes). */
export interface AppAccess {
  readonly role: string;
  readonly allBrands: boolean;
  readonly brands: readonly string[];
  /**
   * In a tenant whose access comes from groups: the group whose mapping gave the role. Absent when an admin
   * gave the role directly (or it is the default), which is how a direct `admin` role is told apart.
   */
  readonly roleGroup?: string;
}

export const DEFAULT_ACCESS: AppAccess = { role: DEFAULT_ROLE, allBrands: true, brands: [] };

/** A stored User, as storage hands it to the core and takes it back. */
export interface UserRecord {
  /** Opaque, URL-safe, case-sensitive and never reused (see ids.ts). */
  readonly id: string;
  /** Incremented by every write; the ETag is `W/"<version>"`. */
  readonly version: number;
  /** RFC 3339 instants. */
  readonly created: string;
  readonly lastModified: string;
  readonly attributes: UserAttributes;
  readonly access: AppAccess;
}

/** RFC 7644 §3.14: a weak entity tag, because the representation may differ byte-wise for the same version. */
export const etagOf = (record: Pick<UserRecord, 'version'>): string => `W/"${record.version}"`;

export const userLocation = (scimBaseUrl: string, id: string): string =>
  `${scimBaseUrl}/Users/${encodeURIComponent(id)}`;

/**
 * The full SCIM representation of a stored User (RFC 7643 §4.1, §3.1 `meta`), before any `attributes` /
 * `excludedAttributes` projection. Attributes appear in schema order; `password` is never stored, so never here.
 */
export function userRepresentation(record: UserRecord, scimBaseUrl: string): Record<string, unknown> {
  const { attributes } = record;
  const enterprise = attributes[ENTERPRISE_USER_SCHEMA];
  const hasEnterprise = isPlainObject(enterprise) && Object.keys(enterprise).length > 0;
  const representation: Record<string, unknown> = {
    schemas: [CORE_USER_SCHEMA, ...(hasEnterprise ? [ENTERPRISE_USER_SCHEMA] : []), ACCESS_USER_SCHEMA],
    id: record.id,
  };
  if (attributes.externalId !== undefined) representation.externalId = attributes.externalId;
  for (const definition of coreUserAttributes) {
    const value = attributes[definition.name];
    if (value !== undefined) representation[definition.name] = value;
  }
  if (hasEnterprise) representation[ENTERPRISE_USER_SCHEMA] = enterprise;
  representation[ACCESS_USER_SCHEMA] = accessRepresentation(record.access);
  representation.meta = {
    resourceType: 'User',
    created: record.created,
    lastModified: record.lastModified,
    location: userLocation(scimBaseUrl, record.id),
    version: etagOf(record),
  };
  return representation;
}

export function accessRepresentation(access: AppAccess): Record<string, unknown> {
  return {
    role: access.role,
    allBrands: access.allBrands,
    ...(access.brands.length > 0 ? { brands: [...access.brands] } : {}),
  };
}
