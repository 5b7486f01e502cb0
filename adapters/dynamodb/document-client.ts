import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientBudget } from '../../contract/time-budget';

/**
 * The document client the stores use; the functions build one per environment (functions/_shared/services.ts).
 * The endpoint comes from the SDK's standard configuration (`AWS_ENDPOINT_URL_DYNAMODB` points it at DynamoDB
 * Local), so no code path differs between AWS and local. `removeUndefinedValues` because optional SCIM
 * attributes are simply absent, never stored as null. Every call is bounded by the function's time budget
 * (contract/time-budget.ts), so a stalled database answers 503 instead of hanging.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(awsClientBudget()), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
