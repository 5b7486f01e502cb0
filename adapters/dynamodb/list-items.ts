import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Every item of one kind, all pages: a tenant's through gsi1 (`TENANT#<id>`, `<KIND>#…`), or, with no tenant,
 * the whole table's by a Scan on `sk = <KIND>`. The Scan serves the admin CLI only; no function is granted it.
 */
export async function listItemsOfKind(
  db: DynamoDBDocumentClient,
  tableName: string,
  kind: string,
  tenantId: string | undefined,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      tenantId === undefined
        ? new ScanCommand({
            TableName: tableName,
            FilterExpression: 'sk = :kind',
            ExpressionAttributeValues: { ':kind': kind },
            ExclusiveStartKey: startKey,
          })
        : new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :tenant AND begins_with(gsi1sk, :kind)',
            ExpressionAttributeValues: { ':tenant': `TENANT#${tenantId}`, ':kind': `${kind}#` },
            ExclusiveStartKey: startKey,
          }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
