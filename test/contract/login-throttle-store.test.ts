import { randomUUID } from 'node:crypto';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ACCOUNT_POLICY, SOURCE_POLICY } from '../../core/oauth/login-throttle';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';

let throttle: LoginThrottleStore;
beforeAll(() => {
  useLocalEnvironment();
  throttle = new LoginThrottleStore(documentClient(), tableName('grants'));
});

describe('AS-B7: the failure counters in DynamoDB', () => {
  test('slow down, then lock, then forget after 12 hours', async () => {
    const key = `test#${randomUUID()}`;
    const start = 1_900_000_000;
    for (let attempt = 1; attempt <= 5; attempt++) {
      await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, start)).resolves.toEqual({ allowed: true });
    }
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, start)).resolves.toEqual({
      allowed: false,
      retryAfterSeconds: 2,
    });
    let now = start + 2;
    for (const wait of [4, 8, 16, 32]) {
      await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({ allowed: true });
      await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({
        allowed: false,
        retryAfterSeconds: wait,
      });
      now += wait;
    }
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now)).resolves.toEqual({ allowed: true });
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now + 899)).resolves.toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now + 900)).resolves.toEqual({ allowed: true });
    // Still locked after every further failure, until the counter is forgotten 12 hours after the last one.
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, now + 900)).resolves.toMatchObject({ allowed: false });
    const forgotten = now + 900 + 12 * 3600;
    await expect(throttle.read(key, forgotten)).resolves.toMatchObject({ failures: 0, nextAttemptAt: 0 });
    await expect(throttle.reserveAttempt(key, ACCOUNT_POLICY, forgotten)).resolves.toEqual({ allowed: true });
    await expect(throttle.read(key, forgotten)).resolves.toMatchObject({ failures: 1 });
  });

  test('parallel attempts cannot slip past the limit on a stale count', async () => {
    const key = `test#${randomUUID()}`;
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => throttle.reserveAttempt(key, ACCOUNT_POLICY, 1_900_000_000)),
    );
    const allowed = decisions.filter((decision) => decision.allowed).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThanOrEqual(ACCOUNT_POLICY.freeFailures);
    const counter = await throttle.read(key, 1_900_000_000);
    expect(counter.failures).toBe(allowed);
  });

  test('a successful sign-in clears the account counter and gives back the source attempt', async () => {
    const account = `test#${randomUUID()}`;
    const source = `test#${randomUUID()}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      await throttle.reserveAttempt(account, ACCOUNT_POLICY);
      await throttle.reserveAttempt(source, SOURCE_POLICY);
    }
    await throttle.clear(account);
    await throttle.releaseAttempt(source);
    await expect(throttle.read(account)).resolves.toMatchObject({ failures: 0, stored: false });
    await expect(throttle.read(source)).resolves.toMatchObject({ failures: 2 });
  });
});
