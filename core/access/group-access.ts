import type { AppAccess } from '../scim/user-record';
import { DEFAULT_ROLE } from '../scim/user-schema';
import { ADMIN_ROLE, MAX_BRANDS_PER_USER } from './access-model';

/**
 * Where a tenant's users get their role and brands from:
 * - `admins` (the default): the tenant's admins set them user by user; groups grant nothing.
 * - `groups`: the identity provider's groups do, through the mappings the tenant's admins make.
 */
export type AccessSource = 'admins' | 'groups';

export const ACCESS_SOURCES: readonly AccessSource[] = ['admins', 'groups'];

export const DEFAULT_ACCESS_SOURCE: AccessSource = 'admins';

/** A group's mapping: the role it gives (with a priority) and/or the brands it gives (or every brand). */
export interface GroupMapping {
  readonly groupId: string;
  readonly role?: { readonly name: string; readonly priority: number };
  readonly brands?: readonly string[] | 'all';
  readonly updatedAt: string;
}

/** A tenant may map at most this many groups; every recomputation reads all the mappings. */
export const MAX_GROUP_MAPPINGS = 200;

/** Priorities are whole numbers in this range; higher wins. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 1_000_000;

/** A mapping lists at most as many brands as a user may hold. */
export const MAX_BRANDS_PER_MAPPING = MAX_BRANDS_PER_USER;

export const isPriority = (value: number): boolean =>
  Number.isInteger(value) && value >= MIN_PRIORITY && value <= MAX_PRIORITY;

/**
 * Whether the user's current role is an `admin` role given directly by an admin (the break-glass account):
 * held, and granted by no group. Groups never take it away.
 */
export const holdsDirectAdmin = (access: AppAccess): boolean =>
  access.role === ADMIN_ROLE && access.roleGroup === undefined;

/** What the groups give a user, and which groups gave it (for the audit trail). */
export interface GroupGrant {
  readonly access: AppAccess;
  /** The group whose mapping decided the role, if any. */
  readonly roleGroup?: string;
  /** The groups whose mappings gave brands, in group-id order. */
  readonly brandGroups: readonly string[];
  /** Whether a direct admin role was kept over what the groups give. */
  readonly keptDirectAdmin: boolean;
}

/**
 * A user's access in `groups` mode, from the groups it belongs to and the tenant's mappings (one rule,
 * for the SCIM writes, the admin commands and the recomputations alike):
 * - role: the role of the highest-priority mapped group the user belongs to (equal priorities: the group
 *   with the smaller id, so the result never depends on the order things are read in); otherwise the
 *   tenant's default role. A direct `admin` role is kept whatever the groups say.
 * - brands: the union of the brands of the mapped groups the user belongs to (all brands if one gives all);
 *   otherwise the default, all brands.
 * Groups without a mapping, and mappings of groups the user is not in, change nothing; so leaving a group
 * removes exactly what it gave. Without `keepDirectAdmin` (an admin releasing a break-glass role), the groups
 * decide the role too.
 */
export function grantFromGroups(
  current: AppAccess,
  memberOf: ReadonlySet<string>,
  mappings: readonly GroupMapping[],
  options: { readonly keepDirectAdmin: boolean } = { keepDirectAdmin: true },
): GroupGrant {
  const applicable = mappings
    .filter((mapping) => memberOf.has(mapping.groupId))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  let roleMapping: GroupMapping | undefined;
  for (const mapping of applicable) {
    if (mapping.role && (!roleMapping?.role || mapping.role.priority > roleMapping.role.priority)) {
      roleMapping = mapping;
    }
  }
  const brandMappings = applicable.filter((mapping) => mapping.brands !== undefined);
  const allBrands = brandMappings.length === 0 || brandMappings.some((mapping) => mapping.brands === 'all');
  const brands = allBrands ? [] : [...new Set(brandMappings.flatMap((mapping) => mapping.brands as string[]))].sort();
  const keptDirectAdmin = options.keepDirectAdmin && holdsDirectAdmin(current);
  const role = keptDirectAdmin ? ADMIN_ROLE : (roleMapping?.role?.name ?? DEFAULT_ROLE);
  const roleGroup = keptDirectAdmin ? undefined : roleMapping?.groupId;
  return {
    access: { role, allBrands, brands, ...(roleGroup !== undefined ? { roleGroup } : {}) },
    ...(roleGroup !== undefined ? { roleGroup } : {}),
    brandGroups: brandMappings.map((mapping) => mapping.groupId),
    keptDirectAdmin,
  };
}
