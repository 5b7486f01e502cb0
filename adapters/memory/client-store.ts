import { randomUUID } from 'node:crypto';
import type { AssertionCredential } from '../../core/oauth/client-assertion';
import {
  type ClientDirectory,
  type ClientRecord,
  type ClientSecretSource,
  rotatedSecrets,
  type StoredClientSecret,
} from '../../core/oauth/clients';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
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
    client: { tenantId: string; name: string; redirectUris: readonly string[] },
    now = new Date(),
  ): Promise<{ client: ClientRecord; clientSecret: string }> {
    const clientSecret = newOpaqueToken();
    const createdAt = now.toISOString();
    const created = this.put(client, [{ hash: opaqueTokenHash(clientSecret), createdAt }], createdAt);
    return { client: created, clientSecret };
  }

  /** Registers a client that authenticates with signed JWTs (RFC 7523) only: it has no secret at all. */
  async createWithAssertionKeys(
    client: {
      tenantId: string;
      name: string;
      redirectUris: readonly string[];
      assertionCredential: AssertionCredential;
    },
    now = new Date(),
  ): Promise<{ client: ClientRecord }> {
    return { client: this.put(client, [], now.toISOString()) };
  }

  private put(
    client: {
      tenantId: string;
      name: string;
      redirectUris: readonly string[];
      assertionCredential?: AssertionCredential;
    },
    secrets: StoredClientSecret[],
    createdAt: string,
  ): ClientRecord {
    if (!this.tenantExists(client.tenantId)) {
      throw new StoreError('unknown-tenant', `There is no tenant ${client.tenantId}`);
    }
    const stored: StoredClient = {
      clientId: randomUUID(),
      tenantId: client.tenantId,
      name: client.name,
      redirectUris: [...client.redirectUris],
      createdAt,
      secrets,
      ...(client.assertionCredential ? { assertionCredential: structuredClone(client.assertionCredential) } : {}),
    };
    this.clients.set(stored.clientId, stored);
    return toRecord(stored);
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
   * Adds a new secret and lets the current one expire `overlapSeconds` from now (0 ends it at once). At most
   * two secrets exist: a secret still in an earlier overlap ends now. Returns the new secret.
   */
  async rotateSecret(
    clientId: string,
    overlapSeconds: number,
    now = new Date(),
  ): Promise<{ clientSecret: string; client: ClientRecord; previousSecretExpiresAt: number }> {
    const stored = this.clients.get(clientId);
    if (!stored) throw new StoreError('unknown-client', `There is no client ${clientId}`);
    const { clientSecret, secrets, previousSecretExpiresAt } = rotatedSecrets(stored.secrets, overlapSeconds, now);
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
