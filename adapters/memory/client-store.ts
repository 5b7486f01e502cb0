import { randomUUID } from 'node:crypto';
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
} from '../../core/oauth/clients';
import { StoreError } from '../dynamodb/store-errors';

interface StoredClient extends Omit<ClientRecord, 'secrets'> {
  readonly secrets: readonly StoredClientSecret[];
}

const toRecord = (stored: StoredClient): ClientRecord =>
  structuredClone({
    ...stored,
    secrets: stored.secrets.map(({ createdAt, expiresAt }) =>
      expiresAt === undefined ? { createdAt } : { createdAt, expiresAt },
    ),
  });

/**
 * OAuth clients in process memory, with the DynamoDB store's rules (adapters/dynamodb/client-store.ts): a client
 * belongs to an existing tenant, its secrets are kept only as hashes and leave only through
 * `getWithSecretHashes`, a rotation keeps at most two secrets, and the errors are the same StoreErrors. Each
 * write checks and applies in one synchronous step.
 */
export class MemoryClientStore implements ClientDirectory, ClientSecretSource {
  private readonly clients = new Map<string, StoredClient>();

  /** `tenantExists` reads the tenants of the same in-memory database (memoryAccessStores). */
  constructor(private readonly tenantExists: (tenantId: string) => boolean) {}

  /** Registers a client of an existing tenant and returns its first secret, which is not stored anywhere. */
  async create(
    client: NewClient,
    now = new Date(),
    clientId: string = randomUUID(),
  ): Promise<{ client: ClientRecord; clientSecret: string }> {
    const { record, clientSecret, secret } = newClientRecord(client, clientId, now);
    this.mayAdd(client.tenantId, clientId);
    const stored: StoredClient = { ...record, secrets: [secret] };
    this.clients.set(stored.clientId, stored);
    return { client: toRecord(stored), clientSecret };
  }

  /** Registers a public client: no secret; a repeated `clientId` is `duplicate-client`. */
  async createPublic(
    client: NewPublicClient,
    now = new Date(),
    clientId: string = randomUUID(),
  ): Promise<{ client: ClientRecord }> {
    const record = newPublicClientRecord(client, clientId, now);
    this.mayAdd(client.tenantId, clientId);
    const stored: StoredClient = { ...record, secrets: [] };
    this.clients.set(clientId, stored);
    return { client: toRecord(stored) };
  }

  private mayAdd(tenantId: string | undefined, clientId: string): void {
    if (tenantId !== undefined && !this.tenantExists(tenantId)) {
      throw new StoreError('unknown-tenant', `There is no tenant ${tenantId}`);
    }
    if (this.clients.has(clientId)) throw new StoreError('duplicate-client', `There is already a client ${clientId}`);
  }

  /** Registers a machine client that authenticates with signed JWTs (RFC 7523) only: no secret at all. */
  async createWithAssertionKeys(client: NewAssertionClient, now = new Date()): Promise<{ client: ClientRecord }> {
    const { assertionCredential, ...settings } = client;
    const { record } = newClientRecord(settings, randomUUID(), now);
    if (!this.tenantExists(client.tenantId)) {
      throw new StoreError('unknown-tenant', `There is no tenant ${client.tenantId}`);
    }
    const stored: StoredClient = { ...record, assertionCredential: structuredClone(assertionCredential), secrets: [] };
    this.clients.set(stored.clientId, stored);
    return { client: toRecord(stored) };
  }

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const stored = this.clients.get(clientId);
    return stored && toRecord(stored);
  }

  async getWithSecretHashes(clientId: string) {
    const stored = this.clients.get(clientId);
    return stored && { client: toRecord(stored), secretHashes: structuredClone(stored.secrets) };
  }

  /** A tenant's clients, or every client when no tenant is given (oldest first). */
  async list(tenantId?: string): Promise<ClientRecord[]> {
    return [...this.clients.values()]
      .filter((client) => tenantId === undefined || client.tenantId === tenantId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId))
      .map(toRecord);
  }

  /**
   * Adds a new secret (expiring `newSecretLifetimeSeconds` from now when given) and lets the current one
   * expire `overlapSeconds` from now (0 ends it at once). At most
   * two secrets exist: a secret still in an earlier overlap ends now. Returns the new secret.
   */
  async rotateSecret(
    clientId: string,
    overlapSeconds: number,
    now = new Date(),
    newSecretLifetimeSeconds?: number,
  ): Promise<{ clientSecret: string; client: ClientRecord; previousSecretExpiresAt: number }> {
    const stored = this.clients.get(clientId);
    if (!stored) throw new StoreError('unknown-client', `There is no client ${clientId}`);
    const { clientSecret, secrets, previousSecretExpiresAt } = rotatedSecrets(
      stored.secrets,
      overlapSeconds,
      now,
      newSecretLifetimeSeconds,
    );
    const rotated: StoredClient = { ...stored, secrets };
    this.clients.set(clientId, rotated);
    return { clientSecret, client: toRecord(rotated), previousSecretExpiresAt };
  }

  /** Deletes the client; its secrets stop working at once. Returns the deleted client, or undefined. */
  async delete(clientId: string): Promise<ClientRecord | undefined> {
    const stored = this.clients.get(clientId);
    if (!stored) return undefined;
    this.clients.delete(clientId);
    return toRecord(stored);
  }
}
