import type { JWK } from 'jose';

/**
 * Signs access tokens with ES256 (ECDSA P-256 with SHA-256, RFC 7518 §3.4). In AWS the private key lives in KMS
 * and never leaves it; locally it is a key file under `.local/`. Both sit behind this one interface.
 */
export interface TokenSigner {
  /** The key id (`kid`) published in the JWKS: the RFC 7638 thumbprint of the public key. */
  keyId(): Promise<string>;
  /** The JOSE signature of the JWS signing input: raw R‖S, 64 bytes (RFC 7518 §3.4), not DER. */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key as a JWK with `kid`, `alg` and `use`, for the JWKS and for verification. */
  publicJwk(): Promise<JWK>;
}

/**
 * ECDSA signatures from KMS (and OpenSSL) are DER `SEQUENCE { INTEGER r, INTEGER s }`; JWS wants the two
 * integers as fixed-size big-endian octets concatenated (RFC 7518 §3.4).
 */
export function derToJoseSignature(der: Uint8Array, coordinateBytes = 32): Uint8Array {
  let offset = 0;
  const expect = (tag: number) => {
    if (der[offset] !== tag) throw new Error('Malformed DER ECDSA signature');
    offset += 1;
  };
  const readLength = (): number => {
    const first = der[offset++] ?? 0;
    if (first < 0x80) return first;
    const count = first & 0x7f;
    let length = 0;
    for (let index = 0; index < count; index += 1) length = (length << 8) | (der[offset++] ?? 0);
    return length;
  };
  const readInteger = (): Uint8Array => {
    expect(0x02);
    const length = readLength();
    let value = der.subarray(offset, offset + length);
    offset += length;
    while (value.length > coordinateBytes && value[0] === 0) value = value.subarray(1);
    if (value.length > coordinateBytes) throw new Error('Malformed DER ECDSA signature');
    const padded = new Uint8Array(coordinateBytes);
    padded.set(value, coordinateBytes - value.length);
    return padded;
  };
  expect(0x30);
  readLength();
  const r = readInteger();
  const s = readInteger();
  const signature = new Uint8Array(coordinateBytes * 2);
  signature.set(r, 0);
  signature.set(s, coordinateBytes);
  return signature;
}
