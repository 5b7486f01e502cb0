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
 * Sign-in failure counters (grants table), one item per counter key:
 * pk `THROTTLE#<sha256(key)>`, sk `THROTTLE`, `failures`, `nextAttemptAt` (epoch s), `expiresAt` (TTL).
 * The key is hashed so emails and addresses are not kept in the clear.
 *
 * An attempt is counted *before* the password is checked (and taken back on success), through a conditional
 * write on the count read just before: parallel attempts cannot all slip through on one stale count.
 */
const MAX_CONTENTION_RETRIES = 5;

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
    for (let attempt = 0; attempt < MAX_CONTENTION_RETRIES; attempt++) {
      const current = await this.read(counterKey, now);
      if (current.nextAttemptAt > now) return { allowed: false, retryAfterSeconds: current.nextAttemptAt - now };
      const failures = current.failures + 1;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keyOf(counterKey),
            UpdateExpression: 'SET failures = :failures, nextAttemptAt = :next, expiresAt = :expires',
            ConditionExpression: current.stored
              ? 'failures = :seen AND expiresAt = :seenExpires'
              : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: {
              ':failures': failures,
              ':next': now + delayAfterFailures(failures, policy),
              ':expires': now + policy.forgetAfterSeconds,
              ...(current.stored ? { ':seen': current.storedFailures, ':seenExpires': current.storedExpiresAt } : {}),
            },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // Heavy contention on one counter is itself a sign of an attack: make the caller wait.
    return { allowed: false, retryAfterSeconds: 1 };
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
