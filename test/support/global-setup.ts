import '../../local/sdk-warnings';
import { rmSync } from 'node:fs';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { prepareLocalTables } from '../../local/environment';
import { SECRETS_DIR, TEST_LOGS_DIR } from './secrets';

/**
 * One real DynamoDB Local (in memory) for the whole run. Test files isolate their data by tenant, and the
 * endpoint reaches the workers through the environment, which jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  rmSync(TEST_LOGS_DIR, { recursive: true, force: true });
  rmSync(SECRETS_DIR, { recursive: true, force: true });
  const database = await startDynamoDbLocal();
  await prepareLocalTables(database.endpoint);
  process.env.TEST_DYNAMODB_ENDPOINT = database.endpoint;
  (globalThis as { __dynamoDbLocal?: typeof database }).__dynamoDbLocal = database;
}
