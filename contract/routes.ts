import type { TableKey } from './tables';

/**
 * THE route manifest: every HTTP route of the service, once. The CDK stack, the local server, the bundle
 * report and the tests all read this array; nothing else in the code base lists routes.
 *
 * To add a route: add one entry here and create its `entry` file exporting `handler`.
 */
/** `ANY` catches every method that has no route of its own on the same path (used for 405 answers). */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

/** What a function may do to a table; becomes exactly that IAM grant in AWS. */
export type Access = 'read' | 'readWrite';

/**
 * - `scim-bearer`: a Bearer access token issued by our authorization server, verified in the function.
 * - `oauth-client`: OAuth client authentication (client_secret_basic / client_secret_post) in the function.
 * - `admin-session`: the tenant admin's browser session on the login and consent pages.
 * - `public`: no authentication (discovery documents, public keys).
 */
export type Auth = 'scim-bearer' | 'oauth-client' | 'admin-session' | 'public';

/** Extra AWS permissions a route needs beyond its tables. */
export type Capability = 'sign-tokens' | 'read-signing-key';

export interface RouteSpec {
  /** PascalCase and unique: CDK construct id, function name suffix, log `route` field. */
  readonly id: string;
  readonly method: Method;
  /** API Gateway path syntax: static segments and `{param}`. */
  readonly path: `/${string}`;
  /** The Lambda entry file, relative to the project root; it exports `handler`. */
  readonly entry: `functions/${string}.ts`;
  readonly tables: Partial<Record<TableKey, Access>>;
  readonly auth: Auth;
  readonly capabilities?: readonly Capability[];
}

/** The shared entry of the `ANY` routes that answer 405. */
export const METHOD_NOT_ALLOWED_ENTRY = 'functions/scim/method-not-allowed.ts';
/** The same for the OAuth endpoints, answered as OAuth error JSON. */
export const OAUTH_METHOD_NOT_ALLOWED_ENTRY = 'functions/oauth/method-not-allowed.ts';

const SCIM_BEARER = { auth: 'scim-bearer', capabilities: ['read-signing-key'] } as const;

