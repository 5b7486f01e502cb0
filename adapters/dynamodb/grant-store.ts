import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GrantRecord, GrantStorePort, RevocationReason } from '../../core/oauth/grants';
import { listItemsOfKind } from './list-items';
import { isConditionFailure } from './store-errors';

export type { GrantRecord, GrantStatus } from '../../core/oauth/grants';

export const grantKey = (grantId: string) => ({ pk: `GRANT#${grantId}`, sk: 'GRANT' });

/** The stored item of a new grant (also written by GrantLedger, in the transaction that redeems a code). */
export const grantItem = (record: GrantRecord): Record<string, unknown> => ({
  ...grantKey(record.grantId),
  gsi1pk: `TENANT#${record.tenantId}`,
  gsi1sk: `GRANT#${record.createdAt}#${record.grantId}`,
  ...record,
});

function toRecord(item: Record<string, unknown>): GrantRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, lastRefreshedAt: _last, ...record } = item;
  return record as unknown as GrantRecord;
}

/**
 * Grants: one per approved connection (tenant + client + approving admin). Access and refresh tokens are issued
 * under a grant, and revoking the grant stops all of them.
 *
 * Item: pk `GRANT#<grantId>`, sk `GRANT`; listed per tenant through gsi1 (`TENANT#<tenantId>`, `GRANT#<createdAt>#<grantId>`).
 * The grant's `expiresAt` (its absolute end) is also the table's TTL attribute.
 */
export class GrantStore implements GrantStorePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(grant: Omit<GrantRecord, 'status' | 'revokedAt'>): Promise<GrantRecord> {
    const record: GrantRecord = { ...grant, status: 'active' };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: grantItem(record),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  async get(grantId: string): Promise<GrantRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: grantKey(grantId), ConsistentRead: true }),
    );
    return result.Item ? toRecord(result.Item) : undefined;
  }

  /** A tenant's grants, or every grant when no tenant is given (oldest first). */
  async list(tenantId?: string): Promise<GrantRecord[]> {
    const grants = (await listItemsOfKind(this.db, this.tableName, 'GRANT', tenantId)).map(toRecord);
    return grants.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.grantId.localeCompare(b.grantId));
  }

  /**
   * Idempotent: revoking a revoked grant keeps its first revocation time and reason. An unknown grant is a
   * ConditionalCheckFailedException (use `revokeIfExists` to ignore it).
   */
  async revoke(grantId: string, at: string, reason?: RevocationReason): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: grantKey(grantId),
        UpdateExpression:
          reason === undefined
            ? 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)'
            : 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at), revokedReason = if_not_exists(revokedReason, :reason)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':revoked': 'revoked',
          ':at': at,
          ...(reason === undefined ? {} : { ':reason': reason }),
        },
      }),
    );
  }

  /** Revokes the grant if it exists; returns whether it did. */
  async revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean> {
    try {
      await this.revoke(grantId, at, reason);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
