/**
 * The tenant admin's console session, kept server-side: the browser holds only the session secret, in an
 * HttpOnly cookie, and storage only the secret's SHA-256, so a copy of the table signs nobody in (OWASP Session
 * Management Cheat Sheet). A session ends after {@link CONSOLE_SESSION_POLICY}'s idle time without a request,
 * at its absolute lifetime whatever the activity, or when the admin signs out.
 */
export interface ConsoleSessionPolicy {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

/** 30 minutes idle, 12 hours in all: a working day's sign-in, never a forgotten one. */
export const CONSOLE_SESSION_POLICY: ConsoleSessionPolicy = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 };

/**
 * A request within this many seconds of the last recorded one does not write `lastSeenAt` again: the idle
 * limit is kept to within this slack, and a burst of page views costs one write, not one each.
 */
export const TOUCH_INTERVAL_SECONDS = 60;

export interface ConsoleSession {
  readonly tenantId: string;
  /** The admin's user: the one whose `admin` role every request checks. */
  readonly userId: string;
  /** The admin account's email, as the account has it. */
  readonly email: string;
  /** Epoch seconds of the sign-in. */
  readonly createdAt: number;
  /** Epoch seconds of the last request that was recorded. */
  readonly lastSeenAt: number;
}

/**
 * A one-time message from a form post to the page it redirects to (POST → 303 → GET), sealed with a key only
 * the session's cookie holds: e.g. a new client secret, shown once and never stored readable.
 */
export interface SealedFlash {
  readonly iv: string;
  readonly data: string;
}

/** Where console sessions are kept, by their secret; every step is atomic. */
export interface ConsoleSessions {
  create(sessionSecret: string, session: ConsoleSession, expiresAt: number): Promise<void>;
  /** The stored session, unless storage already dropped it (`expiresAt` passed). */
  get(sessionSecret: string, now: number): Promise<ConsoleSession | undefined>;
  /** Records a request: `lastSeenAt` and the storage expiry move on; nothing happens to a session gone. */
  touch(sessionSecret: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  /** Puts the one-time message (replacing any before it). */
  putFlash(sessionSecret: string, flash: SealedFlash): Promise<void>;
  /** Removes the one-time message and returns it, exactly once. */
  takeFlash(sessionSecret: string): Promise<SealedFlash | undefined>;
  delete(sessionSecret: string): Promise<void>;
}

/** When a session stops being valid: idle or absolute, whichever comes first (epoch seconds). */
export const sessionEndsAt = (session: ConsoleSession, policy: ConsoleSessionPolicy): number =>
  Math.min(session.lastSeenAt + policy.idleSeconds, session.createdAt + policy.absoluteSeconds);
