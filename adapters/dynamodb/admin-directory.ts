import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AdminRecord } from '../../core/access/records';
import { adminEmailIndexKey } from './tenant-keys';

/** More tenants than this sharing one admin email is not a case the sign-in page needs to explain. */
const MAX_MATCHES = 10;

/**
 * Admins found by email across all tenants, through the clients table's gsi1 (`adminEmailIndexKey`,
 * `TENANT#<tenantId>`), which the tenant store writes on every admin item. The sign-in page uses it to tell an
 * administrator of another tenant, once their password is right, that they cannot approve this connection.
 */
export class AdminDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findAdminsByEmail(email: string): Promise<AdminRecord[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :email',
        ExpressionAttributeValues: { ':email': adminEmailIndexKey(email) },
        Limit: MAX_MATCHES,
      }),
    );
    return (result.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, kind: _kind, ...admin } = item;
      return admin as AdminRecord;
    });
  }
}
