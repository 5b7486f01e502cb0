import { createHash } from 'node:crypto';
import { hashesEqual } from './opaque-tokens';

/**
 * PKCE, RFC 7636. Only S256 is supported (`plain` offers nothing against a leaked authorization request,
 * RFC 9700 §2.1.1). Challenges and verifiers share one syntax: 43–128 characters of [A-Z a-z 0-9 - . _ ~]
 * (RFC 7636 §4.1, §4.2).
 */
export const PKCE_METHODS = ['S256'] as const;
export type PkceMethod = (typeof PKCE_METHODS)[number];

const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export const isWellFormedPkceValue = (value: string): boolean => PKCE_VALUE.test(value);

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time. */
export function verifierMatchesChallenge(verifier: string, challenge: string): boolean {
  if (!isWellFormedPkceValue(verifier)) return false;
  return hashesEqual(createHash('sha256').update(verifier, 'ascii').digest('base64url'), challenge);
}
