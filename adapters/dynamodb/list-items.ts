import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of one kind, all pages: a tenant's through gsi1 (`TENANT#<id>`, `<KIND>#…`), or, with no tenant,
 * the whole table's by a Scan on `sk = <KIND>`. The Scan serves the admin CLI only; no function is granted it.
 * The SDK's paginators follow LastEvaluatedKey until DynamoDB reports no more.
 */
export async function listItemsOfKind(
  db: DynamoDBDocumentClient,
  tableName: string,
  kind: string,
  tenantId: string | undefined,
): Promise<Record<string, unknown>[]> {
  const pages =
    tenantId === undefined
      ? paginateScan(
          { client: db },
          { TableName: tableName, FilterExpression: 'sk = :kind', ExpressionAttributeValues: { ':kind': kind } },
        )
      : paginateQuery(
          { client: db },
          {
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :tenant AND begins_with(gsi1sk, :kind)',
            ExpressionAttributeValues: { ':tenant': `TENANT#${tenantId}`, ':kind': `${kind}#` },
          },
        );
  const items: Record<string, unknown>[] = [];
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}
