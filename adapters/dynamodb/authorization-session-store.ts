import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthorizationSession, AuthorizationSessions } from '../../core/oauth/authorization-session';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { cancellationReasons, isConditionFailure } from './store-errors';

/**
 * Authorization sessions (core/oauth/authorization-session.ts) in the grants table.
 *
 * Item: pk `AUTHZ#<sha256(session secret)>`, sk `AUTHZ`, `expiresAt` (TTL). Only the secret's hash is a key, so
 * a copy of the table holds nothing usable. Advancing to consent is one transaction (delete the login item,
 * put the consent item); answering is a conditional delete.
 */
const keyOf = (sessionSecret: string) => ({ pk: `AUTHZ#${opaqueTokenHash(sessionSecret)}`, sk: 'AUTHZ' });

/** A failed condition on a single write, or a transaction cancelled by one of its conditions. */
const conditionRefused = (error: unknown) => isConditionFailure(error) || cancellationReasons(error) !== undefined;

export class AuthorizationSessionStore implements AuthorizationSessions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(sessionSecret: string, session: AuthorizationSession): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keyOf(sessionSecret), ...session },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** The live session for this secret; an expired one (DynamoDB deletes lazily) is absent. */
  async get(sessionSecret: string, now = nowSeconds()): Promise<AuthorizationSession | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(sessionSecret), ConsistentRead: true }),
    );
    if (!Item || Number(Item.expiresAt) <= now) return undefined;
    const { pk: _pk, sk: _sk, ...session } = Item;
    return session as AuthorizationSession;
  }

  /**
   * Moves a login-stage session to the consent stage under a new secret, atomically: the old item must still
   * be in the login stage and unexpired, so a sign-in completes once. Returns false if it was not.
   */
  async advanceToConsent(
    oldSecret: string,
    newSecret: string,
    consent: AuthorizationSession,
    now = nowSeconds(),
  ): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: keyOf(oldSecret),
                ConditionExpression: '#stage = :login AND expiresAt > :now',
                ExpressionAttributeNames: { '#stage': 'stage' },
                ExpressionAttributeValues: { ':login': 'login', ':now': now },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keyOf(newSecret), ...consent },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionRefused(error)) return false;
      throw error;
    }
  }

  /** Ends a consent-stage session and returns it, exactly once; undefined if it was already answered or expired. */
  async consumeConsent(sessionSecret: string, now = nowSeconds()): Promise<AuthorizationSession | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(sessionSecret),
          ConditionExpression: '#stage = :consent AND expiresAt > :now',
          ExpressionAttributeNames: { '#stage': 'stage' },
          ExpressionAttributeValues: { ':consent': 'consent', ':now': now },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!Attributes) return undefined;
      const { pk: _pk, sk: _sk, ...session } = Attributes;
      return session as AuthorizationSession;
    } catch (error) {
      if (conditionRefused(error)) return undefined;
      throw error;
    }
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
