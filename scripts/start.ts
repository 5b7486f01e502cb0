import '../local/sdk-warnings';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { publicEndpoints } from '../lib/endpoints';
import { type DynamoDbLocal, LocalRuntimeError, startDynamoDbLocal } from '../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../local/environment';
import { readRuntimeFile, removeRuntimeFile, writeRuntimeFile } from '../local/runtime-file';
import { createLocalServer, listen } from '../local/server';
import { localStateDir } from '../local/state-dir';

/**
 * `npm start`: DynamoDB Local (data under .local/, or `--in-memory`), the tables, and every manifest route on
 * http://localhost:3000 (PORT overrides). Ctrl-C or SIGTERM stops everything, Java included.
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LocalRuntimeError(`PORT must be a port number, not ${process.env.PORT}`);
  const stateDir = localStateDir();
  mkdirSync(stateDir, { recursive: true });
  // DynamoDB Local's database files can be opened by one process at a time.
  const registered = readRuntimeFile(stateDir);
  if (registered && !registered.inMemory && !inMemory) {
    throw new LocalRuntimeError(
      `another npm start (pid ${registered.pid}, ${registered.publicBaseUrl}) already uses the data in ${join(stateDir, 'dynamodb')}; stop it, or use --in-memory`,
    );
  }

  const server = createLocalServer();
  const boundPort = await listen(server, port);
  let database: DynamoDbLocal | undefined;
  const stop = async () => {
    removeRuntimeFile(stateDir);
    server.close();
    server.closeAllConnections();
    await database?.stop();
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nStopping…\n');
      void stop().then(() => process.exit(0));
    });
  }
  try {
    database = await startDynamoDbLocal(inMemory ? {} : { dataDir: join(stateDir, 'dynamodb') });
    const baseUrl = `http://localhost:${boundPort}`;
    const tableNames = await prepareLocalTables(database.endpoint);
    applyLocalEnvironment({ dynamoDbEndpoint: database.endpoint, publicBaseUrl: baseUrl, tableNames, stateDir });
    // The admin CLI finds the service through this file; an earlier, still running npm start keeps it.
    if (!registered) {
      writeRuntimeFile(stateDir, {
        pid: process.pid,
        dynamoDbEndpoint: database.endpoint,
        publicBaseUrl: baseUrl,
        tableNames,
        inMemory,
      });
    }
    printReady(
      baseUrl,
      inMemory ? undefined : join(stateDir, 'dynamodb'),
      registered ? { pid: registered.pid, endpoint: database.endpoint } : undefined,
    );
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
    `SCIM Provisioning Service is running on ${baseUrl} (DynamoDB Local, ${dataDir ? `data kept in ${relative(process.cwd(), dataDir) || dataDir}` : 'in memory: data is discarded on exit'})`,
    '',
    'The values Okta asks for (Provisioning > Integration):',
    `  SCIM connector base URL   ${endpoints.scimBaseUrl}`,
    `  Authorization endpoint    ${endpoints.authorizationEndpoint}`,
    `  Token endpoint            ${endpoints.tokenEndpoint}`,
    '',
    'Create a tenant, its admin and an OAuth client for Okta (all commands: npm run admin -- --help):',
    '  npm run --silent admin -- tenant create --name "Acme"',
    '  printf \'%s\' "$ADMIN_PASSWORD" | npm run --silent admin -- admin create --tenant <tenantId> --email <email> --password-stdin',
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
