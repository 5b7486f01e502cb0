import type { ClientRecord } from './clients';

/**
 * Where the tenant of an authorization comes from, the one rule of it: a client of one tenant authorizes for
 * that tenant; a multi-tenant client (the one client of an app in Okta's catalogue, OIN) for the organization
 * of the admin who signs in. That organization is named by the authorization URL's tenant hint (Okta fills it
 * from the app's per-tenant variable) or, without a hint, typed on the sign-in page; either way only that
 * tenant's admins can sign in, so a hint that is not the admin's tenant is refused. The code, the grant, its
 * refresh tokens and access tokens then carry that tenant and no other.
 */

/** The authorization request parameter of the tenant hint: a tenant ID. */
export const TENANT_HINT_PARAMETER = 'tenant';

/**
 * The longest tenant ID a hint or the sign-in form may name. Ours are UUIDs (36 characters); anything longer
 * names no tenant and is refused before it reaches the database.
 */
export const MAX_TENANT_ID_LENGTH = 64;

export type AuthorizationTenant =
  /** The tenant is known from the request: the client's own, or the one the hint names. */
  | { readonly kind: 'known'; readonly tenantId: string }
  /** The admin names the organization on the sign-in page. */
  | { readonly kind: 'chosen-at-sign-in' }
  /** The hint cannot be this client's tenant: the request is refused. */
  | { readonly kind: 'refused'; readonly reason: string };

export function authorizationTenant(
  client: Pick<ClientRecord, 'tenantId'>,
  hint: string | undefined,
): AuthorizationTenant {
  if (hint !== undefined && (hint === '' || hint.length > MAX_TENANT_ID_LENGTH)) {
    return { kind: 'refused', reason: `The ${TENANT_HINT_PARAMETER} parameter is not an organization ID` };
  }
  if (client.tenantId !== undefined) {
    if (hint !== undefined && hint !== client.tenantId) {
      return {
        kind: 'refused',
        reason: `The ${TENANT_HINT_PARAMETER} parameter names another organization than this application's`,
      };
    }
    return { kind: 'known', tenantId: client.tenantId };
  }
  return hint === undefined ? { kind: 'chosen-at-sign-in' } : { kind: 'known', tenantId: hint };
}

/** The organization ID typed on the sign-in page, trimmed, or undefined when it cannot name a tenant. */
export function typedTenantId(value: string | undefined): string | undefined {
  const tenantId = value?.trim() ?? '';
  return tenantId === '' || tenantId.length > MAX_TENANT_ID_LENGTH ? undefined : tenantId;
}
