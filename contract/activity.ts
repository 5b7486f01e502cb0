import type { RouteSpec } from './routes';

/**
 * The activity line, described once: the functions write it (functions/_shared/activity.ts), the CloudWatch
 * Logs subscription filter of the CDK stack selects it (lib/activity-log.ts), and the ingest reads it
 * (core/activity/activity-ingest.ts). One JSON log line per request with `message` = ACTIVITY_LOG_MESSAGE and
 * the entry under ACTIVITY_LOG_FIELD.
 */
export const ACTIVITY_LOG_MESSAGE = 'activity';
export const ACTIVITY_LOG_FIELD = 'activity';

/** The IdP's requests go into the tenant's activity log: SCIM with a Bearer token and the OAuth client endpoints. */
export const recordsActivity = (route: Pick<RouteSpec, 'auth'>): boolean =>
  route.auth === 'scim-bearer' || route.auth === 'oauth-client';

/** The ingest function's entry: not a route (nothing calls it over HTTP), fed by CloudWatch Logs. */
export const ACTIVITY_INGEST_ENTRY = 'functions/activity/ingest.ts';
