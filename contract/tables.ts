/**
 * The DynamoDB tables, described once as plain data. The CDK stack (lib/data-tables.ts) and the local
 * runtime (scripts/dynamodb-local.ts) both build their tables from this description, so a key or index can
 * never exist in one place and not the other.
 *
 * Every table uses the same generic single-table shape: a string partition key `pk`, a string sort key `sk`,
 * optional generic indexes `gsi1`, `gsi2`, … (`gsi1pk`, `gsi1sk`, …), and a TTL attribute `expiresAt` (epoch seconds).
 * DynamoDB deletes expired items lazily (up to days later) and DynamoDB Local never does, so readers must also
 * treat `expiresAt <= now` as absent.
 */
export type TableKey = 'users' | 'clients' | 'grants' | 'activity';

export interface TableSpec {
  readonly key: TableKey;
  /** Construct id in the CDK stack. */
  readonly constructId: string;
  /** Table name used locally (in AWS, CloudFormation names the table). */
  readonly localName: string;
  readonly partitionKey: 'pk';
  readonly sortKey: 'sk';
  readonly globalIndexes: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey: string }[];
  readonly ttlAttribute: 'expiresAt';
  readonly purpose: string;
}

export const TTL_ATTRIBUTE = 'expiresAt';

export const tables: Record<TableKey, TableSpec> = {
  users: {
    key: 'users',
    constructId: 'UsersTable',
    localName: 'scim-provisioning-users',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [],
    ttlAttribute: TTL_ATTRIBUTE,
    purpose:
      'SCIM users and groups per tenant, their uniqueness and lookup items, one item pair per group membership, per-tenant counters and paging marks, and the audit trail of access changes',
  },
  clients: {
    key: 'clients',
    constructId: 'ClientsTable',
    localName: 'scim-provisioning-clients',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    ttlAttribute: TTL_ATTRIBUTE,
    purpose: 'tenants, their brands and roles, and OAuth clients with hashed secrets',
  },
  grants: {
    key: 'grants',
    constructId: 'GrantsTable',
    localName: 'scim-provisioning-grants',
    partitionKey: 'pk',
    sortKey: 'sk',
    globalIndexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    ttlAttribute: TTL_ATTRIBUTE,
    purpose: 'authorization codes, grants, refresh tokens, login sessions and login throttling',
  },
  activity: {
    key: 'activity',
    constructId: 'ActivityTable',
    localName: 'scim-provisioning-activity',
    partitionKey: 'pk',
    sortKey: 'sk',
    // gsi1: a tenant's failures; gsi2: by user id; gsi3: by userName. All sparse: an item is in an index only
    // when it has that key (adapters/dynamodb/activity-keys.ts).
    globalIndexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    ],
    ttlAttribute: TTL_ATTRIBUTE,
    purpose: 'each tenant’s provisioning activity log (SCIM and token requests) of the last 30 days',
  },
};

export const tableKeys = Object.keys(tables) as TableKey[];

/** The environment variable through which a function learns a table's name: `USERS_TABLE_NAME`, … */
export const tableEnvVar = (key: TableKey): string => `${key.toUpperCase()}_TABLE_NAME`;
