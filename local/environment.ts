import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FileTokenSigner } from '../adapters/local/file-signer';
import { PUBLIC_BASE_URL_ENV } from '../contract/environment';
import { type TableKey, tableEnvVar, tableKeys } from '../contract/tables';
import { provideTokenSigner } from '../functions/_shared/services';
import { ensureTables, localTableNames } from './tables';

/**
 * The local state folder, passed on to a local server run in a child process of the one that applied the
 * environment; read only by the local runtime, never by a function.
 */
export const LOCAL_STATE_DIR_ENV = 'LOCAL_STATE_DIR';

export interface LocalEnvironment {
  readonly dynamoDbEndpoint: string;
  readonly publicBaseUrl: string;
  readonly tableNames: Record<TableKey, string>;
  /** Folder of local secrets such as the token signing key (git-ignored). */
  readonly stateDir: string;
}

/**
 * The environment the handlers read in AWS, pointed at the local runtime instead: the same variable names
 * the CDK stack sets, so handler code has no local branch. Credentials are placeholders DynamoDB Local ignores.
 * In place of the KMS key, the functions get the local signing key of the state folder.
 */
export function applyLocalEnvironment(local: LocalEnvironment): void {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = local.dynamoDbEndpoint;
  process.env[PUBLIC_BASE_URL_ENV] = local.publicBaseUrl;
  process.env[LOCAL_STATE_DIR_ENV] = local.stateDir;
  for (const key of tableKeys) process.env[tableEnvVar(key)] = local.tableNames[key];
  useLocalSigner();
}

let signerStateDir: string | undefined;

/**
 * Gives the functions the local stand-in for the KMS key: an ES256 key kept in the state folder (created on
 * first use), so that tokens stay valid across restarts. Without a state folder there is nothing to provide.
 */
export function useLocalSigner(stateDir = process.env[LOCAL_STATE_DIR_ENV]): void {
  if (!stateDir || stateDir === signerStateDir) return;
  signerStateDir = stateDir;
  provideTokenSigner(new FileTokenSigner(join(stateDir, 'token-signing-key.json')));
}

/** Creates (or updates) the local tables and returns their names. */
export async function prepareLocalTables(endpoint: string, prefix = ''): Promise<Record<TableKey, string>> {
  const names = localTableNames(prefix);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTables(client, names);
  } finally {
    client.destroy();
  }
  return names;
}
