import '../local/sdk-warnings';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { routeById } from '../contract/routes';
import { type DynamoDbLocal, LocalRuntimeError, startDynamoDbLocal } from '../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../local/environment';
import { removeRuntimeFile, writeRuntimeFile } from '../local/runtime-file';
import { createLocalServer, listen } from '../local/server';

/**
 * `npm start`: DynamoDB Local (data under .local/, or `--in-memory`), the tables, and every manifest route on
 * http://localhost:3000 (PORT overrides). Ctrl-C or SIGTERM stops everything, Java included.
 */
async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new LocalRuntimeError(`PORT must be a port number, not ${process.env.PORT}`);
  const stateDir = join(__dirname, '..', '.local');
  mkdirSync(stateDir, { recursive: true });

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
    writeRuntimeFile(stateDir, {
      pid: process.pid,
      dynamoDbEndpoint: database.endpoint,
      publicBaseUrl: baseUrl,
      tableNames,
      inMemory,
    });
    printReady(baseUrl, inMemory);
  } catch (error) {
    await stop();
    throw error;
  }
}

function printReady(baseUrl: string, inMemory: boolean): void {
  const endpoint = (id: string) => {
    const route = routeById(id);
    return route ? `${baseUrl}${route.path}` : '(not available in this build)';
  };
  const lines = [
    '',
    `SCIM Provisioning Service is running on ${baseUrl} (DynamoDB Local, ${inMemory ? 'in memory: data is discarded on exit' : 'data kept in .local/dynamodb'})`,
    '',
    'The values Okta asks for (Provisioning > Integration):',
    `  SCIM connector base URL   ${baseUrl}/scim/v2`,
    `  Authorization endpoint    ${endpoint('OAuthAuthorize')}`,
    `  Token endpoint            ${endpoint('OAuthToken')}`,
    '',
    'Create a tenant, its admin and an OAuth client for Okta (all commands: npm run admin -- --help):',
    '  npm run --silent admin -- tenant create --name "Acme"',
    '  printf \'%s\' "$ADMIN_PASSWORD" | npm run --silent admin -- admin create --tenant <tenantId> --email <email> --password-stdin',
    '  npm run --silent admin -- client create --tenant <tenantId> --name Okta \\',
    '    --redirect-uri https://system-admin.okta.com/admin/app/cpc/<appName>/oauth/callback',
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
