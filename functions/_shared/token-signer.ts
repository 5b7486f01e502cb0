import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsTokenSigner } from '../../adapters/kms/kms-signer';
import { FileTokenSigner } from '../../adapters/local/file-signer';
import type { TokenSigner } from '../../core/oauth/signer';
import { ConfigError } from './config';

/** Set by the CDK stack on routes with a signing capability. */
export const SIGNING_KEY_ENV = 'TOKEN_SIGNING_KEY_ARN';
/** Set only by the local runtime: where `.local/` state such as the local signing key lives. */
export const LOCAL_STATE_DIR_ENV = 'LOCAL_STATE_DIR';

let signer: TokenSigner | undefined;

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
