import { type TableKey, tableKeys, tables } from '../contract/tables';
import { TABLE_READ_ACTIONS } from './table-access';

/**
 * What the operator who runs the admin CLI against a deployed stack (`--stack`) may do, and nothing more: read
 * the stack's outputs to find the tables, then read and write items in them. The CLI writes item by item and
 * in transactions (authorized per item as PutItem/UpdateItem/DeleteItem/ConditionCheckItem), never in
 * batches; it scans the clients and grants tables for the lists that span tenants (`tenant list`, `client list`
 * and `grant list` without `--tenant`), and queries their indexes; the activity table it only queries. No
 * DescribeTable, no table management, no streams.
 */
export const ADMIN_CLI_ITEM_ACTIONS = [
  ...TABLE_READ_ACTIONS,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** The tables the CLI scans. */
export const ADMIN_CLI_SCANNED_TABLES: readonly TableKey[] = ['clients', 'grants'];

/** The tables the CLI only queries (`activity list`): the activity log is written by its ingest alone. */
export const ADMIN_CLI_QUERIED_TABLES: readonly TableKey[] = ['activity'];
const itemTables = tableKeys.filter((key) => !ADMIN_CLI_QUERIED_TABLES.includes(key));

export interface AdminCliPolicyTarget {
  /** `arn:aws:cloudformation:<region>:<account>:stack/<StackName>/<id>` (or `/*`). */
  readonly stackArn: string;
  /** `arn:aws:dynamodb:<region>:<account>:table/<name>` for each table. */
  readonly tableArns: Readonly<Record<TableKey, string>>;
}

export interface PolicyDocumentJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: 'Allow';
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
  }[];
}

/** The IAM policy document for the admin CLI's operator; the stack creates it (output `AdminCliPolicyArn`). */
export function adminCliPolicyDocument(target: AdminCliPolicyTarget): PolicyDocumentJson {
  const indexArns = tableKeys.flatMap((key) =>
    tables[key].globalIndexes.map((index) => `${target.tableArns[key]}/index/${index.name}`),
  );
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'FindTheTables', Effect: 'Allow', Action: ['cloudformation:DescribeStacks'], Resource: [target.stackArn] },
      {
        Sid: 'ReadAndWriteItems',
        Effect: 'Allow',
        Action: [...ADMIN_CLI_ITEM_ACTIONS],
        Resource: itemTables.map((key) => target.tableArns[key]),
      },
      {
        Sid: 'QueryTheActivityLog',
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: ADMIN_CLI_QUERIED_TABLES.map((key) => target.tableArns[key]),
      },
      {
        Sid: 'ListAcrossTenants',
        Effect: 'Allow',
        Action: ['dynamodb:Scan'],
        Resource: ADMIN_CLI_SCANNED_TABLES.map((key) => target.tableArns[key]),
      },
      { Sid: 'QueryTheIndexes', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: indexArns },
    ],
  };
}

/** The document with placeholders, as the deployment guide shows it. */
export const documentedAdminCliPolicy = (): PolicyDocumentJson =>
  adminCliPolicyDocument({
    stackArn: 'arn:aws:cloudformation:<region>:<account>:stack/ScimProvisioning-<stage>/*',
    tableArns: Object.fromEntries(
      tableKeys.map((key) => [key, `arn:aws:dynamodb:<region>:<account>:table/<${tables[key].constructId}Name>`]),
    ) as Record<TableKey, string>,
  });
