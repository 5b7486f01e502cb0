import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { hashesEqual, newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { listItemsOfKind } from './list-items';
import { cancellationReasons, isConditionFailure, StoreError } from './store-errors';
import { tenantMustExist } from './tenant-keys';

/**
 * OAuth clients (confidential, one tenant each), in the clients table.
 *
 * Item: pk `CLIENT#<clientId>`, sk `CLIENT`; listed per tenant through gsi1 (`TENANT#<tenantId>`,
 * `CLIENT#<createdAt>#<clientId>`). Secrets are 256-bit random values stored only as SHA-256 hashes
 * (RFC 6819 §5.1.4.1.3); at most two are valid at once, so a secret can be rotated without downtime.
 * The hashes never leave this module: callers get `ClientRecord`, which describes secrets without them.
 */
export interface ClientSecretInfo {
  readonly createdAt: string;
  /** Epoch seconds after which the secret is refused; absent for the current secret. */
  readonly expiresAt?: number;
}

export interface ClientRecord {
  readonly clientId: string;
  readonly tenantId: string;
  readonly name: string;
  /** Compared to the authorization request's `redirect_uri` by exact string equality. */
  readonly redirectUris: readonly string[];
  readonly createdAt: string;
  readonly secrets: readonly ClientSecretInfo[];
}

interface StoredSecret extends ClientSecretInfo {
  readonly hash: string;
}

interface StoredClient extends Omit<ClientRecord, 'secrets'> {
  readonly secrets: readonly StoredSecret[];
  readonly secretsVersion: number;
}

const clientKey = (clientId: string) => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' });

function toRecord(item: Record<string, unknown>): ClientRecord {
  const stored = item as unknown as StoredClient;
  return {
    clientId: stored.clientId,
    tenantId: stored.tenantId,
    name: stored.name,
    redirectUris: stored.redirectUris,
    createdAt: stored.createdAt,
    secrets: stored.secrets.map(({ createdAt, expiresAt }) =>
      expiresAt === undefined ? { createdAt } : { createdAt, expiresAt },
    ),
  };
}

const secretIsValid = (secret: StoredSecret, nowSeconds: number) =>
  secret.expiresAt === undefined || secret.expiresAt > nowSeconds;

export class ClientStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Registers a client of an existing tenant and returns its first secret, which is not stored anywhere. */
  async create(
    client: { tenantId: string; name: string; redirectUris: readonly string[] },
    now = new Date(),
  ): Promise<{ client: ClientRecord; clientSecret: string }> {
    const clientId = randomUUID();
    const clientSecret = newOpaqueToken();
    const createdAt = now.toISOString();
    const stored: StoredClient = {
      clientId,
      tenantId: client.tenantId,
      name: client.name,
      redirectUris: [...client.redirectUris],
      createdAt,
      secrets: [{ hash: opaqueTokenHash(clientSecret), createdAt }],
      secretsVersion: 1,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            tenantMustExist(this.tableName, client.tenantId),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...clientKey(clientId),
                  gsi1pk: `TENANT#${client.tenantId}`,
                  gsi1sk: `CLIENT#${createdAt}#${clientId}`,
                  kind: 'client',
                  ...stored,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') {
        throw new StoreError('unknown-tenant', `There is no tenant ${client.tenantId}`);
      }
      throw error;
    }
    return { client: toRecord(stored as unknown as Record<string, unknown>), clientSecret };
  }

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const item = await this.getStored(clientId);
    return item ? toRecord(item) : undefined;
  }

  /**
   * The client when `clientSecret` is one of its valid secrets, else undefined. An unknown client costs the
   * same hash and comparison as a wrong secret, so the two cannot be told apart by timing (AS-E5).
   */
  async authenticate(clientId: string, clientSecret: string, now = new Date()): Promise<ClientRecord | undefined> {
    const item = await this.getStored(clientId);
    const presented = opaqueTokenHash(clientSecret);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // An unknown client is compared against a stand-in hash, so it takes the same steps as a wrong secret.
    const secrets = (item?.secrets as StoredSecret[] | undefined) ?? [{ hash: opaqueTokenHash(''), createdAt: '' }];
    let matched = false;
    for (const secret of secrets) {
      if (hashesEqual(presented, secret.hash) && secretIsValid(secret, nowSeconds)) matched = true;
    }
    return matched && item ? toRecord(item) : undefined;
  }

  /** A tenant's clients, or every client when no tenant is given (oldest first). */
  async list(tenantId?: string): Promise<ClientRecord[]> {
    const clients = (await listItemsOfKind(this.db, this.tableName, 'CLIENT', tenantId)).map(toRecord);
    return clients.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId));
  }

  /**
   * Adds a new secret and lets the current one expire `overlapSeconds` from now (0 ends it at once), so the
   * client's configuration (e.g. Okta's) can be updated in between. At most two secrets exist: a secret still
   * in an earlier overlap ends now. Returns the new secret, which is not stored anywhere.
   */
  async rotateSecret(
    clientId: string,
    overlapSeconds: number,
    now = new Date(),
  ): Promise<{ clientSecret: string; client: ClientRecord; previousSecretExpiresAt: number }> {
    const item = await this.getStored(clientId);
    if (!item) throw new StoreError('unknown-client', `There is no client ${clientId}`);
    const stored = item as unknown as StoredClient;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const current = [...stored.secrets]
      .filter((secret) => secretIsValid(secret, nowSeconds))
      .sort((a, b) => (b.expiresAt ?? Number.POSITIVE_INFINITY) - (a.expiresAt ?? Number.POSITIVE_INFINITY))[0];
    const previousSecretExpiresAt = Math.min(
      current?.expiresAt ?? Number.POSITIVE_INFINITY,
      nowSeconds + overlapSeconds,
    );
    const clientSecret = newOpaqueToken();
    const secrets: StoredSecret[] = [
      ...(current && previousSecretExpiresAt > nowSeconds
        ? [{ hash: current.hash, createdAt: current.createdAt, expiresAt: previousSecretExpiresAt }]
        : []),
      { hash: opaqueTokenHash(clientSecret), createdAt: now.toISOString() },
    ];
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: clientKey(clientId),
          UpdateExpression: 'SET secrets = :secrets, secretsVersion = :next',
          ConditionExpression: 'secretsVersion = :version',
          ExpressionAttributeValues: {
            ':secrets': secrets,
            ':version': stored.secretsVersion,
            ':next': stored.secretsVersion + 1,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new StoreError('concurrent-change', `Client ${clientId} was changed or deleted meanwhile; try again`);
      }
      throw error;
    }
    return {
      clientSecret,
      client: toRecord({ ...item, secrets }),
      previousSecretExpiresAt,
    };
  }

  /** Deletes the client; its secrets stop working at once. Returns the deleted client, or undefined. */
  async delete(clientId: string): Promise<ClientRecord | undefined> {
    const result = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: clientKey(clientId), ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes ? toRecord(result.Attributes) : undefined;
  }

  private async getStored(clientId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: clientKey(clientId), ConsistentRead: true }),
    );
    return result.Item;
  }
}
