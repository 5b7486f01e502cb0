/**
 * The public URL layout (ARCHITECTURE.md: SCIM under /scim/v2, OAuth under /oauth, metadata and keys under
 * /.well-known). The stack outputs are built from these paths; a manifest test checks that the OAuth and JWKS
 * routes, once they exist, sit exactly here.
 */
export const SCIM_BASE_PATH = '/scim/v2';
export const OAUTH_PATH = '/oauth';
export const WELL_KNOWN_PATH = '/.well-known';

export const AUTHORIZATION_PATH = `${OAUTH_PATH}/authorize`;
export const TOKEN_PATH = `${OAUTH_PATH}/token`;
export const JWKS_PATH = `${WELL_KNOWN_PATH}/jwks.json`;

/** Route ids the OAuth engineer gives the authorize and token routes. */
export const AUTHORIZE_ROUTE_ID = 'OAuthAuthorize';
export const TOKEN_ROUTE_ID = 'OAuthToken';

/** What Okta's provisioning form and the admin CLI need, for a base URL without a trailing slash. */
export function publicEndpoints(baseUrl: string) {
  return {
    scimBaseUrl: `${baseUrl}${SCIM_BASE_PATH}`,
    authorizationEndpoint: `${baseUrl}${AUTHORIZATION_PATH}`,
    tokenEndpoint: `${baseUrl}${TOKEN_PATH}`,
    issuer: baseUrl,
    jwksUrl: `${baseUrl}${JWKS_PATH}`,
  };
}
