import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials: authorization codes, refresh tokens and client secrets. Each is 256 bits from the CSPRNG
 * (RFC 6749 §10.10 asks for at most 2^-128 guessing odds), base64url without padding, and only its SHA-256 is
 * ever stored (RFC 6819 §5.1.4.1.3, §5.1.4.2.2). A fast hash is enough: with 256 bits of entropy there is
 * nothing to brute-force, so a database dump holds no usable credential.
 */
export const OPAQUE_TOKEN_BYTES = 32;

export const newOpaqueToken = (): string => randomBytes(OPAQUE_TOKEN_BYTES).toString('base64url');

/** The storage and lookup key of an opaque credential: base64url(SHA-256(value)). */
export const opaqueTokenHash = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('base64url');

/** Compares two hashes (equal length by construction) without leaking where they differ. */
export function hashesEqual(left: string, right: string): boolean {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
