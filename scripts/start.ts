import '../local/sdk-warnings';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { publicEndpoints } from '../lib/endpoints';
import { activityIngested } from '../local/activity-ingest';
import { type DynamoDbLocal, LocalRuntimeError, startDynamoDbLocal } from '../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../local/environment';
import { claimRuntimeFile, type LocalRuntime, removeRuntimeFile, writeRuntimeFile } from '../local/runtime-file';
import { assertPortFree, createLocalServer, listen } from '../local/server';
import { displayPath, localStateDir } from '../local/state-dir';

const progress = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm start`: DynamoDB Local (data under .local/, or `--in-memory`), the tables, and every manifest route on
 * http://localhost:3000 (PORT overrides). It listens only once it can serve, so no request meets a service
 * half set up. Ctrl-C or SIGTERM stops everything, Java included, also while it is still starting.
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LocalRuntimeError(`PORT must be a port number, not ${process.env.PORT}`);
  const stateDir = localStateDir();
  mkdirSync(stateDir, { recursive: true });
  const baseUrl = `http://localhost:${port}`;
  await assertPortFree(port);

  // Claimed before DynamoDB Local starts: an admin CLI command run meanwhile waits for this service instead of
  // opening the same data with a database of its own. DynamoDB Local's files can be opened by one process.
  const registered = claimRuntimeFile(stateDir, {
    status: 'starting',
    pid: process.pid,
    publicBaseUrl: baseUrl,
    inMemory,
  });
  if (registered && !registered.inMemory && !inMemory) {
    throw new LocalRuntimeError(
      `another npm start (pid ${registered.pid}, ${registered.publicBaseUrl}) already uses the data in ${join(stateDir, 'dynamodb')}; stop it, or use --in-memory`,
    );
  }
  const ownsRuntimeFile = registered === undefined;

  let database: Promise<DynamoDbLocal> | undefined;
  let server: Server | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    removeRuntimeFile(stateDir);
    server?.close();
    server?.closeAllConnections();
    // The activity of the last requests goes into the table before the database stops.
    await activityIngested();
    // Waits for a DynamoDB Local still starting, so that no Java process outlives this one.
    await (await database?.catch(() => undefined))?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      process.stdout.write('\nStopping…\n');
      void stop().then(() => process.exit(0));
    });
  }
  try {
    const dataDir = inMemory ? undefined : join(stateDir, 'dynamodb');
    progress(`Starting DynamoDB Local (${dataDir ? `data in ${displayPath(dataDir)}` : 'in memory'})…`);
    database = startDynamoDbLocal(dataDir ? { dataDir } : {});
    const { endpoint } = await database;
    if (stopping) return;
    progress('Creating or updating the tables…');
    const tableNames = await prepareLocalTables(endpoint);
    if (stopping) return;
    applyLocalEnvironment({ dynamoDbEndpoint: endpoint, publicBaseUrl: baseUrl, tableNames, stateDir });
    server = createLocalServer();
    const boundPort = await listen(server, port);
    const runtime: LocalRuntime = {
      status: 'ready',
      pid: process.pid,
      dynamoDbEndpoint: endpoint,
      publicBaseUrl: `http://localhost:${boundPort}`,
      tableNames,
      inMemory,
    };
    if (ownsRuntimeFile) writeRuntimeFile(stateDir, runtime);
    printReady(runtime.publicBaseUrl, dataDir, registered && { pid: registered.pid, endpoint });
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `dataDir` is where the database files are kept, or undefined for an in-memory run. */
function printReady(baseUrl: string, dataDir: string | undefined, cliTarget?: { pid: number; endpoint: string }): void {
  const endpoints = publicEndpoints(baseUrl);
  const lines = [
    '',
    `SCIM Provisioning Service is running on ${baseUrl} (DynamoDB Local, ${dataDir ? `data kept in ${displayPath(dataDir)}` : 'in memory: data is discarded on exit'})`,
    '',
    `Admin console (for a tenant's admins)  ${endpoints.consoleUrl}`,
    '',
    'The values Okta asks for (Provisioning > Integration):',
    `  SCIM connector base URL   ${endpoints.scimBaseUrl}`,
    `  Authorization endpoint    ${endpoints.authorizationEndpoint}`,
    `  Token endpoint            ${endpoints.tokenEndpoint}`,
    '',
    'Create a tenant, its admin and an OAuth client for Okta (all commands: npm run admin -- --help):',
    '  npm run --silent admin -- tenant create --name "Acme"',
    '  printf \'%s\' "$ADMIN_PASSWORD" | npm run --silent admin -- admin create --tenant <tenantId> --email <email> \\',
    '    --given-name <given name> --family-name <family name> --password-stdin',
    '  npm run --silent admin -- client create --tenant <tenantId> --name Okta \\',
    '    --redirect-uri https://system-admin.okta.com/admin/app/cpc/<appName>/oauth/callback',
    ...(cliTarget
      ? [
          `  (the admin CLI talks to the npm start with pid ${cliTarget.pid} by default; for this one add --endpoint ${cliTarget.endpoint})`,
        ]
      : []),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
});
