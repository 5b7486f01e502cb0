import type { TableKey } from './tables';

/**
 * THE route manifest: every HTTP route of the service, once. The CDK stack, the local server, the bundle
 * report and the tests all read this array; nothing else in the code base lists routes or spells their paths
 * (`pathOf` gives a route's path, `SCIM_BASE_PATH` the SCIM base).
 *
 * To add a route: add one entry here and create its `entry` file exporting `handler`. Every path with routes
 * answers the methods it has no route for with 405 (`catchAllsOf`), without a function.
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a function may do to a table; becomes exactly that IAM grant in AWS. */
export type Access = 'read' | 'readWrite';

/**
 * - `scim-bearer`: a Bearer access token issued by our authorization server, verified in the function.
 * - `oauth-client`: OAuth client authentication (client_secret_basic / client_secret_post) in the function.
 * - `admin-session`: the tenant admin's browser session on the login and consent pages.
 * - `console-session`: the tenant admin's signed-in session of the admin console (its sign-in page aside).
 * - `public`: no authentication (discovery documents, public keys).
 */
export type Auth = 'scim-bearer' | 'oauth-client' | 'admin-session' | 'console-session' | 'public';

/**
 * Extra AWS permissions a route needs beyond its tables. `take-fair-share`: count its requests against the
 * caller's fair share (contract/fair-share.ts), an update of the share counters and of no other item.
 */
export type Capability = 'sign-tokens' | 'read-signing-key' | 'record-scim-token-use' | 'take-fair-share';

/** API Gateway path syntax: static segments and `{param}`. */
export type RoutePath = `/${string}`;

export interface RouteSpec {
  /** PascalCase and unique: CDK construct id, function name suffix, log `route` field. */
  readonly id: string;
  readonly method: Method;
  readonly path: RoutePath;
  /** The Lambda entry file, relative to the project root; it exports `handler`. */
  readonly entry: `functions/${string}.ts`;
  readonly tables: Partial<Record<TableKey, Access>>;
  readonly auth: Auth;
  readonly capabilities?: readonly Capability[];
}

/**
 * The public URL layout: SCIM under /scim/v2 (RFC 7644 §3.13 leaves the base to the service), the OAuth
 * endpoints under /oauth, and the discovery documents under /.well-known (RFC 8615), which RFC 8414 §3 fixes
 * for the authorization server metadata.
 */
export const SCIM_BASE_PATH = '/scim/v2';
export const OAUTH_BASE_PATH = '/oauth';
export const WELL_KNOWN_BASE_PATH = '/.well-known';
/** The tenant admin console: server-rendered pages, one route per page or form. */
export const CONSOLE_BASE_PATH = '/console';

/**
 * SCIM routes verify access tokens (the public key), record when a SCIM token was last used (one UpdateItem on
 * the grants table restricted to `SCIMTOKEN#` keys, lib/table-access.ts) and take their tenant's fair share.
 */
const SCIM_BEARER = {
  auth: 'scim-bearer',
  capabilities: ['read-signing-key', 'record-scim-token-use', 'take-fair-share'],
} as const;

/**
 * A console page or form behind the admin's sign-in: the session is in `grants` (read, and touched on use),
 * and every request re-reads the admin's account (`clients`) and user (`users`) to check the `admin` role.
 */
const CONSOLE_SIGNED_IN = {
  tables: { grants: 'readWrite', clients: 'read', users: 'read' },
  auth: 'console-session',
} as const;

