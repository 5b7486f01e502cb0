import { ACTIVITY_LINE_KEYS, EARLIER_ACTIVITY_LINE, REQUEST_LOG_MESSAGE } from '../../contract/activity';
import { type ActivityEntry, type ActivityWriter, parseActivityEntry } from './activity-entry';

/**
 * The activity log is written off the request path: each function's one structured log line per request is
 * also its activity record (contract/activity.ts), and the ingest (in AWS a function
 * fed by a CloudWatch Logs subscription filter, locally the local server) turns batches of those lines into
 * table writes. The request itself makes no extra call to DynamoDB.
 *
 * A refused token request names its client but not always its tenant (the request failed before the client
 * was trusted); the ingest finds the tenant from the client id, so the tenant's admin sees why Okta's token
 * request failed. A client id that belongs to no tenant belongs to nobody's log.
 */
/** The tenant of an OAuth client, or undefined for an unknown client (the clients table in AWS). */
export type TenantOfClient = (clientId: string) => Promise<string | undefined>;

export interface IngestResult {
  readonly written: number;
  /** Lines that were not activity entries, or whose tenant could not be found. */
  readonly skipped: number;
}

/** Writes the entries of a batch of log lines; a failed write throws, so that the batch is delivered again. */
export async function ingestActivityLines(
  log: ActivityWriter,
  tenantOfClient: TenantOfClient,
  lines: readonly string[],
): Promise<IngestResult> {
  const tenants = new Map<string, Promise<string | undefined>>();
  const lookUp = (clientId: string) => {
    let tenant = tenants.get(clientId);
    if (!tenant) {
      tenant = tenantOfClient(clientId);
      tenants.set(clientId, tenant);
    }
    return tenant;
  };
  const byId = new Map<string, ActivityEntry>();
  let skipped = 0;
  for (const line of lines) {
    const raw = activityOfLine(line);
    const tenantId =
      raw?.tenantId === undefined && typeof raw?.clientId === 'string' && raw.clientId.length <= 128
        ? await lookUp(raw.clientId)
        : raw?.tenantId;
    const entry = raw && tenantId !== undefined ? parseActivityEntry({ ...raw, tenantId }) : undefined;
    // One entry per request: a line delivered twice in one batch is written once.
    if (entry) byId.set(`${entry.tenantId}\n${entry.id}`, entry);
    else skipped += 1;
  }
  const entries = [...byId.values()];
  if (entries.length > 0) await log.append(entries);
  return { written: entries.length, skipped };
}

function activityOfLine(line: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const outer = parsed as Record<string, unknown>;
  // A line the Lambda runtime wrapped in its own JSON record carries the logger's object as its `message`.
  const record =
    typeof outer.message === 'object' && outer.message !== null ? (outer.message as Record<string, unknown>) : outer;
  if (record.message === EARLIER_ACTIVITY_LINE.message) {
    const activity = record[EARLIER_ACTIVITY_LINE.field];
    return typeof activity === 'object' && activity !== null ? (activity as Record<string, unknown>) : undefined;
  }
  if (record.message !== REQUEST_LOG_MESSAGE) return undefined;
  const entry: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(ACTIVITY_LINE_KEYS)) {
    if (record[key] !== undefined) entry[field] = record[key];
  }
  // A request that named neither a tenant nor a client belongs to no tenant's log.
  return entry.tenantId === undefined && entry.clientId === undefined ? undefined : entry;
}
