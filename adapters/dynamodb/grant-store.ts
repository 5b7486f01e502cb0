import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Grants: one per approved connection (tenant + client + approving admin). Access and refresh tokens are issued
 * under a grant, and revoking the grant stops all of them.
 *
 * Item: pk `GRANT#<grantId>`, sk `GRANT`; listed per tenant through gsi1 (`TENANT#<tenantId>`, `GRANT#<createdAt>#<grantId>`).
 */
export type GrantStatus = 'active' | 'revoked';

export interface GrantRecord {
  readonly grantId: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The admin who approved the connection. */
  readonly subject: string;
  readonly scope: string;
  readonly status: GrantStatus;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

const grantKey = (grantId: string) => ({ pk: `GRANT#${grantId}`, sk: 'GRANT' });

export class GrantStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(grant: Omit<GrantRecord, 'status' | 'revokedAt'>): Promise<GrantRecord> {
    const record: GrantRecord = { ...grant, status: 'active' };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...grantKey(grant.grantId),
          gsi1pk: `TENANT#${grant.tenantId}`,
          gsi1sk: `GRANT#${grant.createdAt}#${grant.grantId}`,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  async get(grantId: string): Promise<GrantRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: grantKey(grantId), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...record } = result.Item;
    return record as GrantRecord;
  }

  /** Idempotent: revoking a revoked grant keeps its first revocation time. */
  async revoke(grantId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: grantKey(grantId),
        UpdateExpression: 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at },
      }),
    );
  }
}
