import '../../local/sdk-warnings';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activityIngested } from '../../local/activity-ingest';
import { applyLocalEnvironment } from '../../local/environment';
import { createLocalServer, listen } from '../../local/server';
import { localTableNames } from '../../local/tables';

export interface RunningService {
  /** e.g. `http://127.0.0.1:41234` */
  readonly baseUrl: string;
  readonly scimBaseUrl: string;
  /** Resolves once the activity of every request answered so far is in the activity table. */
  activityIngested(): Promise<void>;
  close(): Promise<void>;
}

/** The DynamoDB Local endpoint started by the global setup. */
export function testDynamoDbEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (npm test)');
  return endpoint;
}

/**
 * Sets the environment the handlers read (the same variables the CDK stack sets) against the test run's
 * DynamoDB Local, without starting a server. Returns the public base URL handlers will use.
 */
export function useLocalEnvironment(publicBaseUrl = 'http://127.0.0.1:3000'): string {
  applyLocalEnvironment({
    dynamoDbEndpoint: testDynamoDbEndpoint(),
    publicBaseUrl,
    tableNames: localTableNames(),
    stateDir: mkdtempSync(join(tmpdir(), 'scim-provisioning-state-')),
  });
  return publicBaseUrl;
}

/**
 * The same environment for tests that run handlers without a database (the unit layer, which runs without
 * Java): the DynamoDB endpoint is a local port nothing listens on, so a storage call the test did not mean
 * to make fails at once instead of reaching a database.
 */
export function useEnvironmentWithoutDatabase(publicBaseUrl = 'http://127.0.0.1:3000'): string {
  applyLocalEnvironment({
    dynamoDbEndpoint: NO_DATABASE_ENDPOINT,
    publicBaseUrl,
    tableNames: localTableNames(),
    stateDir: mkdtempSync(join(tmpdir(), 'scim-provisioning-state-')),
  });
  return publicBaseUrl;
}

/** Port 9 is the discard service's, closed on any machine that runs these tests. */
const NO_DATABASE_ENDPOINT = 'http://127.0.0.1:9';

/** The local HTTP server of `npm start`, on a free port, against the test run's DynamoDB Local. */
export async function startService(): Promise<RunningService> {
  const server: Server = createLocalServer();
  const port = await listen(server, 0);
  const baseUrl = `http://127.0.0.1:${port}`;
  useLocalEnvironment(baseUrl);
  return {
    baseUrl,
    scimBaseUrl: `${baseUrl}/scim/v2`,
    activityIngested,
    // The activity of the last requests is written before the test run may stop the database.
    close: () =>
      activityIngested().then(
        () =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
  };
}
