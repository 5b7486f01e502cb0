import { AsyncLocalStorage } from 'node:async_hooks';
import { ACTIVITY_LINE_KEYS, REQUEST_LOG_MESSAGE, recordsActivity } from '../../contract/activity';
import type { RouteSpec } from '../../contract/routes';
import { activityEntry, activityStatusOf } from '../../core/activity/activity-entry';

/**
 * The tenant's activity log, seen from a request: what the handler learnt on the way (tenant, IdP client,
 * user) is noted per invocation, and when the answer is known the route stack writes it into the request's one
 * log line (contract/activity.ts). A CloudWatch Logs subscription filter delivers those lines to the ingest
 * function (functions/activity/ingest.ts), which writes them to the activity table in batches; the request
 * makes no DynamoDB call for it and waits for nothing (docs/data-model.md "Activity log").
 */
interface ActivityNotes {
  tenantId?: string;
  clientId?: string;
  userId?: string;
  userName?: string;
}

const notes = new AsyncLocalStorage<ActivityNotes>();

/** Runs one invocation with notes of its own (the route stack wraps every request in it). */
export function withRequestActivity<T>(invocation: () => Promise<T>): Promise<T> {
  return notes.run({}, invocation);
}

/** Adds what the request has shown about itself; the first value noted for a field is kept. */
export function noteActivity(facts: ActivityNotes): void {
  const current = notes.getStore();
  if (!current) return;
  for (const [field, value] of Object.entries(facts) as [keyof ActivityNotes, string | undefined][]) {
    if (typeof value === 'string' && value !== '' && current[field] === undefined) current[field] = value;
  }
}

type ActivityLineSink = (line: string) => void;
let localSink: ActivityLineSink | undefined;

/**
 * How the local runtime, which has no CloudWatch Logs, receives each activity record as the subscription filter
 * would, and feeds it to the same ingest code (local/activity-ingest.ts).
 */
export function provideActivityLineSink(sink: ActivityLineSink): void {
  localSink = sink;
}

/**
 * The request line's activity keys, once the request's answer is known (ACTIVITY_LINE_KEYS: the line's
 * request id, timestamp, route and status complete the entry). Empty for a request that named neither a
 * tenant nor a client (a SCIM call whose token did not verify): it belongs to no tenant's log, and the request
 * line still shows it to operators. The response body is read only for a failure, to keep the error the IdP
 * received.
 */
export function activityLineKeys(
  route: RouteSpec | undefined,
  requestId: string | undefined,
  httpStatus: number,
  responseBody: string | undefined,
): Record<string, unknown> {
  const noted = notes.getStore();
  if (!route || !noted || !recordsActivity(route) || (noted.tenantId === undefined && noted.clientId === undefined)) {
    return {};
  }
  const entry = activityEntry({
    id: requestId ?? 'unknown',
    at: new Date(),
    operation: route.id,
    httpStatus,
    ...noted,
    ...(activityStatusOf(httpStatus) === 'failure' ? { responseBody } : {}),
  });
  const { type, detail } = entry.error ?? {};
  const keys: Record<string, unknown> = {
    ...(entry.tenantId !== undefined ? { [ACTIVITY_LINE_KEYS.tenantId]: entry.tenantId } : {}),
    ...(entry.clientId !== undefined ? { [ACTIVITY_LINE_KEYS.clientId]: entry.clientId } : {}),
    ...(entry.userId !== undefined ? { [ACTIVITY_LINE_KEYS.userId]: entry.userId } : {}),
    ...(entry.userName !== undefined ? { [ACTIVITY_LINE_KEYS.userName]: entry.userName } : {}),
    ...(type !== undefined || detail !== undefined ? { [ACTIVITY_LINE_KEYS.error]: { type, detail } } : {}),
  };
  localSink?.(
    JSON.stringify({
      message: REQUEST_LOG_MESSAGE,
      [ACTIVITY_LINE_KEYS.id]: entry.id,
      [ACTIVITY_LINE_KEYS.at]: entry.at,
      [ACTIVITY_LINE_KEYS.operation]: entry.operation,
      [ACTIVITY_LINE_KEYS.httpStatus]: entry.httpStatus,
      ...keys,
    }),
  );
  return keys;
}
