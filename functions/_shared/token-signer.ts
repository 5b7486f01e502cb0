import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import type { JWK } from 'jose';
import { KmsTokenSigner } from '../../adapters/kms/kms-signer';
import { FileTokenSigner } from '../../adapters/local/file-signer';
import type { TokenSigner } from '../../core/oauth/signer';
import { ConfigError } from './config';

/** Set by the CDK stack on routes with a signing capability. */
export const SIGNING_KEY_ENV = 'TOKEN_SIGNING_KEY_ARN';
/**
 * Set by the CDK stack on routes that publish or verify tokens: every key currently published in the JWKS,
 * comma-separated, signing key first. During a rotation the new key is published here before it signs, and the
 * old one stays until its last tokens have expired.
 */
export const VERIFICATION_KEYS_ENV = 'TOKEN_VERIFICATION_KEY_ARNS';
/** Set only by the local runtime: where `.local/` state such as the local signing key lives. */
export const LOCAL_STATE_DIR_ENV = 'LOCAL_STATE_DIR';

let signer: TokenSigner | undefined;
let verificationKeySet: Promise<JWK[]> | undefined;

/**
 * The token signer for this process, built once per cold start: the KMS key in AWS, the local key file under
 * `npm start` and the tests. Having neither is a broken deployment.
 */
export function tokenSigner(): TokenSigner {
  if (signer) return signer;
  const keyArn = process.env[SIGNING_KEY_ENV];
  const localStateDir = process.env[LOCAL_STATE_DIR_ENV];
  if (keyArn) signer = new KmsTokenSigner(new KMSClient({}), keyArn);
  else if (localStateDir) signer = new FileTokenSigner(join(localStateDir, 'token-signing-key.json'));
  else throw new ConfigError(`Missing required environment variable ${SIGNING_KEY_ENV}`);
  return signer;
}

/**
 * The public keys tokens are verified with and the JWKS publishes, fetched once per cold start: every key in
 * TOKEN_VERIFICATION_KEY_ARNS when set (AWS), otherwise the signer's own key (local runtime).
 */
export function verificationKeys(): Promise<JWK[]> {
  verificationKeySet ??= loadVerificationKeys().catch((error: unknown) => {
    verificationKeySet = undefined;
    throw error;
  });
  return verificationKeySet;
}

async function loadVerificationKeys(): Promise<JWK[]> {
  const arns = (process.env[VERIFICATION_KEYS_ENV] ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  if (arns.length === 0) return [await tokenSigner().publicJwk()];
  const kms = new KMSClient({});
  return Promise.all(arns.map((arn) => new KmsTokenSigner(kms, arn).publicJwk()));
}
