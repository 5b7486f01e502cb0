import { type ActivityEntry, activityExpiresAt } from '../../core/activity/activity-entry';
import { foldCase } from '../../core/scim/values';

/**
 * The activity table (contract/tables.ts), one item per request:
 * - `pk` `TENANT#<tenant>`, `sk` `<ISO time>#<request id>`: the tenant's log, newest first;
 * - `gsi1` (failures only, sparse): `TENANT#<tenant>#FAILURE`, same sort key;
 * - `gsi2` (when the user id is known): `TENANT#<tenant>#USER#<id>`;
 * - `gsi3` (when the userName is known): `TENANT#<tenant>#USERNAME#<userName in NFC, lower case>`, as SCIM
 *   compares userNames;
 * - `expiresAt`: 30 days after the request (TTL).
 * Every read is a Query in one tenant's partition or index partition; nothing scans. The writer (the ingest)
 * and the reader (console, CLI) are separate, so that each is granted only what it does.
 */
export const partition = (tenantId: string): string => `TENANT#${tenantId}`;
export const failurePartition = (tenantId: string): string => `TENANT#${tenantId}#FAILURE`;
export const userIdPartition = (tenantId: string, userId: string): string => `TENANT#${tenantId}#USER#${userId}`;
export const userNamePartition = (tenantId: string, userName: string): string =>
  `TENANT#${tenantId}#USERNAME#${foldCase(userName)}`;
export const sortKeyOf = (entry: ActivityEntry): string => `${entry.at}#${entry.id}`;

/** The item of an entry, with the index keys it belongs under. */
export function itemOf(entry: ActivityEntry): Record<string, unknown> {
  const sortKey = sortKeyOf(entry);
  return {
    pk: partition(entry.tenantId),
    sk: sortKey,
    ...(entry.status === 'failure' ? { gsi1pk: failurePartition(entry.tenantId), gsi1sk: sortKey } : {}),
    ...(entry.userId ? { gsi2pk: userIdPartition(entry.tenantId, entry.userId), gsi2sk: sortKey } : {}),
    ...(entry.userName ? { gsi3pk: userNamePartition(entry.tenantId, entry.userName), gsi3sk: sortKey } : {}),
    ...entry,
    expiresAt: activityExpiresAt(entry.at),
  };
}
