/**
 * A grant: one approved connection (tenant + client + approving admin). Every access and refresh token is
 * issued under a grant, and revoking the grant stops all of them (RFC 7009 §2.1, RFC 9700 §4.14.2).
 */
export type GrantStatus = 'active' | 'revoked';

export interface GrantRecord {
  readonly grantId: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The admin who approved the connection. */
  readonly subject: string;
  readonly scope: string;
  readonly status: GrantStatus;
  readonly createdAt: string;
  readonly revokedAt?: string;
  /** Why it was revoked, for `grant list` (e.g. `refresh-token-reuse`, `code-replay`, `admin`). */
  readonly revokedReason?: string;
  /** Epoch seconds: the absolute end of the grant and of every refresh token under it. */
  readonly expiresAt?: number;
  /** Epoch seconds: when the approving admin signed in. */
  readonly authTime?: number;
}

export type RevocationReason =
  | 'code-replay'
  | 'refresh-token-reuse'
  | 'revocation-request'
  | 'admin'
  | 'client-deleted'
  | 'approver-removed';
