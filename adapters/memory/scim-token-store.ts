import type { ScimTokenRecord, ScimTokenStorePort } from '../../core/oauth/scim-tokens';

/**
 * SCIM bearer tokens in process memory, with the DynamoDB store's rules (adapters/dynamodb/scim-token-store.ts):
 * keyed by hash, listed per tenant oldest first, a first revocation's time kept.
 */
export class MemoryScimTokenStore implements ScimTokenStorePort {
  private readonly tokens = new Map<string, ScimTokenRecord>();

  async get(tokenHash: string): Promise<ScimTokenRecord | undefined> {
    const token = this.tokens.get(tokenHash);
    return token && structuredClone(token);
  }

  async listForTenant(tenantId: string): Promise<ScimTokenRecord[]> {
    return [...this.tokens.values()]
      .filter((token) => token.tenantId === tenantId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tokenId.localeCompare(b.tokenId))
      .map((token) => structuredClone(token));
  }

  async put(record: ScimTokenRecord): Promise<void> {
    if (this.tokens.has(record.tokenHash)) throw new Error('A SCIM token with this hash already exists');
    this.tokens.set(record.tokenHash, structuredClone(record));
  }

  async recordUse(tokenHash: string, at: string, staleBefore: string): Promise<boolean> {
    const token = this.tokens.get(tokenHash);
    if (!token || (token.lastUsedAt !== undefined && token.lastUsedAt >= staleBefore)) return false;
    this.tokens.set(tokenHash, { ...token, lastUsedAt: at });
    return true;
  }

  async markRevoked(tokenHash: string, at: string): Promise<boolean> {
    const token = this.tokens.get(tokenHash);
    if (!token) return false;
    this.tokens.set(tokenHash, { ...token, status: 'revoked', revokedAt: token.revokedAt ?? at });
    return true;
  }
}
