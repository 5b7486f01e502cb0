import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { derToJoseSignature, type TokenSigner } from '../../core/oauth/signer';

/**
 * Signs with an AWS KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY): the private key never leaves KMS. The
 * signing input is sent as `MessageType: RAW` (KMS hashes it with SHA-256); our tokens' signing input is well
 * under KMS's 4096-byte limit for raw messages. The public key is fetched once per cold start.
 */
export class KmsTokenSigner implements TokenSigner {
  private publicKey: Promise<JWK> | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyArn: string,
  ) {}

  async keyId(): Promise<string> {
    return (await this.publicJwk()).kid as string;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const result = await this.kms.send(
      new SignCommand({
        KeyId: this.keyArn,
        Message: signingInput,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!result.Signature) throw new Error('KMS returned no signature');
    return derToJoseSignature(result.Signature);
  }

  publicJwk(): Promise<JWK> {
    this.publicKey ??= this.fetchPublicJwk().catch((error: unknown) => {
      this.publicKey = undefined;
      throw error;
    });
    return this.publicKey;
  }

  private async fetchPublicJwk(): Promise<JWK> {
    const result = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyArn }));
    if (!result.PublicKey) throw new Error('KMS returned no public key');
    const jwk = createPublicKey({ key: Buffer.from(result.PublicKey), format: 'der', type: 'spki' }).export({
      format: 'jwk',
    }) as JWK;
    return { ...jwk, kid: await calculateJwkThumbprint(jwk, 'sha256'), alg: 'ES256', use: 'sig' };
  }
}
