import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GrantRecord, GrantStorePort, MachineGrantStore, RevocationReason } from '../../core/oauth/grants';
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

/** The grant's `lastUsedAt` is stored as `lastRefreshedAt`, the name the rotation transaction has always written. */
function toRecord(item: Record<string, unknown>): GrantRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, lastRefreshedAt, ...record } = item;
  return {
    ...(record as unknown as GrantRecord),
    ...(typeof lastRefreshedAt === 'number' ? { lastUsedAt: lastRefreshedAt } : {}),
  };
}

/**
 * Grants: one per approved connection (tenant + client + approving admin). Access and refresh tokens are issued
 * under a grant, and revoking the grant stops all of them.
 *
 * Item: pk `GRANT#<grantId>`, sk `GRANT`; listed per tenant through gsi1 (`TENANT#<tenantId>`, `GRANT#<createdAt>#<grantId>`).
 * The grant's `expiresAt` (its absolute end) is also the table's TTL attribute.
 */
export class GrantStore implements GrantStorePort, MachineGrantStore {
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

  /** Writes the grant unless one with its id exists (which is left as it is). */
  async createIfAbsent(grant: GrantRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: grantItem(grant),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Ends a machine client's grant (core/oauth/clients.ts `machineGrantIdOf`) whether or not a token has been
   * issued under it yet: revoked now (`end === 'now'`), or ending at `end` (epoch seconds) when that is
   * earlier than the end it has. Writing the grant when it does not exist keeps a later first issuance
   * (`createIfAbsent`) from reviving it.
   */
  async endMachineGrant(
    grant: Pick<GrantRecord, 'grantId' | 'tenantId' | 'clientId' | 'subject' | 'scope' | 'createdAt'>,
    end: 'now' | number,
    at: string,
    reason: RevocationReason,
  ): Promise<void> {
    const values = {
      ':tenantId': grant.tenantId,
      ':clientId': grant.clientId,
      ':subject': grant.subject,
      ':scope': grant.scope,
      ':createdAt': grant.createdAt,
      ':gsi1pk': `TENANT#${grant.tenantId}`,
      ':gsi1sk': `GRANT#${grant.createdAt}#${grant.grantId}`,
      ':grantId': grant.grantId,
    };
    const identity =
      'grantId = if_not_exists(grantId, :grantId), tenantId = if_not_exists(tenantId, :tenantId), clientId = if_not_exists(clientId, :clientId), subject = if_not_exists(subject, :subject), #scope = if_not_exists(#scope, :scope), createdAt = if_not_exists(createdAt, :createdAt), gsi1pk = if_not_exists(gsi1pk, :gsi1pk), gsi1sk = if_not_exists(gsi1sk, :gsi1sk)';
    if (end === 'now') {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: grantKey(grant.grantId),
          UpdateExpression: `SET ${identity}, #status = :revoked, revokedAt = if_not_exists(revokedAt, :at), revokedReason = if_not_exists(revokedReason, :reason)`,
          ExpressionAttributeNames: { '#status': 'status', '#scope': 'scope' },
          ExpressionAttributeValues: { ...values, ':revoked': 'revoked', ':at': at, ':reason': reason },
        }),
      );
      return;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: grantKey(grant.grantId),
          UpdateExpression: `SET ${identity}, #status = if_not_exists(#status, :active), expiresAt = :end`,
          ConditionExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :end',
          ExpressionAttributeNames: { '#status': 'status', '#scope': 'scope' },
          ExpressionAttributeValues: { ...values, ':active': 'active', ':end': end },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
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
