import {
  type AttemptCounters,
  type AttemptDecision,
  delayAfterFailures,
  type ThrottlePolicy,
} from '../../core/oauth/login-throttle';

interface Counter {
  failures: number;
  /** Attempts that may be made before the next wait. */
  allowance: number;
  /** Epoch seconds. */
  nextAttemptAt: number;
  /** Epoch seconds: the counter is forgotten from this instant on. */
  expiresAt: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Failure counters in process memory, with the DynamoDB store's rules (login-throttle-store.ts): an attempt is
 * counted before the secret is checked, unless the counter makes it wait; the attempt that uses the last of the
 * allowance closes the gate for the policy's delay and earns one more; a counter is forgotten `forgetAfterSeconds`
 * after its last counted attempt. Each step reads and writes with no pause in between, so parallel attempts
 * get exactly what the same attempts one after the other would get.
 */
export class MemoryAttemptCounters implements AttemptCounters {
  private readonly counters = new Map<string, Counter>();

  async reserveAttempt(counterKey: string, policy: ThrottlePolicy, now = nowSeconds()): Promise<AttemptDecision> {
    const counter = this.live(counterKey, now);
    if (counter && counter.nextAttemptAt > now) {
      return { allowed: false, retryAfterSeconds: Math.max(1, counter.nextAttemptAt - now) };
    }
    const counted: Counter = {
      failures: (counter?.failures ?? 0) + 1,
      allowance: counter?.allowance ?? policy.freeFailures,
      nextAttemptAt: counter?.nextAttemptAt ?? 0,
      expiresAt: now + policy.forgetAfterSeconds,
    };
    if (counted.failures === counted.allowance) {
      counted.nextAttemptAt = now + delayAfterFailures(counted.failures, policy);
      counted.allowance += 1;
    }
    this.counters.set(counterKey, counted);
    return { allowed: true };
  }

  async clear(counterKey: string): Promise<void> {
    this.counters.delete(counterKey);
  }

  async releaseAttempt(counterKey: string): Promise<void> {
    const counter = this.counters.get(counterKey);
    if (counter && counter.failures > 0) counter.failures -= 1;
  }

  /** The counter as it stands; an expired one counts as empty. */
  async read(
    counterKey: string,
    now = nowSeconds(),
  ): Promise<{ failures: number; nextAttemptAt: number; stored: boolean }> {
    const counter = this.counters.get(counterKey);
    if (!counter) return { failures: 0, nextAttemptAt: 0, stored: false };
    if (counter.expiresAt <= now) return { failures: 0, nextAttemptAt: 0, stored: true };
    return { failures: counter.failures, nextAttemptAt: counter.nextAttemptAt, stored: true };
  }

  private live(counterKey: string, now: number): Counter | undefined {
    const counter = this.counters.get(counterKey);
    if (counter && counter.expiresAt <= now) {
      this.counters.delete(counterKey);
      return undefined;
    }
    return counter;
  }
}
