import type { AppAccess, UserRecord } from '../scim/user-record';
import { DEFAULT_ROLE } from '../scim/user-schema';
import { foldCase } from '../scim/values';

/**
 * The app's access model: each tenant has brands and roles; each user has exactly one role and either every
 * brand of the tenant (including brands created later) or a listed set. Only the tenant's admins change a
 * user's access (through the admin tools); SCIM writes never do (see user-schema.ts).
 */
export const ADMIN_ROLE = 'admin';

/** Roles every tenant has; they cannot be created or deleted. */
export const BUILT_IN_ROLES: readonly { readonly name: string; readonly description: string }[] = [
  { name: ADMIN_ROLE, description: 'Manages roles and brand scoping; may approve OAuth connections' },
  { name: DEFAULT_ROLE, description: 'The role of every new user' },
];

/**
 * Role names are typed by people ("Email Creator") and compared case-insensitively, NFC-normalized, with runs
 * of spaces as one: the key that identifies a role in storage. Existing slug names (`brand-editor`) are their
 * own key.
 */
export const roleKey = (name: string): string => foldCase(tidyRoleName(name));

/** The name as stored and shown: trimmed, runs of white space as one space. */
export const tidyRoleName = (name: string): string => name.trim().replace(/\s+/gu, ' ');

export const builtInRole = (name: string) => BUILT_IN_ROLES.find((role) => role.name === roleKey(name));

export const isBuiltInRole = (name: string): boolean => builtInRole(name) !== undefined;

export const MAX_ROLE_NAME_LENGTH = 64;

/** Each brand id listed costs one condition in the write transaction (TransactWriteItems allows 100 items). */
export const MAX_BRANDS_PER_USER = 50;

export const MAX_DESCRIPTION_LENGTH = 500;

/** Names of tenants and brands, and the parts of a person's name. */
export const MAX_NAME_LENGTH = 200;

/** Whether a name or description may be stored: within `maxLength`, without control characters, `''` only if allowed. */
export const isAcceptableText = (value: string, maxLength: number, allowEmpty = false): boolean =>
  (allowEmpty || value.trim() !== '') && value.length <= maxLength && !/\p{Cc}/u.test(value);

/** Why a name cannot be a custom role's, or undefined when it can. */
export function roleNameProblem(name: string): 'built-in' | 'invalid' | undefined {
  const tidy = tidyRoleName(name);
  if (tidy === '' || tidy.length > MAX_ROLE_NAME_LENGTH || /[\p{Cc}\p{Cf}]/u.test(tidy)) return 'invalid';
  if (isBuiltInRole(tidy)) return 'built-in';
  return undefined;
}

/** The user's access after "all brands" or a list of brands is chosen; the list is kept in the order given. */
export function withBrands(access: AppAccess, brands: readonly string[] | 'all'): AppAccess {
  return brands === 'all'
    ? { ...access, allBrands: true, brands: [] }
    : { ...access, allBrands: false, brands: [...new Set(brands)] };
}

/** A deleted brand leaves every list it was in; users with all brands are unaffected. */
export const withoutBrand = (access: AppAccess, brandId: string): AppAccess => ({
  ...access,
  brands: access.brands.filter((brand) => brand !== brandId),
});

export const sameAccess = (a: AppAccess, b: AppAccess): boolean =>
  a.role === b.role &&
  a.allBrands === b.allBrands &&
  a.brands.join('\n') === b.brands.join('\n') &&
  a.roleGroup === b.roleGroup;

/** One recorded change: who made it, when, and what it changed (before and after, where that applies). */
export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: AuditAction;
  /** The user the change is about, for user changes. */
  readonly userId?: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export type AuditAction =
  | 'user.create'
  | 'user.role'
  | 'user.brands'
  | 'user.link-admin'
  | 'user.name'
  | 'admin.password'
  | 'admin.unlock'
  | 'brand.create'
  | 'brand.rename'
  | 'brand.delete'
  | 'role.create'
  | 'role.rename'
  | 'role.delete'
  /** A user's access recomputed from its groups (the details say which group and request caused it). */
  | 'user.access'
  | 'tenant.access-source'
  | 'group.map'
  | 'group.unmap'
  /** Member ids of a group write that are not users of the tenant (skipped; the request succeeded). */
  | 'group.members-skipped';

/** The "what changed" of an access change, as stored in the audit entry. */
export function accessChange(before: AppAccess, after: AppAccess): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  if (before.role !== after.role) change.role = { from: before.role, to: after.role };
  if (before.allBrands !== after.allBrands || before.brands.join('\n') !== after.brands.join('\n')) {
    change.brands = { from: brandsText(before), to: brandsText(after) };
  }
  return change;
}

/** `all` or the listed brand ids: how brand scoping reads in the audit trail and to admins. */
export const brandsText = (access: Pick<AppAccess, 'allBrands' | 'brands'>): 'all' | string[] =>
  access.allBrands ? 'all' : [...access.brands];

/**
 * Whether a user may approve an OAuth connection for the tenant: only while they hold the `admin` role and are
 * active. Grants approved earlier belong to the tenant and keep working when the approver loses the role.
 */
export const mayApproveConnections = (user: Pick<UserRecord, 'access' | 'attributes'> | undefined): boolean =>
  user !== undefined && user.access.role === ADMIN_ROLE && user.attributes.active !== false;