export const routes: readonly RouteSpec[] = [
  {
    id: 'ScimServiceProviderConfig',
    method: 'GET',
    path: '/scim/v2/ServiceProviderConfig',
    entry: 'functions/scim/service-provider-config.ts',
    tables: {},
    auth: 'public',
  },
  // SCIM 2.0 Users API (RFC 7644 §3) and discovery (§4): scoped to the tenant of the verified Bearer token, so
  // each route reads `grants` (revocation) and the signing key's public half. Listing writes paging bookmarks,
  // hence readWrite on `users` for the list and search routes.
  {
    id: 'ScimUsersList',
    method: 'GET',
    path: '/scim/v2/Users',
    entry: 'functions/scim/users/list.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUsersCreate',
    method: 'POST',
    path: '/scim/v2/Users',
    entry: 'functions/scim/users/create.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUsersSearch',
    method: 'POST',
    path: '/scim/v2/Users/.search',
    entry: 'functions/scim/users/search.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserGet',
    method: 'GET',
    path: '/scim/v2/Users/{id}',
    entry: 'functions/scim/users/get.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserReplace',
    method: 'PUT',
    path: '/scim/v2/Users/{id}',
    entry: 'functions/scim/users/replace.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserPatch',
    method: 'PATCH',
    path: '/scim/v2/Users/{id}',
    entry: 'functions/scim/users/patch.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserDelete',
    method: 'DELETE',
    path: '/scim/v2/Users/{id}',
    entry: 'functions/scim/users/delete.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  // SCIM 2.0 Groups (RFC 7643 §4.2): groups and their memberships live in the tenant's partition of `users`,
  // beside the users they hold. Reads only read; every write may touch memberships, hence readWrite.
  {
    id: 'ScimGroupsList',
    method: 'GET',
    path: '/scim/v2/Groups',
    entry: 'functions/scim/groups/list.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupsCreate',
    method: 'POST',
    path: '/scim/v2/Groups',
    entry: 'functions/scim/groups/create.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupsSearch',
    method: 'POST',
    path: '/scim/v2/Groups/.search',
    entry: 'functions/scim/groups/search.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupGet',
    method: 'GET',
    path: '/scim/v2/Groups/{id}',
    entry: 'functions/scim/groups/get.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupReplace',
    method: 'PUT',
    path: '/scim/v2/Groups/{id}',
    entry: 'functions/scim/groups/replace.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupPatch',
    method: 'PATCH',
    path: '/scim/v2/Groups/{id}',
    entry: 'functions/scim/groups/patch.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupDelete',
    method: 'DELETE',
    path: '/scim/v2/Groups/{id}',
    entry: 'functions/scim/groups/delete.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimResourceTypes',
    method: 'GET',
    path: '/scim/v2/ResourceTypes',
    entry: 'functions/scim/resource-types.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimResourceType',
    method: 'GET',
    path: '/scim/v2/ResourceTypes/{id}',
    entry: 'functions/scim/resource-type.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimSchemas',
    method: 'GET',
    path: '/scim/v2/Schemas',
    entry: 'functions/scim/schemas.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimSchema',
    method: 'GET',
    path: '/scim/v2/Schemas/{id}',
    entry: 'functions/scim/schema.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  // Any other method on a SCIM path: 405 as a SCIM Error instead of the gateway's 404. These catch-all routes
  // are the only ones that share an entry file; they answer without authentication or data.
  {
    id: 'ScimServiceProviderConfigOtherMethods',
    method: 'ANY',
    path: '/scim/v2/ServiceProviderConfig',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimUsersOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Users',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimUsersSearchOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Users/.search',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimUserOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Users/{id}',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimGroupsOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Groups',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimGroupsSearchOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Groups/.search',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimGroupOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Groups/{id}',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimResourceTypesOtherMethods',
    method: 'ANY',
    path: '/scim/v2/ResourceTypes',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimResourceTypeOtherMethods',
    method: 'ANY',
    path: '/scim/v2/ResourceTypes/{id}',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimSchemasOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Schemas',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimSchemaOtherMethods',
    method: 'ANY',
    path: '/scim/v2/Schemas/{id}',
    entry: METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  // The authorization endpoint (RFC 6749 §3.1): the tenant admin's sign-in and consent pages.
  {
    id: 'OAuthAuthorize',
    method: 'GET',
    path: '/oauth/authorize',
    entry: 'functions/oauth/authorize.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'public',
  },
  {
    id: 'OAuthAuthorizeSubmit',
    method: 'POST',
    path: '/oauth/authorize',
    entry: 'functions/oauth/authorize-submit.ts',
    tables: { clients: 'read', grants: 'readWrite', users: 'read' },
    auth: 'admin-session',
  },
  // OAuth 2.0 authorization server (RFC 6749, RFC 7009, RFC 8414): client-authenticated token and revocation
  // endpoints, each with a 405 catch-all for other methods (one entry file shared by the two), and the public
  // discovery documents.
  {
    id: 'OAuthToken',
    method: 'POST',
    path: '/oauth/token',
    entry: 'functions/oauth/token.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'oauth-client',
    capabilities: ['sign-tokens'],
  },
  {
    id: 'OAuthTokenOtherMethods',
    method: 'ANY',
    path: '/oauth/token',
    entry: OAUTH_METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'OAuthRevoke',
    method: 'POST',
    path: '/oauth/revoke',
    entry: 'functions/oauth/revoke.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'oauth-client',
    capabilities: ['read-signing-key'],
  },
  {
    id: 'OAuthRevokeOtherMethods',
    method: 'ANY',
    path: '/oauth/revoke',
    entry: OAUTH_METHOD_NOT_ALLOWED_ENTRY,
    tables: {},
    auth: 'public',
  },
  {
    id: 'OAuthMetadata',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    entry: 'functions/well-known/oauth-authorization-server.ts',
    tables: {},
    auth: 'public',
  },
  {
    id: 'OAuthJwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    entry: 'functions/well-known/jwks.ts',
    tables: {},
    auth: 'public',
    capabilities: ['read-signing-key'],
  },
];

export const routeById = (id: string): RouteSpec | undefined => routes.find((route) => route.id === id);
