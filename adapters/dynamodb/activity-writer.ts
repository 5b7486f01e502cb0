import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ActivityEntry, ActivityWriter } from '../../core/activity/activity-entry';
import { itemOf } from './activity-keys';

const BATCH_WRITE_MAX_ITEMS = 25;
const BATCH_WRITE_ATTEMPTS = 6;

type WriteRequests = NonNullable<
  NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string]
>;

/** The ingest's side of the activity table (adapters/dynamodb/activity-keys.ts): BatchWriteItem only. */
export class DynamoDbActivityWriter implements ActivityWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async append(entries: readonly ActivityEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += BATCH_WRITE_MAX_ITEMS) {
      await this.writeBatch(entries.slice(start, start + BATCH_WRITE_MAX_ITEMS));
    }
  }

  /** BatchWriteItem, retrying what DynamoDB left unprocessed with exponential backoff; what remains throws. */
  private async writeBatch(entries: readonly ActivityEntry[]): Promise<void> {
    let requests: WriteRequests = entries.map((entry) => ({ PutRequest: { Item: itemOf(entry) } }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = result.UnprocessedItems?.[this.tableName] ?? [];
      if (requests.length === 0) return;
      if (attempt >= BATCH_WRITE_ATTEMPTS) {
        throw new Error(`${requests.length} activity entries were left unprocessed after ${attempt} attempts`);
      }
      await this.pause(50 * 2 ** attempt);
    }
  }
}
