import type { RouteSpec } from '../../contract/routes';

/**
 * A manifest shaped like the finished service (SCIM reads and writes, the OAuth routes, the JWKS) for stack
 * tests, since those routes are built on other branches. Every entry reuses an existing handler file: with
 * bundling skipped the stack only needs the file to exist.
 */
const entry = 'functions/scim/service-provider-config.ts' as const;

export const capabilityRoutes: readonly RouteSpec[] = [
  {
    id: 'ScimServiceProviderConfig',
    method: 'GET',
    path: '/scim/v2/ServiceProviderConfig',
    entry,
    tables: {},
    auth: 'public',
  },
  {
    id: 'ScimGetUser',
    method: 'GET',
    path: '/scim/v2/Users/{id}',
    entry,
    tables: { users: 'read', grants: 'read' },
    auth: 'scim-bearer',
    capabilities: ['read-signing-key', 'record-scim-token-use', 'take-fair-share'],
  },
  {
    id: 'ScimCreateUser',
    method: 'POST',
    path: '/scim/v2/Users',
    entry,
    tables: { users: 'readWrite', grants: 'read' },
    auth: 'scim-bearer',
    capabilities: ['read-signing-key', 'record-scim-token-use', 'take-fair-share'],
  },
  {
    id: 'OAuthAuthorize',
    method: 'GET',
    path: '/oauth/authorize',
    entry,
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'admin-session',
  },
  {
    id: 'OAuthAuthorizeSubmit',
    method: 'POST',
    path: '/oauth/authorize',
    entry,
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'admin-session',
  },
  {
    id: 'OAuthToken',
    method: 'POST',
    path: '/oauth/token',
    entry,
    tables: { clients: 'read', grants: 'readWrite' },
    auth: 'oauth-client',
    capabilities: ['sign-tokens', 'take-fair-share'],
  },
  {
    id: 'OAuthJwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    entry,
    tables: {},
    auth: 'public',
    capabilities: ['read-signing-key'],
  },
];
