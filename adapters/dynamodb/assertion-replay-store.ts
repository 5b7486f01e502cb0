import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AssertionReplayGuard } from '../../core/oauth/client-assertion';
import { isConditionFailure } from './store-errors';

/**
 * Used client assertion ids in the grants table (RFC 7523 §3), one item per id, written with a condition so
 * that of any number of racing requests exactly one succeeds. The TTL attribute removes the item once the
 * assertion could no longer be accepted anyway; until DynamoDB does (lazily, or never in DynamoDB Local) an
 * item past its `expiresAt` counts as absent.
 *
 * Item: pk `ASSERTION#<hash of issuer and jti>`, sk `ASSERTION`, `expiresAt`.
 */
export class AssertionReplayStore implements AssertionReplayGuard {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async useOnce(assertionId: string, keepUntil: number, nowSeconds: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `ASSERTION#${assertionId}`, sk: 'ASSERTION', expiresAt: keepUntil },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
