import type { RouteSpec } from './routes';

/**
 * The activity record, described once: the functions write it (functions/_shared/activity.ts), the CloudWatch
 * Logs subscription filter of the CDK stack selects it (lib/activity-log.ts), and the ingest reads it
 * (core/activity/activity-ingest.ts). It is the request's one log line (`message` = REQUEST_LOG_MESSAGE), whose
 * keys hold the entry as ACTIVITY_LINE_KEYS maps them: what the line says for operators anyway (request id,
 * tenant, time, route, status) is not written a second time.
 */
export const REQUEST_LOG_MESSAGE = 'request';
export const ACTIVITY_LOG_MESSAGE = REQUEST_LOG_MESSAGE;

/** Each activity entry field, by the request line key that holds it. */
export const ACTIVITY_LINE_KEYS = {
  id: 'requestId',
  tenantId: 'tenant',
  at: 'timestamp',
  operation: 'route',
  httpStatus: 'status',
  clientId: 'clientId',
  userId: 'userId',
  userName: 'userName',
  /** The error the IdP received, without its status (the line's `status`): `{ type?, detail? }`. */
  error: 'error',
} as const;

/**
 * The line of earlier versions, a second line per request (`message` "activity", the entry under `activity`),
 * which the ingest still reads: a delivery kept in the dead-letter queue may be replayed after an upgrade.
 */
export const EARLIER_ACTIVITY_LINE = { message: 'activity', field: 'activity' } as const;

/** The IdP's requests go into the tenant's activity log: SCIM with a Bearer token and the OAuth client endpoints. */
export const recordsActivity = (route: Pick<RouteSpec, 'auth'>): boolean =>
  route.auth === 'scim-bearer' || route.auth === 'oauth-client';

/** The ingest function's entry: not a route (nothing calls it over HTTP), fed by CloudWatch Logs. */
export const ACTIVITY_INGEST_ENTRY = 'functions/activity/ingest.ts';
