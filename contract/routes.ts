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

export const routes: readonly RouteSpec[] = [
  {
    id: 'ScimServiceProviderConfig',
    method: 'GET',
    path: '/scim/v2/ServiceProviderConfig',
    entry: 'functions/scim/service-provider-config.ts',
    tables: {},
    auth: 'public',
  },
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
    entry: 'functions/oauth/method-not-allowed.ts',
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
    entry: 'functions/oauth/method-not-allowed.ts',
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
