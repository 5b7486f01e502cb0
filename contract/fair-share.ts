import type { TableKey } from './tables';

/**
 * The fair share of the service each tenant gets, declared once: the functions enforce it
 * (functions/_shared/fair-share.ts), the docs describe it (docs/deploy-and-operate.md). A share is a number of
 * requests per fixed window of `FAIR_SHARE_WINDOW_SECONDS`, counted in one place for every function instance
 * (the grants table), so it holds however many Lambda instances serve the tenant at once.
 *
 * - SCIM: each tenant (the tenant of the verified Bearer token) may make `scimRequestsPerTenant` requests per
 *   window, across all SCIM routes; an IdP's push rarely exceeds a few requests a second.
 * - Token endpoint: each authenticated OAuth client may make `tokenRequestsPerClient` token requests per
 *   window; Okta refreshes about once an hour per app instance.
 *
 * Both can be changed per deployment (context keys `scimRequestsPerTenant` and `tokenRequestsPerClient`,
 * lib/settings.ts), which the stack hands the functions as the environment variables of contract/environment.ts
 * (`FAIR_SHARE_SCIM_REQUESTS_ENV`, `FAIR_SHARE_TOKEN_REQUESTS_ENV`): a whole number from 1 to `MAX_SHARE`.
 */
export const FAIR_SHARE_WINDOW_SECONDS = 1;

/**
 * Where the counters live: the grants table, under partition keys that start with this prefix. A route with
 * the `take-fair-share` capability (contract/routes.ts) may update those items and no other.
 */
export const FAIR_SHARE_TABLE = 'grants' satisfies TableKey;
export const FAIR_SHARE_KEY_PREFIX = 'SHARE#';

export const DEFAULT_FAIR_SHARE = {
  scimRequestsPerTenant: 50,
  tokenRequestsPerClient: 5,
} as const;

/** The largest share a setting may give: far above the stage's own throttle, so never the binding limit. */
export const MAX_SHARE = 100_000;
