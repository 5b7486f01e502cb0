import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2): opaque, 256-bit, stored only as SHA-256, bound to the
 * client, tenant, grant and scope. Every use rotates the token; presenting a rotated token is reuse and
 * revokes the whole grant, except within a short grace window after the rotation, where the same successor
 * is returned again so that a client whose response was lost (a network blip on Okta's side) can retry.
 */

/** Okta refreshes only when it has provisioning work, so a quiet tenant must not lose its connection. */
export const REFRESH_TOKEN_IDLE_SECONDS = 90 * 24 * 3600;
/** The absolute end of a grant and of every refresh token under it (RFC 9700 §4.14.2). */
export const GRANT_ABSOLUTE_LIFETIME_SECONDS = 365 * 24 * 3600;
/** How long a rotated token still returns its successor (RFC 9700 §4.14.2 leaves it to the AS; ≤ 60 s). */
export const REFRESH_GRACE_SECONDS = 60;

export interface RefreshTokenRecord {
  readonly tokenHash: string;
  readonly grantId: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds: the idle deadline, capped by the grant's absolute end. Refused from this instant on. */
  readonly validUntil: number;
  readonly status: 'active' | 'rotated';
  /** Epoch seconds, once rotated. */
  readonly rotatedAt?: number;
  readonly successorHash?: string;
  /** The successor token, encrypted with a key derived from this (never stored) token. */
  readonly sealedSuccessor?: string;
}

/**
 * The successor of a rotated token must be returned again to a retry, yet no usable token may sit in the
 * database. So it is stored encrypted (AES-256-GCM) under a key derived with HKDF from the predecessor token,
 * which is itself stored only as a hash: only someone presenting the predecessor can read the successor.
 */
function sealingKey(predecessor: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(predecessor, 'utf8'), Buffer.alloc(0), 'refresh-successor', 32));
}

export function sealSuccessor(predecessor: string, successor: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(predecessor), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The successor, or undefined when `sealed` was not sealed with this predecessor. */
export function unsealSuccessor(predecessor: string, sealed: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 12 + 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(predecessor), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
