/**
 * The tenant's provisioning activity: one entry per SCIM or token request, so that the tenant's admin can
 * answer "why did the IdP's task fail" alone. An entry holds what the IdP did and what it was answered, never
 * a secret, token, password or request body: the IdP client, the operation, the user it concerned (id and
 * userName where known), the status, and for a failure the error the IdP received (RFC 7644 §3.12's
 * `status`, `scimType` and `detail`, or RFC 6749 §5.2's `error` and `error_description`), each bounded.
 */
export type ActivityStatus = 'success' | 'failure';

export const ACTIVITY_STATUSES: readonly ActivityStatus[] = ['success', 'failure'];

/** The error the IdP received, as it received it (bounded). */
export interface ActivityError {
  readonly status: number;
  /** SCIM `scimType` (RFC 7644 §3.12) or OAuth `error` (RFC 6749 §5.2). */
  readonly type?: string;
  /** SCIM `detail` or OAuth `error_description`. */
  readonly detail?: string;
}

export interface ActivityEntry {
  /** The request id: one entry per request, so a delivery that is retried writes the same entry again. */
  readonly id: string;
  readonly tenantId: string;
  /** ISO 8601, when the request was answered. */
  readonly at: string;
  /** The route id of the manifest, e.g. `ScimUsersCreate`, `OAuthToken`. */
  readonly operation: string;
  readonly httpStatus: number;
  readonly status: ActivityStatus;
  readonly clientId?: string;
  readonly userId?: string;
  readonly userName?: string;
  readonly error?: ActivityError;
}

/** How long the log keeps an entry (a DynamoDB TTL) and the bounds of every value it holds. */
export const ACTIVITY_RETENTION_DAYS = 30;
export const ACTIVITY_LIMITS = {
  idChars: 128,
  operationChars: 64,
  userNameChars: 256,
  errorTypeChars: 64,
  detailChars: 500,
  /** A page of the log, as the console and the CLI ask for it. */
  maxPageSize: 100,
  defaultPageSize: 25,
} as const;

/** The epoch second after which the entry is gone (DynamoDB deletes it lazily; readers skip it before). */
export const activityExpiresAt = (at: string): number =>
  Math.floor(Date.parse(at) / 1000) + ACTIVITY_RETENTION_DAYS * 24 * 60 * 60;

/** A failure is anything the IdP must act on or retry: every 4xx and 5xx answer. */
export const activityStatusOf = (httpStatus: number): ActivityStatus => (httpStatus >= 400 ? 'failure' : 'success');

const bounded = (value: unknown, maxChars: number): string | undefined => {
  if (typeof value !== 'string' || value === '') return undefined;
  const chars = [...value];
  return chars.length <= maxChars ? value : `${chars.slice(0, maxChars - 1).join('')}…`;
};

/**
 * The error in an error response body: a SCIM Error (RFC 7644 §3.12) or an OAuth error (RFC 6749 §5.2), read
 * from the JSON the IdP received. Anything else (an HTML page, a body that is not JSON) keeps only the status.
 */
export function errorOfResponse(httpStatus: number, body: string | undefined): ActivityError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const type = bounded(fields.scimType ?? fields.error, ACTIVITY_LIMITS.errorTypeChars);
  const detail = bounded(fields.detail ?? fields.error_description, ACTIVITY_LIMITS.detailChars);
  return { status: httpStatus, ...(type ? { type } : {}), ...(detail ? { detail } : {}) };
}

export interface ActivityFacts {
  readonly id: string;
  /** Unknown on a token request refused before its client was trusted: the ingest finds it from `clientId`. */
  readonly tenantId?: string;
  readonly at: Date;
  readonly operation: string;
  readonly httpStatus: number;
  readonly clientId?: string;
  readonly userId?: string;
  readonly userName?: string;
  /** The response body, read only when the request failed. */
  readonly responseBody?: string;
}

