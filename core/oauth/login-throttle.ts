import { normalizeEmail } from '../access/records';

/**
 * Brute-force protection for the admin sign-in (RFC 6819 §5.1.4.2.3 account lock-out and §5.1.4.2.4 tar pit).
 * Failures are counted per account (tenant + email as typed, whether or not it exists, so an unknown email
 * behaves exactly like a wrong password; a tenant's sign-in page checks only its own admins' passwords, so an
 * account's counter sees every guess at its password) and per source address. After a few free failures every further
 * attempt must wait, twice as long each time, and after a fixed number the counter locks for 15 minutes. A
 * counter is forgotten 12 hours after its last failure; a successful sign-in clears the account's counter.
 */
export interface ThrottlePolicy {
  /** Failures allowed before any waiting. */
  readonly freeFailures: number;
  /** Longest wait between attempts before the lock, in seconds. */
  readonly maxDelaySeconds: number;
  /** From this many failures on, the counter is locked. */
  readonly lockAfterFailures: number;
  readonly lockSeconds: number;
  /** How long a counter is remembered after its last failure, in seconds. */
  readonly forgetAfterSeconds: number;
}

const FIFTEEN_MINUTES = 15 * 60;
const TWELVE_HOURS = 12 * 60 * 60;

/** One admin account: 5 free tries (typos), then 2, 4, 8, 16, 32 s, then locked for 15 minutes. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  maxDelaySeconds: 60,
  lockAfterFailures: 10,
  lockSeconds: FIFTEEN_MINUTES,
  forgetAfterSeconds: TWELVE_HOURS,
};

/**
 * One source address: more room (an office behind one NAT address), then the same back-off, locked after 30
 * failures, which stops one machine from trying a password against many accounts.
 */
export const SOURCE_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  maxDelaySeconds: 60,
  lockAfterFailures: 30,
  lockSeconds: FIFTEEN_MINUTES,
  forgetAfterSeconds: TWELVE_HOURS,
};

/**
 * Client authentication at the token and revocation endpoints (AS-E5), counted per client id and source
 * address: a caller guessing a client's secret is slowed and then locked out, while the client's own
 * requests from its own addresses (Okta's) are not affected. Client secrets are 256-bit, so this guards
 * against noise and weak secrets set by hand rather than against guessing a generated one.
 */
export const CLIENT_AUTH_POLICY: ThrottlePolicy = {
  freeFailures: 10,
  maxDelaySeconds: 60,
  lockAfterFailures: 50,
  lockSeconds: FIFTEEN_MINUTES,
  forgetAfterSeconds: 60 * 60,
};

/** Seconds a counter with `failures` failures makes the next attempt wait after the last failure. */
export function delayAfterFailures(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  if (failures >= policy.lockAfterFailures) return policy.lockSeconds;
  return Math.min(2 ** (failures - policy.freeFailures + 1), policy.maxDelaySeconds);
}

/** The key of the per-account counter: the email as an admin would type it, case and Unicode form aside. */
export const accountThrottleKey = (tenantId: string, email: string): string =>
  `account#${tenantId}#${normalizeEmail(email)}`;

export const sourceThrottleKey = (sourceIp: string): string => `source#${sourceIp}`;

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Failure counters, one per key. An attempt is counted *before* the password is checked, atomically (parallel
 * attempts cannot all pass on one stale count), and taken back when it succeeds.
 */
export interface AttemptCounters {
  /** Counts one attempt against the counter, unless the counter makes it wait. */
  reserveAttempt(counterKey: string, policy: ThrottlePolicy): Promise<AttemptDecision>;
  /** After a success: the counter starts over. */
  clear(counterKey: string): Promise<void>;
  /** After a success: the attempt reserved on a shared counter (the source address) is taken back. */
  releaseAttempt(counterKey: string): Promise<void>;
}
