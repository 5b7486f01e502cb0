import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FAIR_SHARE_KEY_PREFIX } from '../../contract/fair-share';
import type { ShareCounters, ShareWindow } from '../../core/fair-share';
import { isConditionFailure } from './store-errors';

/**
 * Fair-share counters (grants table), one item per subject and window:
 * pk `SHARE#<sha256(subject)>#<window start>`, sk `SHARE`, `requests`, `expiresAt` (TTL: the window's end).
 * The subject is hashed so every key has the same bounded length whatever the tenant or client id.
 *
 * One UpdateItem per request, with no read before: `ADD` creates the item or counts one more, and the
 * condition refuses the request that would pass the limit, atomically, however many instances count at once.
 * The prefix is what the functions' IAM policy allows them to update (lib/table-access.ts).
 */
/** The key of a window's counter item. */
export const shareCounterKey = (window: ShareWindow) => ({
  pk: `${FAIR_SHARE_KEY_PREFIX}${createHash('sha256').update(window.subjectKey).digest('base64url')}#${window.startsAt}`,
  sk: 'SHARE',
});

export class DynamoDbShareCounters implements ShareCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async takeOne(window: ShareWindow, limit: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: shareCounterKey(window),
          UpdateExpression: 'ADD requests :one SET expiresAt = :endsAt',
          ConditionExpression: 'attribute_not_exists(requests) OR requests < :limit',
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':endsAt': window.endsAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
