import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What the DynamoDB adapters share about failed writes: the per-item reasons of a cancelled TransactWriteItems,
 * and the one retry loop with jittered, growing pauses for work that only lost a race or was left unprocessed.
 */

/** The per-item reasons of a cancelled TransactWriteItems (undefined for an item that did not fail), or undefined for any other error. */
export function cancellationReasons(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => (reason.Code === 'None' ? undefined : reason.Code));
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Whether the error of an attempt is worth another one. */
  readonly retryable: (error: unknown) => boolean;
  /** The longest pause before the second attempt, doubled for each later one up to `capMs`. */
  readonly baseMs?: number;
  readonly capMs?: number;
}

/**
 * "Full jitter" back-off (a random pause between 0 and an exponentially growing bound): racing writers that
 * collided once spread out instead of colliding again in step.
 */
export const jitteredPause = (attempt: number, baseMs: number, capMs: number): number =>
  Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));

/** Runs `operation` until it succeeds, fails with an error not worth retrying, or has had its attempts. */
export async function retryWithJitter<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) throw error;
      await sleep(jitteredPause(attempt, options.baseMs ?? 10, options.capMs ?? 200));
    }
  }
}
