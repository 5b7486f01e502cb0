import type { RefreshTokenRecord } from './refresh-tokens';

/**
 * A grant: one approved connection (tenant + client + approving admin). Every access and refresh token is
 * issued under a grant, and revoking the grant stops all of them (RFC 7009 §2.1, RFC 9700 §4.14.2).
 */
export type GrantStatus = 'active' | 'revoked';

export interface GrantRecord {
  readonly grantId: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The admin who approved the connection; a machine client's own id (RFC 9068 §2.2: no resource owner). */
  readonly subject: string;
  readonly scope: string;
  readonly status: GrantStatus;
  readonly createdAt: string;
  readonly revokedAt?: string;
  /** Why it was revoked, for `grant list` (e.g. `refresh-token-reuse`, `code-replay`, `admin`). */
  readonly revokedReason?: string;
  /**
   * Epoch seconds: the absolute end of the grant, of every refresh token under it and (checked by the resource
   * server) of its access tokens; for a machine client's grant, the end of its secret.
   */
  readonly expiresAt?: number;
  /** Epoch seconds: when the approving admin signed in. */
  readonly authTime?: number;
  /**
   * Epoch seconds: when a refresh token of the grant was last redeemed, written by the rotation's own
   * transaction (TokenLedger `rotateRefreshToken`), so it costs no extra write and none on the SCIM path;
   * absent until the first refresh.
   */
  readonly lastUsedAt?: number;
}

export type RevocationReason =
  | 'code-replay'
  | 'refresh-token-reuse'
  | 'revocation-request'
  | 'admin'
  | 'client-deleted'
  | 'client-secret-ended'
  | 'approver-removed';

/**
 * The grants of machine clients (client_credentials), one per client secret (clients.ts `machineGrantIdOf`):
 * `createIfAbsent` writes the grant the first time a secret gets a token and never changes an existing one,
 * so a grant the admin tools have already ended (revoked, or given an end) stays so.
 */
export interface MachineGrantStore {
  createIfAbsent(grant: GrantRecord): Promise<void>;
}

/** Reading and revoking grants. */
export interface GrantStorePort {
  get(grantId: string): Promise<GrantRecord | undefined>;
  /** Revokes the grant if it exists (keeping a first revocation's time and reason); whether it existed. */
  revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean>;
}

/**
 * The token endpoint's atomic steps (AS-L1): each either happens whole or not at all, and says which.
 * - `redeemCode`: marks the code consumed (only if unconsumed and unexpired) and creates the grant and its
 *   first refresh token; false when the code was consumed, had expired or vanished meanwhile.
 * - `rotateRefreshToken`: marks the token rotated (only if still active and unexpired), creates its
 *   successor and sets the grant's `lastUsedAt` (only if the grant is still active); false otherwise, and the
 *   caller decides from a fresh read.
 */
export interface TokenLedger {
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  redeemCode(codeHash: string, now: number, grant: GrantRecord, refresh: RefreshTokenRecord): Promise<boolean>;
  rotateRefreshToken(
    current: RefreshTokenRecord,
    now: number,
    successor: RefreshTokenRecord,
    sealedSuccessor: string,
    grantExpiresAt: number,
  ): Promise<boolean>;
}
