import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { TokenSigner } from '../../core/oauth/signer';

/**
 * The local stand-in for the KMS key: an ES256 key generated once and kept as a JWK file (mode 0600) under the
 * git-ignored `.local/`, so tokens stay valid across `npm start` restarts.
 */
export class FileTokenSigner implements TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private kid: Promise<string> | undefined;

  constructor(keyFile: string) {
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      // 'wx' fails if another process created the file first; that file is then the key.
      try {
        writeFileSync(keyFile, JSON.stringify(privateKey.export({ format: 'jwk' })), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privateKey = createPrivateKey({ key: JSON.parse(readFileSync(keyFile, 'utf8')), format: 'jwk' });
    this.publicKey = createPublicKey(this.privateKey);
  }

  keyId(): Promise<string> {
    this.kid ??= calculateJwkThumbprint(this.publicKey.export({ format: 'jwk' }) as JWK, 'sha256');
    return this.kid;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign('sha256', signingInput, { key: this.privateKey, dsaEncoding: 'ieee-p1363' }));
  }

  async publicJwk(): Promise<JWK> {
    const jwk = this.publicKey.export({ format: 'jwk' }) as JWK;
    return { ...jwk, kid: await this.keyId(), alg: 'ES256', use: 'sig' };
  }
}
