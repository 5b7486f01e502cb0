import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAIR_SHARE_SCIM_REQUESTS_ENV, FAIR_SHARE_TOKEN_REQUESTS_ENV } from '../../contract/environment';
import { MAX_SHARE } from '../../contract/fair-share';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../../local/environment';
import { scimTestToken } from '../../test/support/tokens';

/** What every benchmark gets: the run's mode, a fresh DynamoDB Local with the tables, and a way to get tokens. */
export interface BenchContext {
  /** A smoke run: tiny sizes, one repetition; used by `npm test` to prove each script still runs. */
  readonly quick: boolean;
  readonly dynamoDbEndpoint: string;
  /** A valid access token for a fresh tenant (a stored grant and a JWT from the real signer). */
  bearerToken(tenantId?: string): Promise<string>;
}

export async function openBenchContext(options: {
  quick: boolean;
  dynamoDbEndpoint?: string;
}): Promise<{ context: BenchContext; close(): Promise<void> }> {
  let database: DynamoDbLocal | undefined;
  let endpoint = options.dynamoDbEndpoint;
  if (!endpoint) {
    database = await startDynamoDbLocal();
    endpoint = database.endpoint;
  }
  const tableNames = await prepareLocalTables(endpoint);
  // A benchmark drives one tenant (and one OAuth client) far faster than its fair share (contract/fair-share.ts);
  // its share is still taken and counted on every request (one more update in the DynamoDB figures), never
  // refused.
  process.env[FAIR_SHARE_SCIM_REQUESTS_ENV] ??= String(MAX_SHARE);
  process.env[FAIR_SHARE_TOKEN_REQUESTS_ENV] ??= String(MAX_SHARE);
  applyLocalEnvironment({
    dynamoDbEndpoint: endpoint,
    publicBaseUrl: 'http://127.0.0.1:3000',
    tableNames,
    stateDir: mkdtempSync(join(tmpdir(), 'scim-provisioning-bench-')),
  });
  return {
    context: {
      quick: options.quick,
      dynamoDbEndpoint: endpoint,
      bearerToken: async (tenantId) => (await scimTestToken(tenantId)).token,
    },
    close: async () => {
      await database?.stop();
    },
  };
}
