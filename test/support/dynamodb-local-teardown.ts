import type { DynamoDbLocal } from '../../local/dynamodb-local';

export default async function stopTestDatabase(): Promise<void> {
  await (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal?.stop();
}
