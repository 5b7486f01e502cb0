import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScimTokenRecord, ScimTokenStorePort } from '../../core/oauth/scim-tokens';
import { listItemsOfKind } from './list-items';
import { isConditionFailure } from './store-errors';

export const scimTokenKey = (tokenHash: string) => ({ pk: `SCIMTOKEN#${tokenHash}`, sk: 'SCIMTOKEN' });

function toRecord(item: Record<string, unknown>): ScimTokenRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, expiresAt: _expiresAt, ...record } = item;
  return record as unknown as ScimTokenRecord;
}

/**
 * SCIM bearer tokens, in the grants table, which every SCIM function already reads (for grant revocation):
 * checking a token is one GetItem by its hash.
 *
 * Item: pk `SCIMTOKEN#<tokenHash>`, sk `SCIMTOKEN`; listed per tenant through gsi1 (`TENANT#<tenantId>`,
 * `SCIMTOKEN#<createdAt>#<tokenId>`). `expiresAt` (the table's TTL) is when an expired or revoked token's
 * item may go; a token that never expires and is not revoked has none.
 */
export class ScimTokenStore implements ScimTokenStorePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tokenHash: string): Promise<ScimTokenRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: scimTokenKey(tokenHash), ConsistentRead: true }),
    );
    return result.Item ? toRecord(result.Item) : undefined;
  }

  async listForTenant(tenantId: string): Promise<ScimTokenRecord[]> {
    const tokens = (await listItemsOfKind(this.db, this.tableName, 'SCIMTOKEN', tenantId)).map(toRecord);
    return tokens.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tokenId.localeCompare(b.tokenId));
  }

  async put(record: ScimTokenRecord, retainUntil: number | undefined): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...scimTokenKey(record.tokenHash),
          gsi1pk: `TENANT#${record.tenantId}`,
          gsi1sk: `SCIMTOKEN#${record.createdAt}#${record.tokenId}`,
          ...record,
          ...(retainUntil === undefined ? {} : { expiresAt: retainUntil }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /**
   * The SCIM functions' only write, one UpdateItem on this item's key (their role allows UpdateItem on
   * `SCIMTOKEN#` keys only), and only when the stored time is stale.
   */
  async recordUse(tokenHash: string, at: string, staleBefore: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: scimTokenKey(tokenHash),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :staleBefore)',
          ExpressionAttributeValues: { ':at': at, ':staleBefore': staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** An expired token is kept until the earlier of its own retention and the revocation's. */
  async markRevoked(tokenHash: string, at: string, retainUntil: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: scimTokenKey(tokenHash),
          UpdateExpression:
            'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at), expiresAt = if_not_exists(expiresAt, :retainUntil)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at, ':retainUntil': retainUntil },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
