import { randomUUID } from 'node:crypto';
import { clientAuthFailureCounter } from '../../adapters/dynamodb/client-auth-failures';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { MemoryAttemptCounters } from '../../adapters/memory/attempt-counters';
import {
  ACCOUNT_POLICY,
  type AttemptCounters,
  CLIENT_AUTH_POLICY,
  SOURCE_POLICY,
} from '../../core/oauth/login-throttle';
import { describeContract } from '../support/contract';

/** The port, plus what both adapters offer tests: the clock as an argument, and the counter as it stands. */
interface Counters extends AttemptCounters {
  reserveAttempt(
    counterKey: string,
    policy: Parameters<AttemptCounters['reserveAttempt']>[1],
    now?: number,
  ): ReturnType<AttemptCounters['reserveAttempt']>;
  read(counterKey: string, now?: number): Promise<{ failures: number; nextAttemptAt: number; stored: boolean }>;
}

describeContract<Counters>(
  'AS-B7: the failure counters',
  {
    memory: () => new MemoryAttemptCounters(),
    dynamodb: ({ db, tableName }) => new LoginThrottleStore(db, tableName('grants')),
  },
  (subject) => {
    test('slow down, then lock, then forget after 12 hours', async () => {
      const key = `test#${randomUUID()}`;
      const start = 1_900_000_000;
      for (let attempt = 1; attempt <= 5; attempt++) {
        await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, start)).resolves.toEqual({ allowed: true });
      }
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, start)).resolves.toEqual({
        allowed: false,
        retryAfterSeconds: 2,
      });
      let now = start + 2;
      for (const wait of [4, 8, 16, 32]) {
        await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({ allowed: true });
        await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({
          allowed: false,
          retryAfterSeconds: wait,
        });
        now += wait;
      }
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({ allowed: true });
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now + 899)).resolves.toEqual({
        allowed: false,
        retryAfterSeconds: 1,
      });
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now + 900)).resolves.toEqual({ allowed: true });
      // Still locked after every further failure, until the counter is forgotten 12 hours after the last one.
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, now + 900)).resolves.toMatchObject({ allowed: false });
      const forgotten = now + 900 + 12 * 3600;
      await expect(subject().read(key, forgotten)).resolves.toMatchObject({ failures: 0, nextAttemptAt: 0 });
      await expect(subject().reserveAttempt(key, ACCOUNT_POLICY, forgotten)).resolves.toEqual({ allowed: true });
      await expect(subject().read(key, forgotten)).resolves.toMatchObject({ failures: 1 });
    });

    test('parallel attempts cannot slip past the limit on a stale count', async () => {
      const key = `test#${randomUUID()}`;
      const decisions = await Promise.all(
        Array.from({ length: 20 }, () => subject().reserveAttempt(key, ACCOUNT_POLICY, 1_900_000_000)),
      );
      const allowed = decisions.filter((decision) => decision.allowed).length;
      expect(allowed).toBeGreaterThan(0);
      expect(allowed).toBeLessThanOrEqual(ACCOUNT_POLICY.freeFailures);
      const counter = await subject().read(key, 1_900_000_000);
      expect(counter.failures).toBe(allowed);
    });

    test('a successful sign-in clears the account counter and gives back the source attempt', async () => {
      const account = `test#${randomUUID()}`;
      const source = `test#${randomUUID()}`;
      for (let attempt = 0; attempt < 3; attempt++) {
        await subject().reserveAttempt(account, ACCOUNT_POLICY);
        await subject().reserveAttempt(source, SOURCE_POLICY);
      }
      await subject().clear(account);
      await subject().releaseAttempt(source);
      await expect(subject().read(account)).resolves.toMatchObject({ failures: 0, stored: false });
      await expect(subject().read(source)).resolves.toMatchObject({ failures: 2 });
    });

    test('AS-E5: client authentication attempts count per client and source address, and a success clears them', async () => {
      const clientId = randomUUID();
      const attacker = clientAuthFailureCounter(subject(), '198.51.100.7');
      const client = clientAuthFailureCounter(subject(), '2001:db8::1');
      for (let attempt = 1; attempt <= CLIENT_AUTH_POLICY.freeFailures; attempt++) {
        await expect(attacker.reserveAttempt(clientId)).resolves.toEqual({ allowed: true });
      }
      await expect(attacker.reserveAttempt(clientId)).resolves.toMatchObject({ allowed: false });
      await expect(attacker.reserveAttempt(randomUUID())).resolves.toEqual({ allowed: true });
      await expect(client.reserveAttempt(clientId)).resolves.toEqual({ allowed: true });
      await client.succeeded(clientId);
      for (let attempt = 1; attempt <= CLIENT_AUTH_POLICY.freeFailures; attempt++) {
        await expect(client.reserveAttempt(clientId)).resolves.toEqual({ allowed: true });
      }
    });
  },
);
