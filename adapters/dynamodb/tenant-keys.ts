import { normalizeEmail } from '../../core/access/records';

/**
 * The tenant's partition in the clients table: the tenant item itself and everything that belongs to it
 * (admins, clients' tenant index entries, brands, roles). One definition for every store that touches it.
 */
export const tenantPartition = (tenantId: string): string => `TENANT#${tenantId}`;

export const tenantKey = (tenantId: string) => ({ pk: tenantPartition(tenantId), sk: 'TENANT' });

/** A TransactWriteItems entry that cancels the transaction unless the tenant exists. */
export const tenantMustExist = (tableName: string, tenantId: string) => ({
  ConditionCheck: { TableName: tableName, Key: tenantKey(tenantId), ConditionExpression: 'attribute_exists(pk)' },
});

/** The clients table's gsi1 key of an admin account: finds the admins of one email across tenants. */
export const adminEmailIndexKey = (email: string): string => `ADMIN#${normalizeEmail(email)}`;
