import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  AuthorizationCodeReader,
  AuthorizationCodeRecord,
  AuthorizationCodeWriter,
} from '../../core/oauth/authorization-code';

/**
 * Authorization codes in the grants table, keyed by the code's SHA-256 (the code itself is never stored).
 *
 * Item: pk `CODE#<codeHash>`, sk `CODE`. The record's own `validUntil` (60 s) decides validity; the TTL
 * attribute keeps the item a day longer, so that a replayed code is still recognised and its grant revoked
 * (RFC 6749 §4.1.2). Redemption is in GrantLedger, atomically with the grant it creates.
 */
export const CODE_RETENTION_SECONDS = 24 * 3600;

export const authorizationCodeKey = (codeHash: string) => ({ pk: `CODE#${codeHash}`, sk: 'CODE' });

export class AuthorizationCodeStore implements AuthorizationCodeWriter, AuthorizationCodeReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(record: AuthorizationCodeRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...authorizationCodeKey(record.codeHash),
          ...record,
          expiresAt: record.issuedAt + CODE_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: authorizationCodeKey(codeHash), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...record } = result.Item;
    return record as AuthorizationCodeRecord;
  }
}
