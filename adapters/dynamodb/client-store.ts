import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ClientDirectory,
  type ClientRecord,
  type ClientSecretSource,
  type NewAssertionClient,
  type NewClient,
  type NewPublicClient,
  newClientRecord,
  newPublicClientRecord,
  rotatedSecrets,
  type StoredClientSecret,
  storedClientKind,
} from '../../core/oauth/clients';
import { listItemsOfKind } from './list-items';
import { cancellationReasons, isConditionFailure, StoreError } from './store-errors';
import { tenantMustExist } from './tenant-keys';

export type { ClientRecord, ClientSecretInfo } from '../../core/oauth/clients';

/**
 * OAuth clients (core/oauth/clients.ts), in the clients table.
 *
 * Item: pk `CLIENT#<clientId>`, sk `CLIENT`; listed per tenant through gsi1 (`TENANT#<tenantId>`,
 * `CLIENT#<createdAt>#<clientId>`); a multi-tenant client has no tenantId and no gsi1 keys. The item's `kind` attribute names the item type (`client`), so the client's
 * kind is `clientKind` (absent on items written before kinds existed: authorization-code clients). Secrets are
 * stored only as SHA-256 hashes, which leave this module only for the secret check (`getWithSecretHashes`);
 * every other caller gets `ClientRecord`.
 */
type StoredSecret = StoredClientSecret;

interface StoredClient extends Omit<ClientRecord, 'secrets' | 'kind'> {
  readonly clientKind?: ClientRecord['kind'];
  readonly secrets: readonly StoredSecret[];
  readonly secretsVersion: number;
}

const clientKey = (clientId: string) => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' });

function toRecord(item: Record<string, unknown>): ClientRecord {
  const stored = item as unknown as StoredClient;
  const kind = storedClientKind(stored.clientKind);
  return {
    clientId: stored.clientId,
    ...(stored.tenantId === undefined ? {} : { tenantId: stored.tenantId }),
    name: stored.name,
    kind,
    redirectUris: stored.redirectUris,
    ...(kind === 'client_credentials' && stored.accessTokenLifetimeSeconds !== undefined
      ? { accessTokenLifetimeSeconds: stored.accessTokenLifetimeSeconds }
      : {}),
    createdAt: stored.createdAt,
    secrets: stored.secrets.map(({ createdAt, expiresAt }) =>
      expiresAt === undefined ? { createdAt } : { createdAt, expiresAt },
    ),
    ...(stored.assertionCredential ? { assertionCredential: stored.assertionCredential } : {}),
    ...(stored.publicClient === true ? { publicClient: true } : {}),
  };
}

export class ClientStore implements ClientDirectory, ClientSecretSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Registers a client of an existing tenant, or a multi-tenant one (core/oauth/clients.ts `newClientRecord` decides its settings) and
   * returns its first secret, which is not stored anywhere.
   */
  async create(
    client: NewClient,
    now = new Date(),
    clientId: string = randomUUID(),
  ): Promise<{ client: ClientRecord; clientSecret: string }> {
    const { record, clientSecret, secret } = newClientRecord(client, clientId, now);
    return { client: await this.put(record, [secret]), clientSecret };
  }

  /**
   * Registers a public client (core/oauth/clients.ts `publicClient`): an authorization-code client of an
   * existing tenant with no secret. `clientId` lets a caller make a repeated request name the same client, so
   * that the second one fails with `duplicate-client` instead of registering another.
   */
  async createPublic(
    client: NewPublicClient,
    now = new Date(),
    clientId: string = randomUUID(),
  ): Promise<{ client: ClientRecord }> {
    return { client: await this.put(newPublicClientRecord(client, clientId, now), []) };
  }

  /**
   * Registers a machine client that authenticates with signed JWTs (RFC 7523) only: the same settings as
   * `create`, and no secret at all.
   */
  async createWithAssertionKeys(client: NewAssertionClient, now = new Date()): Promise<{ client: ClientRecord }> {
    const clientId = randomUUID();
    const { assertionCredential, ...settings } = client;
    const { record } = newClientRecord(settings, clientId, now);
    return { client: await this.put({ ...record, assertionCredential }, []) };
  }

  private async put(record: Omit<ClientRecord, 'secrets'>, secrets: StoredSecret[]): Promise<ClientRecord> {
    const { kind, ...rest } = record;
    const { clientId, createdAt, tenantId } = record;
    const stored: StoredClient = { ...rest, clientKind: kind, secrets, secretsVersion: 1 };
    const put = {
      TableName: this.tableName,
      Item: { ...clientKey(clientId), kind: 'client', ...stored },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    if (tenantId === undefined) {
      // A multi-tenant client is in no tenant's listing, and only in the operator's full one.
      await this.db.send(new PutCommand(put));
      return toRecord(stored as unknown as Record<string, unknown>);
    }
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            tenantMustExist(this.tableName, tenantId),
            {
              Put: {
                ...put,
                Item: { ...put.Item, gsi1pk: `TENANT#${tenantId}`, gsi1sk: `CLIENT#${createdAt}#${clientId}` },
              },
            },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw new StoreError('unknown-tenant', `There is no tenant ${tenantId}`);
      }
      if (reasons?.[1] === 'ConditionalCheckFailed') {
        throw new StoreError('duplicate-client', `There is already a client ${clientId}`);
      }
      throw error;
    }
    return toRecord(stored as unknown as Record<string, unknown>);
  }

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const item = await this.getStored(clientId);
    return item ? toRecord(item) : undefined;
  }

  async getWithSecretHashes(clientId: string) {
    const item = await this.getStored(clientId);
    if (!item) return undefined;
    return { client: toRecord(item), secretHashes: (item as unknown as StoredClient).secrets };
  }

  /** A tenant's clients, or every client when no tenant is given (oldest first). */
  async list(tenantId?: string): Promise<ClientRecord[]> {
    const clients = (await listItemsOfKind(this.db, this.tableName, 'CLIENT', tenantId)).map(toRecord);
    return clients.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId));
  }

  /**
   * Adds a new secret (expiring `newSecretLifetimeSeconds` from now when given) and lets the current one expire
   * `overlapSeconds` from now (0 ends it at once), so the client's configuration (e.g. Okta's) can be updated
   * in between. At most two secrets exist: a secret still in an earlier overlap ends now. Returns the new
   * secret, which is not stored anywhere.
   */
  async rotateSecret(
    clientId: string,
    overlapSeconds: number,
    now = new Date(),
    newSecretLifetimeSeconds?: number,
  ): Promise<{ clientSecret: string; client: ClientRecord; previousSecretExpiresAt: number }> {
    const item = await this.getStored(clientId);
    if (!item) throw new StoreError('unknown-client', `There is no client ${clientId}`);
    const stored = item as unknown as StoredClient;
    const { clientSecret, secrets, previousSecretExpiresAt } = rotatedSecrets(
      stored.secrets,
      overlapSeconds,
      now,
      newSecretLifetimeSeconds,
    );
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
