import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConsoleSession, ConsoleSessions, SealedFlash } from '../../core/console/session';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { isConditionFailure } from './store-errors';

/**
 * Console sessions (core/console/session.ts) in the grants table, beside the authorization sessions.
 *
 * Item: pk `CONSOLE#<sha256(session secret)>`, sk `CONSOLE`, the session's fields, an optional sealed `flash`,
 * and `expiresAt` (TTL). Only the secret's hash is a key, so a copy of the table holds nothing usable.
 */
const keyOf = (sessionSecret: string) => ({ pk: `CONSOLE#${opaqueTokenHash(sessionSecret)}`, sk: 'CONSOLE' });

export class ConsoleSessionStore implements ConsoleSessions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(sessionSecret: string, session: ConsoleSession, expiresAt: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keyOf(sessionSecret), ...session, expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sessionSecret: string, now: number): Promise<ConsoleSession | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(sessionSecret), ConsistentRead: true }),
    );
    if (!Item || Number(Item.expiresAt) <= now) return undefined;
    return {
      tenantId: String(Item.tenantId),
      userId: String(Item.userId),
      email: String(Item.email),
      createdAt: Number(Item.createdAt),
      lastSeenAt: Number(Item.lastSeenAt),
    };
  }

  async touch(sessionSecret: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.update(sessionSecret, 'SET lastSeenAt = :lastSeenAt, expiresAt = :expiresAt', {
      ':lastSeenAt': lastSeenAt,
      ':expiresAt': expiresAt,
    });
  }

  async putFlash(sessionSecret: string, flash: SealedFlash): Promise<void> {
    await this.update(sessionSecret, 'SET flash = :flash', { ':flash': flash });
  }

  async takeFlash(sessionSecret: string): Promise<SealedFlash | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(sessionSecret),
          UpdateExpression: 'REMOVE flash',
          ConditionExpression: 'attribute_exists(flash)',
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const flash = Attributes?.flash as SealedFlash | undefined;
      return flash ? { iv: String(flash.iv), data: String(flash.data) } : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async delete(sessionSecret: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(sessionSecret) }));
  }

  /** An update of an existing session only: a session deleted meanwhile stays deleted. */
  private async update(sessionSecret: string, expression: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(sessionSecret),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
