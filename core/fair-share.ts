/**
 * Fair share: each tenant (and each OAuth client at the token endpoint) may make a fixed number of requests
 * per fixed window of time, counted in one store shared by every function instance, so that one tenant's
 * flood uses up its own share and nobody else's. A fixed window is the cheapest scheme that is exact: one
 * atomic conditional increment per request (no read first), one counter per subject and window, forgotten
 * with the window. Its known weakness, a burst of up to twice the share across a window boundary, is bounded
 * and the same for every tenant.
 */

/** Whose share a request is taken from; the key is bounded and never holds a secret. */
export interface ShareSubject {
  /** `scim` (a tenant's SCIM requests) or `token` (a client's token requests): separate shares. */
  readonly kind: 'scim' | 'token';
  readonly id: string;
}

export interface SharePolicy {
  /** Requests per window. */
  readonly requestsPerWindow: number;
  readonly windowSeconds: number;
}

/** One window of one subject's share. */
export interface ShareWindow {
  /** `<kind>#<id>`. */
  readonly subjectKey: string;
  /** Epoch seconds at which the window starts, a multiple of the window's length. */
  readonly startsAt: number;
  /** Epoch seconds at which the window ends and its counter may be forgotten. */
  readonly endsAt: number;
}

/**
 * The port: takes one request from the window's count if fewer than `limit` have been taken, atomically
 * across every instance (parallel requests can never together take more than `limit`). True when taken.
 */
export interface ShareCounters {
  takeOne(window: ShareWindow, limit: number): Promise<boolean>;
}

export type ShareDecision =
  | { readonly allowed: true; readonly failedOpen?: unknown }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The window that the instant `nowMs` falls in. */
export function shareWindowAt(subject: ShareSubject, policy: SharePolicy, nowMs: number): ShareWindow {
  const startsAt = Math.floor(nowMs / 1000 / policy.windowSeconds) * policy.windowSeconds;
  return { subjectKey: `${subject.kind}#${subject.id}`, startsAt, endsAt: startsAt + policy.windowSeconds };
}

/**
 * Takes one request from the subject's share now. Refused: retry when the window ends, in whole seconds, at
 * least 1 (RFC 9110 §10.2.3: `Retry-After` is a whole number of seconds; Okta honours no other form). If the
 * counters cannot be reached the request is allowed and the failure handed back to be logged: an unavailable
 * counter store must not turn every tenant away (the stage's throttle still bounds the total).
 */
export async function takeShare(
  counters: ShareCounters,
  subject: ShareSubject,
  policy: SharePolicy,
  nowMs: number,
): Promise<ShareDecision> {
  const window = shareWindowAt(subject, policy, nowMs);
  let taken: boolean;
  try {
    taken = await counters.takeOne(window, policy.requestsPerWindow);
  } catch (error) {
    return { allowed: true, failedOpen: error };
  }
  if (taken) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(window.endsAt - nowMs / 1000)) };
}
