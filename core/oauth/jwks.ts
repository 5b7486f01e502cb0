import type { JWK } from 'jose';

/** The members of a public EC or RSA JWK (RFC 7518 §6.2.1, §6.3.1) plus its metadata; nothing private. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

/**
 * A JWK Set (RFC 7517 §5) with only public members, whatever the signer hands over: a private member such as
 * `d` can never be published by mistake (RFC 8725 §3.10 is about what verifiers trust; this is what we emit).
 */
export function publicJwks(keys: readonly JWK[]): { keys: JWK[] } {
  return {
    keys: keys.map((key) => {
      const publicKey: JWK = {};
      for (const member of PUBLIC_MEMBERS) {
        if (key[member] !== undefined) publicKey[member] = key[member];
      }
      return publicKey;
    }),
  };
}
