import '../../local/sdk-warnings';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { prepareLocalTables } from '../../local/environment';

/**
 * One real DynamoDB Local (in memory) for the test files that need a database. Test files isolate their data
 * by tenant, and the endpoint reaches the workers through the environment, which jest's workers inherit.
 */
export default async function startTestDatabase(): Promise<void> {
  const database = await startDynamoDbLocal();
  await prepareLocalTables(database.endpoint);
  process.env.TEST_DYNAMODB_ENDPOINT = database.endpoint;
  (globalThis as { __dynamoDbLocal?: typeof database }).__dynamoDbLocal = database;
}
