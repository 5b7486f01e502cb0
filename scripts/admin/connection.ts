import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableKey } from '../../contract/tables';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { prepareLocalTables } from '../../local/environment';
import { readRuntimeFile } from '../../local/runtime-file';
import { localTableNames } from '../../local/tables';
import { CliError } from './cli-error';

/** Where the CLI's data lives: DynamoDB Local (the `npm start` data) or a deployed stack's tables. */
export interface Connection {
  readonly db: DynamoDBDocumentClient;
  readonly tables: Record<TableKey, string>;
  /** One line for humans: which data the command worked on. */
  readonly description: string;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  readonly endpoint?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly usersTable?: string;
  readonly clientsTable?: string;
  readonly grantsTable?: string;
}

/** Overrides the DynamoDB endpoint like `--endpoint` (used by the tests, and handy in scripts). */
export const ENDPOINT_ENV = 'SCIM_ADMIN_DYNAMODB_ENDPOINT';

const PROJECT_ROOT = join(__dirname, '..', '..');
const STATE_DIR = join(PROJECT_ROOT, '.local');

const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

const localClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });

/**
 * Picks the data to work on, in this order:
 * 1. `--stack <name>`: the table names from the deployed stack's CloudFormation outputs;
 * 2. `--clients-table` and `--grants-table` (and `--users-table`): those tables in AWS;
 * 3. `--endpoint <url>` (or SCIM_ADMIN_DYNAMODB_ENDPOINT): a DynamoDB Local with the local table names;
 * 4. the DynamoDB Local of a running `npm start` (found through `.local/runtime.json`);
 * 5. otherwise a DynamoDB Local of its own on `.local/dynamodb`, stopped when the command ends. Only one
 *    process can open that database at a time, so do not start `npm start` while a command runs.
 */
export async function connect(options: ConnectionOptions): Promise<Connection> {
  if (options.stack !== undefined) return connectToStack(options.stack, options.region);
  if (options.usersTable !== undefined || options.clientsTable !== undefined || options.grantsTable !== undefined) {
    if (!options.clientsTable || !options.grantsTable) {
      throw new CliError('--clients-table and --grants-table are both required when naming tables', 2);
    }
    const client = new DynamoDBClient(options.region ? { region: options.region } : {});
    return {
      db: documentClient(client),
      tables: { users: options.usersTable ?? '', clients: options.clientsTable, grants: options.grantsTable },
      description: `tables ${options.clientsTable} and ${options.grantsTable}`,
      close: async () => client.destroy(),
    };
  }
  const endpoint = options.endpoint ?? (process.env[ENDPOINT_ENV] || undefined);
  if (endpoint !== undefined) {
    const client = localClient(endpoint);
    return {
      db: documentClient(client),
      tables: localTableNames(),
      description: `DynamoDB at ${endpoint}`,
      close: async () => client.destroy(),
    };
  }
  const running = readRuntimeFile(STATE_DIR);
  if (running) {
    const client = localClient(running.dynamoDbEndpoint);
    return {
      db: documentClient(client),
      tables: running.tableNames,
      description: `the running npm start (${running.publicBaseUrl})`,
      close: async () => client.destroy(),
    };
  }
  const dataDir = join(STATE_DIR, 'dynamodb');
  const database = await startDynamoDbLocal({ dataDir });
  try {
    const tables = await prepareLocalTables(database.endpoint);
    const client = localClient(database.endpoint);
    return {
      db: documentClient(client),
      tables,
      description: existsSync(dataDir) ? 'the npm start data in .local/dynamodb' : 'a new local database',
      close: async () => {
        client.destroy();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

async function connectToStack(stackName: string, region: string | undefined): Promise<Connection> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  let outputs: Record<string, string>;
  try {
    const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (result.Stacks?.[0]?.Outputs ?? []).flatMap((output) =>
        output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [],
      ),
    );
  } catch (error) {
    throw new CliError(`Cannot read stack ${stackName}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    cloudFormation.destroy();
  }
  const { UsersTableName: users, ClientsTableName: clients, GrantsTableName: grants } = outputs;
  if (!clients || !grants) {
    throw new CliError(`Stack ${stackName} has no ClientsTableName and GrantsTableName outputs`);
  }
  const client = new DynamoDBClient(region ? { region } : {});
  return {
    db: documentClient(client),
    tables: { users: users ?? '', clients, grants },
    description: `stack ${stackName}`,
    close: async () => client.destroy(),
  };
}
