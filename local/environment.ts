import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type TableKey, tableEnvVar, tableKeys } from '../contract/tables';
import { ensureTables, localTableNames } from './tables';

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
 */
export function applyLocalEnvironment(local: LocalEnvironment): void {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = local.dynamoDbEndpoint;
  process.env.PUBLIC_BASE_URL = local.publicBaseUrl;
  process.env.LOCAL_STATE_DIR = local.stateDir;
  for (const key of tableKeys) process.env[tableEnvVar(key)] = local.tableNames[key];
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