const manifest = [
  {
    id: 'ScimServiceProviderConfig',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/ServiceProviderConfig`,
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
    path: `${SCIM_BASE_PATH}/Users`,
    entry: 'functions/scim/users/list.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUsersCreate',
    method: 'POST',
    path: `${SCIM_BASE_PATH}/Users`,
    entry: 'functions/scim/users/create.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUsersSearch',
    method: 'POST',
    path: `${SCIM_BASE_PATH}/Users/.search`,
    entry: 'functions/scim/users/search.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserGet',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/Users/{id}`,
    entry: 'functions/scim/users/get.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserReplace',
    method: 'PUT',
    path: `${SCIM_BASE_PATH}/Users/{id}`,
    entry: 'functions/scim/users/replace.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserPatch',
    method: 'PATCH',
    path: `${SCIM_BASE_PATH}/Users/{id}`,
    entry: 'functions/scim/users/patch.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimUserDelete',
    method: 'DELETE',
    path: `${SCIM_BASE_PATH}/Users/{id}`,
    entry: 'functions/scim/users/delete.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  // SCIM 2.0 Groups (RFC 7643 §4.2): groups and their memberships live in the tenant's partition of `users`,
  // beside the users they hold. Reads only read; every write may touch memberships, hence readWrite.
  {
    id: 'ScimGroupsList',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/Groups`,
    entry: 'functions/scim/groups/list.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupsCreate',
    method: 'POST',
    path: `${SCIM_BASE_PATH}/Groups`,
    entry: 'functions/scim/groups/create.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupsSearch',
    method: 'POST',
    path: `${SCIM_BASE_PATH}/Groups/.search`,
    entry: 'functions/scim/groups/search.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupGet',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/Groups/{id}`,
    entry: 'functions/scim/groups/get.ts',
    tables: { users: 'read', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupReplace',
    method: 'PUT',
    path: `${SCIM_BASE_PATH}/Groups/{id}`,
    entry: 'functions/scim/groups/replace.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupPatch',
    method: 'PATCH',
    path: `${SCIM_BASE_PATH}/Groups/{id}`,
    entry: 'functions/scim/groups/patch.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimGroupDelete',
    method: 'DELETE',
    path: `${SCIM_BASE_PATH}/Groups/{id}`,
    entry: 'functions/scim/groups/delete.ts',
    tables: { users: 'readWrite', grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimResourceTypes',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/ResourceTypes`,
    entry: 'functions/scim/resource-types.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimResourceType',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/ResourceTypes/{id}`,
    entry: 'functions/scim/resource-type.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimSchemas',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/Schemas`,
    entry: 'functions/scim/schemas.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  {
    id: 'ScimSchema',
    method: 'GET',
    path: `${SCIM_BASE_PATH}/Schemas/{id}`,
    entry: 'functions/scim/schema.ts',
    tables: { grants: 'read' },
    ...SCIM_BEARER,
  },
  // The authorization endpoint (RFC 6749 §3.1): the tenant admin's sign-in and consent pages.
  {
    id: 'OAuthAuthorize',
    method: 'GET',
    path: `${OAUTH_BASE_PATH}/authorize`,
    entry: 'functions/oauth/authorize.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'public',
  },
  {
    id: 'OAuthAuthorizeSubmit',
    method: 'POST',
    path: `${OAUTH_BASE_PATH}/authorize`,
    entry: 'functions/oauth/authorize-submit.ts',
    tables: { clients: 'read', grants: 'readWrite', users: 'read' },
    auth: 'admin-session',
  },
  // OAuth 2.0 authorization server (RFC 6749, RFC 7009, RFC 8414): client-authenticated token and revocation
  // endpoints, and the public discovery documents.
  {
    id: 'OAuthToken',
    method: 'POST',
    path: `${OAUTH_BASE_PATH}/token`,
    entry: 'functions/oauth/token.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'oauth-client',
    capabilities: ['sign-tokens', 'take-fair-share'],
  },
  {
    id: 'OAuthRevoke',
    method: 'POST',
    path: `${OAUTH_BASE_PATH}/revoke`,
    entry: 'functions/oauth/revoke.ts',
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'oauth-client',
    capabilities: ['read-signing-key'],
  },
  // The tenant admin console (docs/console.md): sign-in and sign-out, then the pages behind the session.
  {
    id: 'ConsoleHome',
    method: 'GET',
    path: CONSOLE_BASE_PATH,
    entry: 'functions/console/home.ts',
    tables: {},
    auth: 'public',
  },
  {
    id: 'ConsoleSignIn',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/sign-in`,
    entry: 'functions/console/sign-in.ts',
    tables: {},
    auth: 'public',
  },
  {
    id: 'ConsoleSignInSubmit',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/sign-in`,
    entry: 'functions/console/sign-in-submit.ts',
    tables: { grants: 'readWrite', clients: 'read', users: 'read' },
    auth: 'public',
  },
  {
    id: 'ConsoleSignOut',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/sign-out`,
    entry: 'functions/console/sign-out.ts',
    tables: { grants: 'readWrite' },
    auth: 'console-session',
  },
  {
    id: 'ConsoleApplications',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/applications`,
    entry: 'functions/console/applications/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  // The tenant's activity log (adapters/dynamodb/activity-reader.ts): read only; its ingest alone writes it.
  {
    id: 'ConsoleActivity',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/activity`,
    entry: 'functions/console/activity.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, activity: 'read' },
  },
  // Users (core/console/users.ts): role and brands are set through the access service, as the admin CLI does.
  {
    id: 'ConsoleUsers',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/users`,
    entry: 'functions/console/users/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleUser',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/users/{userId}`,
    entry: 'functions/console/users/show.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleUserAccess',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/users/{userId}/access`,
    entry: 'functions/console/users/set-access.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, users: 'readWrite' },
  },
  {
    id: 'ConsoleBrands',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/brands`,
    entry: 'functions/console/brands/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleBrandCreate',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/brands`,
    entry: 'functions/console/brands/create.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite', users: 'readWrite' },
  },
  {
    id: 'ConsoleBrandDelete',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/brands/{brandId}/delete`,
    entry: 'functions/console/brands/delete.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite', users: 'readWrite' },
  },
  // Roles (core/console/roles.ts): one function takes the page's forms (create, rename, delete), by their intent.
  {
    id: 'ConsoleRoles',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/roles`,
    entry: 'functions/console/roles/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleRoleChange',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/roles`,
    entry: 'functions/console/roles/change.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite', users: 'readWrite' },
  },
  // Groups (core/console/groups.ts): mappings and the access source through the group access service, as the
  // admin CLI's `group map`, `group unmap`, `tenant set-access-source` and `tenant recompute-access` do. Every
  // form of the Groups pages posts to /console/groups (its `action` field says which), so that the pages add
  // three functions to a stack that is close to CloudFormation's 500 resources.
  {
    id: 'ConsoleGroups',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/groups`,
    entry: 'functions/console/groups/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleGroupsChange',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/groups`,
    entry: 'functions/console/groups/change.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, users: 'readWrite' },
  },
  {
    id: 'ConsoleGroup',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/groups/{groupId}`,
    entry: 'functions/console/groups/show.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleApplicationNew',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/applications/new`,
    entry: 'functions/console/applications/new.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleApplicationCreate',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/applications`,
    entry: 'functions/console/applications/create.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  {
    id: 'ConsoleApplication',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/applications/{clientId}`,
    entry: 'functions/console/applications/show.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleApplicationRotateSecret',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/applications/{clientId}/rotate-secret`,
    entry: 'functions/console/applications/rotate-secret.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  {
    id: 'ConsoleApplicationDeleteConfirm',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/applications/{clientId}/delete`,
    entry: 'functions/console/applications/confirm-delete.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleApplicationDelete',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/applications/{clientId}/delete`,
    entry: 'functions/console/applications/delete.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  {
    id: 'ConsoleConnectionRevoke',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/applications/{clientId}/connections/{grantId}/revoke`,
    entry: 'functions/console/applications/revoke-connection.ts',
    ...CONSOLE_SIGNED_IN,
  },
  // Machine clients (core/console/machine-clients.ts): the CLI's client_credentials clients, created, rotated, deleted.
  {
    id: 'ConsoleMachineClients',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/machine-clients`,
    entry: 'functions/console/machine-clients/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleMachineClientCreate',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/machine-clients`,
    entry: 'functions/console/machine-clients/create.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  {
    id: 'ConsoleMachineClientRotateSecret',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/machine-clients/{clientId}/rotate-secret`,
    entry: 'functions/console/machine-clients/rotate-secret.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  {
    id: 'ConsoleMachineClientDeleteConfirm',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/machine-clients/{clientId}/delete`,
    entry: 'functions/console/machine-clients/confirm-delete.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleMachineClientDelete',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/machine-clients/{clientId}/delete`,
    entry: 'functions/console/machine-clients/delete.ts',
    ...CONSOLE_SIGNED_IN,
    tables: { ...CONSOLE_SIGNED_IN.tables, clients: 'readWrite' },
  },
  // SCIM bearer tokens (core/console/scim-tokens.ts): kept in the grants table, as `token create` keeps them.
  {
    id: 'ConsoleScimTokens',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/scim-tokens`,
    entry: 'functions/console/scim-tokens/list.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleScimTokenCreate',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/scim-tokens`,
    entry: 'functions/console/scim-tokens/create.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleScimTokenRevokeConfirm',
    method: 'GET',
    path: `${CONSOLE_BASE_PATH}/scim-tokens/{tokenId}/revoke`,
    entry: 'functions/console/scim-tokens/confirm-revoke.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'ConsoleScimTokenRevoke',
    method: 'POST',
    path: `${CONSOLE_BASE_PATH}/scim-tokens/{tokenId}/revoke`,
    entry: 'functions/console/scim-tokens/revoke.ts',
    ...CONSOLE_SIGNED_IN,
  },
  {
    id: 'OAuthMetadata',
    method: 'GET',
    path: `${WELL_KNOWN_BASE_PATH}/oauth-authorization-server`,
    entry: 'functions/well-known/oauth-authorization-server.ts',
    tables: {},
    auth: 'public',
  },
  {
    id: 'OAuthJwks',
    method: 'GET',
    path: `${WELL_KNOWN_BASE_PATH}/jwks.json`,
    entry: 'functions/well-known/jwks.ts',
    tables: {},
    auth: 'public',
    capabilities: ['read-signing-key'],
  },
] as const satisfies readonly RouteSpec[];

export const routes: readonly RouteSpec[] = manifest;

/** The id of a route of the manifest; a misspelt id does not compile. */
export type RouteId = (typeof manifest)[number]['id'];

export const routeById = (id: string): RouteSpec | undefined => routes.find((route) => route.id === id);

/** The path of a manifest route, for everything that links to it (endpoint URLs, metadata, form actions). */
export function pathOf(id: RouteId): RoutePath {
  const route = routeById(id);
  if (!route) throw new Error(`${id} is not in the route manifest`);
  return route.path;
}

/** The protocol whose error format a path's answers use: SCIM Error JSON, OAuth error JSON, or console HTML pages. */
export type Protocol = 'scim' | 'oauth' | 'console';

const under = (path: string, base: string): boolean => path === base || path.startsWith(`${base}/`);

/** Also for paths that are not in the manifest: whatever is asked for under /console is answered by a page. */
export const protocolOf = (path: string): Protocol =>
  under(path, SCIM_BASE_PATH) ? 'scim' : under(path, CONSOLE_BASE_PATH) ? 'console' : 'oauth';

/** A path of the manifest and the methods it has routes for; every other method on it is answered 405. */
export interface CatchAll {
  readonly path: RoutePath;
  /** In manifest order: the `Allow` header of the 405 answer (RFC 9110 §15.5.6). */
  readonly allowedMethods: readonly Method[];
  readonly protocol: Protocol;
}

/** One catch-all per distinct path of the given routes, in manifest order. */
export function catchAllsOf(manifestRoutes: readonly RouteSpec[]): CatchAll[] {
  const methodsByPath = new Map<RoutePath, Method[]>();
  for (const route of manifestRoutes) {
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }
  return [...methodsByPath].map(([path, allowedMethods]) => ({ path, allowedMethods, protocol: protocolOf(path) }));
}
