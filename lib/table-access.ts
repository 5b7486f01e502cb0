import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FAIR_SHARE_KEY_PREFIX } from '../contract/fair-share';
import type { Access } from '../contract/routes';
import { type TableKey, tables } from '../contract/tables';

/**
 * What `read` and `readWrite` in the route manifest mean in IAM, exactly. Written out instead of
 * `grantReadData`/`grantReadWriteData`, which add DescribeTable, Scan and stream actions no handler uses.
 *
 * - Transactions need no actions of their own: TransactGetItems is authorized as GetItem per item, and
 *   TransactWriteItems as PutItem/UpdateItem/DeleteItem/ConditionCheckItem per item.
 * - No Scan: every read is by key or by a query inside one tenant's partition.
 * - Indexes are only ever queried, so index ARNs get Query and nothing else.
 */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;

export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export const INDEX_ACTIONS = ['dynamodb:Query'] as const;

export function tableAccessStatements(key: TableKey, table: TableV2, access: Access): PolicyStatement[] {
  const actions = access === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : [...TABLE_READ_ACTIONS];
  const statements = [new PolicyStatement({ actions, resources: [table.tableArn] })];
  const indexes = tables[key].globalIndexes;
  if (indexes.length > 0) {
    statements.push(
      new PolicyStatement({
        actions: [...INDEX_ACTIONS],
        resources: indexes.map((index) => `${table.tableArn}/index/${index.name}`),
      }),
    );
  }
  return statements;
}

/** The partition keys of SCIM token items in the grants table (adapters/dynamodb/scim-token-store.ts). */
export const SCIM_TOKEN_KEY_PATTERN = 'SCIMTOKEN#*';

/**
 * The `record-scim-token-use` capability: UpdateItem on the grants table, and only on items whose partition key
 * is a SCIM token's (IAM's dynamodb:LeadingKeys condition), so a SCIM route that otherwise only reads that table
 * can write a token's last-used time and nothing else of it.
 */
export function scimTokenUseStatement(grantsTable: TableV2): PolicyStatement {
  return new PolicyStatement({
    actions: ['dynamodb:UpdateItem'],
    resources: [grantsTable.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [SCIM_TOKEN_KEY_PATTERN] } },
  });
}

/**
 * The `take-fair-share` capability: UpdateItem on the share counters only, the items whose partition key
 * starts with the counters' prefix (IAM `dynamodb:LeadingKeys`), so a route that only reads its table
 * otherwise can count requests and change nothing else.
 */
export function fairShareStatement(table: TableV2): PolicyStatement {
  return new PolicyStatement({
    actions: ['dynamodb:UpdateItem'],
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${FAIR_SHARE_KEY_PREFIX}*`] } },
  });
}
