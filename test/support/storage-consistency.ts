import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { emailKeys, type UserAttributes, userNameKey } from '../../core/scim/user-attributes';
import { documentClient, tableName } from '../../functions/_shared/services';

type Item = Record<string, unknown>;

/** Every item of a tenant's users partition, read strongly consistently. */
export async function tenantPartition(tenantId: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName('users'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every item of a table (all pages). */
export async function scanTable(key: 'users' | 'grants' | 'clients'): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(key), ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const KEY_ITEM_PREFIXES = ['USERNAME#', 'EXTID#', 'EMAIL#'];

/**
 * What a whole user is in storage (README, "How users are stored"): the user item, its userName uniqueness
 * item, and lookup items for its externalId and each email, all pointing at it; and the counter shards adding
 * up to the number of users. Returns every violation found, so that a test can expect `[]`.
 */
export function userPartitionProblems(items: readonly Item[]): string[] {
  const problems: string[] = [];
  const users = items.filter((item) => String(item.sk).startsWith('USER#'));
  const expected = new Map<string, string>();
  for (const user of users) {
    const id = String(user.id);
    const attributes = JSON.parse(String(user.resource)) as UserAttributes;
    const ownUserNameKey = userNameKey(attributes.userName);
    expected.set(`USERNAME#${ownUserNameKey}`, id);
    if (typeof attributes.externalId === 'string') {
      expected.set(`EXTID#${encodeURIComponent(attributes.externalId)}#${id}`, id);
    }
    // An email that is the userName is found through the userName item and has no lookup item of its own.
    for (const email of emailKeys(attributes)) {
      if (email !== ownUserNameKey) expected.set(`EMAIL#${encodeURIComponent(email)}#${id}`, id);
    }
  }
  const keyItems = items.filter((item) => KEY_ITEM_PREFIXES.some((prefix) => String(item.sk).startsWith(prefix)));
  const present = new Map(keyItems.map((item) => [String(item.sk), String(item.userId)]));
  for (const [sk, id] of expected) {
    if (present.get(sk) !== id) problems.push(`user ${id} lacks its key item ${sk}`);
  }
  for (const [sk, id] of present) {
    if (expected.get(sk) !== id)
      problems.push(`key item ${sk} points at ${id}, which is not a whole user with that key`);
  }
  const counted = items
    .filter((item) => String(item.sk).startsWith('COUNT#'))
    .reduce((sum, item) => sum + (typeof item.users === 'number' ? item.users : 0), 0);
  if (counted !== users.length) problems.push(`the counters say ${counted} users, the partition holds ${users.length}`);
  return problems;
}
