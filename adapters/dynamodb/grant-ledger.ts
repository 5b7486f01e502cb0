import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { GrantRecord, TokenLedger } from '../../core/oauth/grants';
import type { RefreshTokenRecord } from '../../core/oauth/refresh-tokens';
import { authorizationCodeKey } from './authorization-code-store';
import { grantItem, grantKey } from './grant-store';
import { cancellationReasons, retryWithJitter } from './transactions';

/**
 * The atomic steps of the token endpoint, each one DynamoDB transaction (AS-L1), so that no crash or race
 * leaves a grant half-issued or half-rotated:
 * - redeeming a code: mark the code consumed (only if unconsumed and unexpired), create the grant and its
 *   first refresh token;
 * - rotating a refresh token: mark it rotated (only if still active and unexpired), create its successor,
 *   and touch the grant (only if still active).
 *
 * Refresh token item: pk `REFRESH#<tokenHash>`, sk `REFRESH`. Its TTL is the grant's absolute end, so a
 * rotated token is remembered (for reuse detection) as long as the grant could live.
 */
export const refreshTokenKey = (tokenHash: string) => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' });

/** Attempts in all for a transaction that keeps colliding with others on the same item: the first and 8 retries. */
const CONFLICT_ATTEMPTS = 9;

export class GrantLedger implements TokenLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: refreshTokenKey(tokenHash), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...record } = result.Item;
    return record as RefreshTokenRecord;
  }

  /** `false` when the code was consumed, had expired or vanished meanwhile: nothing was written. */
  async redeemCode(
    codeHash: string,
    nowSeconds: number,
    grant: GrantRecord,
    refresh: RefreshTokenRecord,
  ): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: authorizationCodeKey(codeHash),
          UpdateExpression: 'SET consumedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(consumedAt) AND validUntil > :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        },
      },
      { Put: { TableName: this.tableName, Item: grantItem(grant), ConditionExpression: 'attribute_not_exists(pk)' } },
      this.putRefreshToken(refresh, grant.expiresAt ?? refresh.validUntil),
    ]);
  }

  /**
   * `false` when the token was rotated or expired meanwhile, or the grant is no longer active: nothing was
   * written, and the caller decides from a fresh read.
   */
  async rotateRefreshToken(
    current: RefreshTokenRecord,
    nowSeconds: number,
    successor: RefreshTokenRecord,
    sealedSuccessor: string,
    grantExpiresAt: number,
  ): Promise<boolean> {
    return this.transact([
      {
        Update: {
          TableName: this.tableName,
          Key: refreshTokenKey(current.tokenHash),
          UpdateExpression:
            'SET #status = :rotated, rotatedAt = :now, successorHash = :successorHash, sealedSuccessor = :sealed',
          ConditionExpression: '#status = :active AND validUntil > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':rotated': 'rotated',
            ':active': 'active',
            ':now': nowSeconds,
            ':successorHash': successor.tokenHash,
            ':sealed': sealedSuccessor,
          },
        },
      },
      this.putRefreshToken(successor, grantExpiresAt),
      {
        Update: {
          TableName: this.tableName,
          Key: grantKey(current.grantId),
          UpdateExpression: 'SET lastRefreshedAt = :now',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':active': 'active' },
        },
      },
    ]);
  }

  private putRefreshToken(record: RefreshTokenRecord, retainUntil: number) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...refreshTokenKey(record.tokenHash), ...record, expiresAt: retainUntil },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /**
   * Runs a transaction; `false` if one of its conditions failed. A collision with a concurrent transaction on
   * the same item (TransactionConflict) is retried after a short random pause: the retry then sees the other
   * transaction's result and fails its condition, or succeeds if the other one was cancelled.
   */
  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>) {
    const onlyLostARace = (error: unknown) => {
      const reasons = cancellationReasons(error) ?? [];
      return reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
    };
    try {
      await retryWithJitter(() => this.db.send(new TransactWriteCommand({ TransactItems: items })), {
        attempts: CONFLICT_ATTEMPTS,
        retryable: onlyLostARace,
      });
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.includes('ConditionalCheckFailed')) return false;
      throw error;
    }
  }
}
