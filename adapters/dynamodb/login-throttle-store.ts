import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AttemptCounters,
  type AttemptDecision,
  delayAfterFailures,
  type ThrottlePolicy,
} from '../../core/oauth/login-throttle';
import { isConditionFailure } from './store-errors';

/**
 * Failure counters (grants table), one item per counter key:
 * pk `THROTTLE#<sha256(key)>`, sk `THROTTLE`, `failures`, `allowance`, `nextAttemptAt` (epoch s), `expiresAt` (TTL).
 * The key is hashed so emails and addresses are not kept in the clear.
 *
 * An attempt is counted *before* the password or secret is checked, with an atomic increment (no read before
 * the write, so parallel attempts neither slip through on a stale count nor fail on contention). `allowance`
 * is how many attempts may be made before the next wait: the attempt that uses the last of it closes the gate
 * for the policy's delay and earns one more, and an attempt that raced past it is refused and taken back. A
 * burst thus gets exactly what the same attempts one after the other would get.
 */
const keyOf = (counterKey: string) => ({
  pk: `THROTTLE#${createHash('sha256').update(counterKey).digest('base64url')}`,
  sk: 'THROTTLE',
});

export class LoginThrottleStore implements AttemptCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Counts one attempt against the counter, unless the counter makes it wait. */
  async reserveAttempt(counterKey: string, policy: ThrottlePolicy, now = nowSeconds()): Promise<AttemptDecision> {
    for (let pass = 0; pass < 2; pass += 1) {
      const counted = await this.increment(counterKey, policy, now);
      if (counted === 'waiting') {
        const current = await this.read(counterKey, now);
        if (current.failures === 0) {
          // Forgotten (TTL deletion is lazy) or just cleared: start over, unless another attempt just did.
          if (current.stored) await this.deleteIfExpiresAt(counterKey, current.storedExpiresAt as number);
          continue;
        }
        return { allowed: false, retryAfterSeconds: Math.max(1, current.nextAttemptAt - now) };
      }
      const { failures, allowance } = counted;
      if (failures < allowance) return { allowed: true };
      if (failures === allowance) {
        await this.closeGate(counterKey, allowance, now + delayAfterFailures(failures, policy));
        return { allowed: true };
      }
      await this.releaseAttempt(counterKey);
      return { allowed: false, retryAfterSeconds: 1 };
    }
    return { allowed: false, retryAfterSeconds: 1 };
  }

  private async increment(
    counterKey: string,
    policy: ThrottlePolicy,
    now: number,
  ): Promise<{ failures: number; allowance: number } | 'waiting'> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(counterKey),
          UpdateExpression:
            'ADD failures :one SET expiresAt = :expires, allowance = if_not_exists(allowance, :free), nextAttemptAt = if_not_exists(nextAttemptAt, :zero)',
          ConditionExpression: 'attribute_not_exists(pk) OR (expiresAt > :now AND nextAttemptAt <= :now)',
          ExpressionAttributeValues: {
            ':one': 1,
            ':zero': 0,
            ':now': now,
            ':free': policy.freeFailures,
            ':expires': now + policy.forgetAfterSeconds,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { failures: Number(Attributes?.failures ?? 1), allowance: Number(Attributes?.allowance ?? 0) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return 'waiting';
    }
  }

  /** The attempt that used the last of the allowance: the next one waits, and may then make one more. */
  private async closeGate(counterKey: string, allowance: number, nextAttemptAt: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(counterKey),
          UpdateExpression: 'SET nextAttemptAt = :next, allowance = :more',
          ConditionExpression: 'allowance = :allowance',
          ExpressionAttributeValues: { ':next': nextAttemptAt, ':allowance': allowance, ':more': allowance + 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async deleteIfExpiresAt(counterKey: string, expiresAt: number): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(counterKey),
          ConditionExpression: 'expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':expiresAt': expiresAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** After a successful sign-in: the account's counter starts over. */
  async clear(counterKey: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(counterKey) }));
  }

  /** After a successful sign-in: the attempt reserved on a shared counter (the source address) is taken back. */
  async releaseAttempt(counterKey: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(counterKey),
          UpdateExpression: 'ADD failures :minusOne',
          ConditionExpression: 'failures > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The counter as it stands; an expired one (TTL deletion is lazy) counts as empty. */
  async read(
    counterKey: string,
    now = nowSeconds(),
  ): Promise<{
    failures: number;
    nextAttemptAt: number;
    stored: boolean;
    storedFailures?: number;
    storedExpiresAt?: number;
  }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(counterKey), ConsistentRead: true }),
    );
    if (!Item) return { failures: 0, nextAttemptAt: 0, stored: false };
    const storedFailures = Number(Item.failures ?? 0);
    const storedExpiresAt = Number(Item.expiresAt ?? 0);
    if (storedExpiresAt <= now) {
      return { failures: 0, nextAttemptAt: 0, stored: true, storedFailures, storedExpiresAt };
    }
    return {
      failures: storedFailures,
      nextAttemptAt: Number(Item.nextAttemptAt ?? 0),
      stored: true,
      storedFailures,
      storedExpiresAt,
    };
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
