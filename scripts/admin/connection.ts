import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pathOf, SCIM_BASE_PATH } from '../../contract/routes';
import type { TableKey } from '../../contract/tables';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { prepareLocalTables } from '../../local/environment';
import { type ReadyRuntime, readRuntimeFile } from '../../local/runtime-file';
import { displayPath, LOCAL_DIR_ENV, localStateDir } from '../../local/state-dir';
import { localTableNames } from '../../local/tables';
import { CliError } from './cli-error';

/** Where the CLI's data lives: DynamoDB Local (the `npm start` data) or a deployed stack's tables. */
export interface Connection {
  readonly db: DynamoDBDocumentClient;
  readonly tables: Record<TableKey, string>;
  /** One line for humans: which data the command worked on. */
  readonly description: string;
  /** Whether it is a DynamoDB Local (the local runtime's data) rather than tables in AWS. */
  readonly local: boolean;
  /** The service's public addresses, when the connection knows them (a deployed stack, a running npm start). */
  readonly serviceUrls?: ServiceUrls;
  close(): Promise<void>;
}

export interface ServiceUrls {
  readonly scimBaseUrl: string;
  readonly tokenEndpoint: string;
}

/** The addresses of the service whose public base URL (issuer) is `publicBaseUrl`. */
export const serviceUrlsOf = (publicBaseUrl: string): ServiceUrls => ({
  scimBaseUrl: `${publicBaseUrl}${SCIM_BASE_PATH}`,
  tokenEndpoint: `${publicBaseUrl}${pathOf('OAuthToken')}`,
});

export interface ConnectionOptions {
  readonly endpoint?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly usersTable?: string;
  readonly activityTable?: string;
  readonly clientsTable?: string;
  readonly grantsTable?: string;
}

/** Overrides the DynamoDB endpoint like `--endpoint` (used by the tests, and handy in scripts). */
export const ENDPOINT_ENV = 'SCIM_ADMIN_DYNAMODB_ENDPOINT';

const STATE_DIR = localStateDir();

/** How long a command waits for an `npm start` that is still starting (DynamoDB Local takes seconds). */
const STARTUP_WAIT_MS = 120_000;
const STARTUP_POLL_MS = 200;

/** The file DynamoDB Local keeps a `-sharedDb` database in. */
const SHARED_DB_FILE = 'shared-local-instance.db';

/** Where the CLI says which data it works on (one line before the command runs) and warns; stderr. */
export type Notify = (line: string) => void;

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
 * Picks the data to work on, in this order, and says which on `notify`:
 * 1. `--stack <name>`: the table names from the deployed stack's CloudFormation outputs;
 * 2. `--clients-table` and `--grants-table` (and `--users-table`, `--activity-table`): those tables in AWS;
 * 3. `--endpoint <url>` (or SCIM_ADMIN_DYNAMODB_ENDPOINT): a DynamoDB Local with the local table names;
 * 4. the DynamoDB Local of the `npm start` of the local state folder (found through its `runtime.json`),
 *    waiting for it while it is still starting, so that no command ever opens a second database on its data;
 * 5. otherwise a DynamoDB Local of its own on the state folder's data, stopped when the command ends (with a
 *    warning when there is no database there yet, which usually means another SCIM_LOCAL_DIR was meant).
 */
export async function connect(options: ConnectionOptions, notify: Notify = () => undefined): Promise<Connection> {
  const connection = await open(options, notify);
  notify(`using ${connection.description}`);
  return connection;
}

async function open(options: ConnectionOptions, notify: Notify): Promise<Connection> {
  if (options.stack !== undefined) return connectToStack(options.stack, options.region);
  if (options.usersTable !== undefined || options.clientsTable !== undefined || options.grantsTable !== undefined) {
    if (!options.clientsTable || !options.grantsTable) {
      throw new CliError('--clients-table and --grants-table are both required when naming tables', 2);
    }
    const client = new DynamoDBClient(options.region ? { region: options.region } : {});
    return {
      db: documentClient(client),
      tables: {
        users: options.usersTable ?? '',
        clients: options.clientsTable,
        grants: options.grantsTable,
        activity: options.activityTable ?? '',
      },
      description: `tables ${options.clientsTable} and ${options.grantsTable} in AWS`,
      local: false,
      close: async () => client.destroy(),
    };
  }
  const endpoint = options.endpoint ?? (process.env[ENDPOINT_ENV] || undefined);
  if (endpoint !== undefined) {
    const client = localClient(endpoint);
    return {
      db: documentClient(client),
      tables: localTableNames(),
      description: `DynamoDB Local at ${endpoint}`,
      local: true,
      close: async () => client.destroy(),
    };
  }
  const running = await runningService(notify);
  if (running) {
    const client = localClient(running.dynamoDbEndpoint);
    return {
      db: documentClient(client),
      tables: running.tableNames,
      description: `the running npm start at ${running.publicBaseUrl} (${running.inMemory ? 'in memory' : `state folder ${displayPath(STATE_DIR)}`})`,
      local: true,
      serviceUrls: serviceUrlsOf(running.publicBaseUrl),
      close: async () => client.destroy(),
    };
  }
  const dataDir = join(STATE_DIR, 'dynamodb');
  if (!existsSync(join(dataDir, SHARED_DB_FILE))) {
    notify(
      `warning: there is no database in ${displayPath(dataDir)} yet, so this command starts a new, empty one (an npm start run with ${LOCAL_DIR_ENV} keeps its data elsewhere: set the same ${LOCAL_DIR_ENV} here)`,
    );
  }
  const database = await startDynamoDbLocal({ dataDir });
  try {
    const tables = await prepareLocalTables(database.endpoint);
    const client = localClient(database.endpoint);
    return {
      db: documentClient(client),
      tables,
      description: `the local state folder ${displayPath(STATE_DIR)} (no npm start is running; its database is opened for this command)`,
      local: true,
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

/** The ready `npm start` of the state folder, after waiting for one that is starting; undefined if none runs. */
async function runningService(notify: Notify): Promise<ReadyRuntime | undefined> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  let announced = false;
  for (;;) {
    const runtime = readRuntimeFile(STATE_DIR);
    if (runtime?.status !== 'starting') return runtime;
    if (!announced) {
      notify(`waiting for npm start (pid ${runtime.pid}) to finish starting…`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new CliError(
        `npm start (pid ${runtime.pid}) has not finished starting within ${STARTUP_WAIT_MS / 1000} seconds; try again once it prints its addresses`,
      );
    }
    await sleep(STARTUP_POLL_MS);
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
  const {
    UsersTableName: users,
    ClientsTableName: clients,
    GrantsTableName: grants,
    ScimBaseUrl: scimBaseUrl,
    TokenEndpoint: tokenEndpoint,
    ActivityTableName: activity,
  } = outputs;
  if (!clients || !grants) {
    throw new CliError(`Stack ${stackName} has no ClientsTableName and GrantsTableName outputs`);
  }
  const client = new DynamoDBClient(region ? { region } : {});
  return {
    db: documentClient(client),
    tables: { users: users ?? '', clients, grants, activity: activity ?? '' },
    description: `stack ${stackName}`,
    local: false,
    ...(scimBaseUrl && tokenEndpoint ? { serviceUrls: { scimBaseUrl, tokenEndpoint } } : {}),
    close: async () => client.destroy(),
  };
}
