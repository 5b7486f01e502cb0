import type { AuthorizationCodeRecord } from '../../core/oauth/authorization-code';
import type {
  GrantRecord,
  GrantStorePort,
  MachineGrantStore,
  RevocationReason,
  TokenLedger,
} from '../../core/oauth/grants';
import type { RefreshTokenRecord } from '../../core/oauth/refresh-tokens';
import { MemoryAuthorizationCodeStore } from './authorization-code-store';

/**
 * The grants table in process memory: authorization codes, grants and refresh tokens, shared by the code
 * store, the grant store and the ledger as the DynamoDB adapters share one table. Every step of the ledger
 * checks all of its conditions before it writes anything, with no pause in between, so it is as atomic as
 * the DynamoDB transaction: it happens whole or not at all, and says which.
 *
 * Nothing expires on its own: like DynamoDB's lazy TTL deletion, an item past its retention may still be
 * read, and the records' own deadlines (`validUntil`) decide validity.
 */
class MemoryGrantsData {
  readonly codes = new Map<string, AuthorizationCodeRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
}

class MemoryGrantStore implements GrantStorePort, MachineGrantStore {
  constructor(private readonly data: MemoryGrantsData) {}

  /** Writes the grant unless one with its id exists (which is left as it is). */
  async createIfAbsent(grant: GrantRecord): Promise<void> {
    if (!this.data.grants.has(grant.grantId)) this.data.grants.set(grant.grantId, structuredClone(grant));
  }

  async get(grantId: string): Promise<GrantRecord | undefined> {
    const grant = this.data.grants.get(grantId);
    return grant && structuredClone(grant);
  }

  /** A tenant's grants, or every grant when no tenant is given (oldest first). */
  async list(tenantId?: string): Promise<GrantRecord[]> {
    return [...this.data.grants.values()]
      .filter((grant) => tenantId === undefined || grant.tenantId === tenantId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.grantId.localeCompare(b.grantId))
      .map((grant) => structuredClone(grant));
  }

  /** Keeps a first revocation's time and reason, like the DynamoDB store's `if_not_exists`. */
  async revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean> {
    const grant = this.data.grants.get(grantId);
    if (!grant) return false;
    this.data.grants.set(grantId, {
      ...grant,
      status: 'revoked',
      revokedAt: grant.revokedAt ?? at,
      revokedReason: grant.revokedReason ?? reason,
    });
    return true;
  }
}

class MemoryGrantLedger implements TokenLedger {
  constructor(private readonly data: MemoryGrantsData) {}

  async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const token = this.data.refreshTokens.get(tokenHash);
    return token && structuredClone(token);
  }

  async redeemCode(
    codeHash: string,
    nowSeconds: number,
    grant: GrantRecord,
    refresh: RefreshTokenRecord,
  ): Promise<boolean> {
    const code = this.data.codes.get(codeHash);
    if (!code || code.consumedAt !== undefined || code.validUntil <= nowSeconds) return false;
    if (this.data.grants.has(grant.grantId) || this.data.refreshTokens.has(refresh.tokenHash)) return false;
    this.data.codes.set(codeHash, { ...code, consumedAt: nowSeconds });
    this.data.grants.set(grant.grantId, structuredClone(grant));
    this.data.refreshTokens.set(refresh.tokenHash, structuredClone(refresh));
    return true;
  }

  async rotateRefreshToken(
    current: RefreshTokenRecord,
    nowSeconds: number,
    successor: RefreshTokenRecord,
    sealedSuccessor: string,
  ): Promise<boolean> {
    const stored = this.data.refreshTokens.get(current.tokenHash);
    if (stored?.status !== 'active' || stored.validUntil <= nowSeconds) return false;
    if (this.data.refreshTokens.has(successor.tokenHash)) return false;
    const grant = this.data.grants.get(current.grantId);
    if (grant?.status !== 'active') return false;
    this.data.grants.set(current.grantId, { ...grant, lastUsedAt: nowSeconds });
    this.data.refreshTokens.set(current.tokenHash, {
      ...stored,
      status: 'rotated',
      rotatedAt: nowSeconds,
      successorHash: successor.tokenHash,
      sealedSuccessor,
    });
    this.data.refreshTokens.set(successor.tokenHash, structuredClone(successor));
    return true;
  }
}

/** One in-memory grants table: the code store, the grant store and the ledger share it. */
export function memoryGrantStores(): {
  codes: MemoryAuthorizationCodeStore;
  grants: MemoryGrantStore;
  ledger: MemoryGrantLedger;
} {
  const data = new MemoryGrantsData();
  return {
    codes: new MemoryAuthorizationCodeStore(data.codes),
    grants: new MemoryGrantStore(data),
    ledger: new MemoryGrantLedger(data),
  };
}

export type { MemoryGrantLedger, MemoryGrantStore };