/** The entry for one answered request, every value bounded (its tenant may still be unknown, see above). */
export function activityEntry(facts: ActivityFacts): Omit<ActivityEntry, 'tenantId'> & { tenantId?: string } {
  const status = activityStatusOf(facts.httpStatus);
  const clientId = bounded(facts.clientId, ACTIVITY_LIMITS.idChars);
  const userId = bounded(facts.userId, ACTIVITY_LIMITS.idChars);
  const userName = bounded(facts.userName, ACTIVITY_LIMITS.userNameChars);
  return {
    id: bounded(facts.id, ACTIVITY_LIMITS.idChars) ?? 'unknown',
    ...(facts.tenantId !== undefined ? { tenantId: facts.tenantId } : {}),
    at: facts.at.toISOString(),
    operation: bounded(facts.operation, ACTIVITY_LIMITS.operationChars) ?? 'unknown',
    httpStatus: facts.httpStatus,
    status,
    ...(clientId ? { clientId } : {}),
    ...(userId ? { userId } : {}),
    ...(userName ? { userName } : {}),
    ...(status === 'failure' ? { error: errorOfResponse(facts.httpStatus, facts.responseBody) } : {}),
  };
}

/**
 * An entry read back from a log line, which may hold anything: only a well-formed entry is kept, re-bounded, so
 * a line written by another version of the code or by hand can never put an unbounded value in the table.
 */
export function parseActivityEntry(value: unknown): ActivityEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const { id, tenantId, at, operation, httpStatus } = entry;
  if (typeof id !== 'string' || typeof tenantId !== 'string' || typeof at !== 'string') return undefined;
  if (typeof operation !== 'string' || typeof httpStatus !== 'number' || !Number.isInteger(httpStatus)) {
    return undefined;
  }
  const time = new Date(at);
  if (Number.isNaN(time.getTime()) || tenantId === '' || tenantId.length > ACTIVITY_LIMITS.idChars) return undefined;
  const rebuilt: ActivityEntry = activityEntry({
    id,
    tenantId,
    at: time,
    operation,
    httpStatus,
    clientId: entry.clientId as string | undefined,
    userId: entry.userId as string | undefined,
    userName: entry.userName as string | undefined,
  }) as ActivityEntry;
  const error = typeof entry.error === 'object' && entry.error !== null ? (entry.error as Record<string, unknown>) : {};
  if (rebuilt.status === 'success') return rebuilt;
  const type = bounded(error.type, ACTIVITY_LIMITS.errorTypeChars);
  const detail = bounded(error.detail, ACTIVITY_LIMITS.detailChars);
  return { ...rebuilt, error: { status: httpStatus, ...(type ? { type } : {}), ...(detail ? { detail } : {}) } };
}

/** What the console and the CLI ask of the log: newest first, one page at a time. */
export interface ActivityQuery {
  readonly tenantId: string;
  readonly status?: ActivityStatus;
  /** A user id or userName (userNames compare case-insensitively, as SCIM's uniqueness does). */
  readonly user?: string;
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly cursor?: string;
}

export interface ActivityPage {
  readonly entries: readonly ActivityEntry[];
  /** Present when older entries may follow. */
  readonly next?: string;
}

/** The log's storage, written by the ingest (adapters/dynamodb/activity-writer.ts). */
export interface ActivityWriter {
  /** Writes entries, idempotently (an entry is keyed by its request id); throws if any could not be written. */
  append(entries: readonly ActivityEntry[]): Promise<void>;
}

/** The log's storage, read by the console and the CLI (adapters/dynamodb/activity-reader.ts). */
export interface ActivityReader {
  page(query: ActivityQuery, now: Date): Promise<ActivityPage>;
}

/** The page size asked for, within bounds. */
export const activityPageSize = (limit: number | undefined): number =>
  Math.min(Math.max(1, Math.floor(limit ?? ACTIVITY_LIMITS.defaultPageSize)), ACTIVITY_LIMITS.maxPageSize);

/** A cursor that no page of the log gave out: the reader asks again from the newest entry. */
export class InvalidActivityCursor extends Error {
  override readonly name = 'InvalidActivityCursor';
  constructor() {
    super('The activity cursor is not valid');
  }
}
