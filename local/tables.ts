import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type TableKey, type TableSpec, tableKeys, tables } from '../contract/tables';

/** Local table names, optionally prefixed so that several test runs can share one DynamoDB Local. */
export function localTableNames(prefix = ''): Record<TableKey, string> {
  return Object.fromEntries(tableKeys.map((key) => [key, `${prefix}${tables[key].localName}`])) as Record<
    TableKey,
    string
  >;
}

/**
 * Creates the tables from the same description the CDK stack uses (contract/tables.ts), or brings existing
 * ones up to date: missing global indexes are added and TTL is switched on.
 */
export async function ensureTables(client: DynamoDBClient, names: Record<TableKey, string>): Promise<void> {
  for (const key of tableKeys) {
    await ensureTable(client, tables[key], names[key]);
  }
}

async function ensureTable(client: DynamoDBClient, spec: TableSpec, name: string): Promise<void> {
  const existing = await describe(client, name);
  const attributeDefinitions = [
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]
    .filter((attribute, index, all) => all.indexOf(attribute) === index)
    .map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }));
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          { AttributeName: spec.sortKey, KeyType: 'RANGE' },
        ],
        ...(spec.globalIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: spec.globalIndexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
                ],
                Projection: { ProjectionType: 'ALL' as const },
              })),
            }
          : {}),
      }),
    );
  } else {
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of spec.globalIndexes.filter((i) => !present.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          AttributeDefinitions: attributeDefinitions,
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            },
          ],
        }),
      );
    }
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
      }),
    );
  }
}

async function describe(client: DynamoDBClient, name: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
