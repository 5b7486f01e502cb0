import type { TableCall } from '../../test/support/dynamodb-calls';

/**
 * Request units as DynamoDB bills them on an on-demand table, computed from a recorded call by the documented
 * rules (DynamoDB Developer Guide, "Read/write capacity mode" and "Item sizes"): a strongly consistent read costs
 * one unit per 4 KB of each item (at least one, also for a missing item), a write one unit per 1 KB, and a
 * transactional write twice that. DynamoDB Local reports transactions and batch reads differently from AWS, so
 * those two are computed here; for every other call DynamoDB Local's own figure is the AWS figure.
 */
export interface BilledUnits {
  readonly read: number;
  readonly write: number;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

/** An item's size by DynamoDB's rules: attribute names plus values; containers add 3 bytes and 1 per element. */
export function itemSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + itemSize(element), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + itemSize(element) + 1, 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (sum, [name, element]) => sum + Buffer.byteLength(name, 'utf8') + itemSize(element) + 1,
        0,
      )
    );
  }
  return 0;
}

/** A top-level item: its attributes without the container overhead. */
const topLevelSize = (item: Record<string, unknown>) => itemSize(item) - 3 - Object.keys(item).length;

/** The size a write item is charged for, from the request: the full item for a Put, key and values otherwise. */
function writeItemSize(operation: Record<string, unknown>): number {
  if (operation.Item) return topLevelSize(operation.Item as Record<string, unknown>);
  const key = topLevelSize((operation.Key ?? {}) as Record<string, unknown>);
  const values = Object.values((operation.ExpressionAttributeValues ?? {}) as Record<string, unknown>);
  return key + values.reduce((sum: number, value) => sum + itemSize(value), 0);
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

export function billedUnits(call: TableCall): BilledUnits {
  const reported = call.capacityUnits ?? 0;
  const input = call.exchange?.input ?? {};
  const output = call.exchange?.output ?? {};
  if (call.command === 'TransactWriteItemsCommand') {
    const items = (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[];
    const units = items.reduce(
      (sum, item) =>
        sum + Object.values(item).reduce((inner, operation) => inner + writeUnits(writeItemSize(operation)), 0),
      0,
    );
    return { read: 0, write: 2 * units };
  }
  if (call.command === 'BatchGetItemCommand') {
    const requested = Object.values((input.RequestItems ?? {}) as Record<string, { Keys: unknown[] }>).reduce(
      (sum, request) => sum + request.Keys.length,
      0,
    );
    const found = Object.values((output.Responses ?? {}) as Record<string, Record<string, unknown>[]>).flat();
    const foundUnits = found.reduce((sum, item) => sum + readUnits(topLevelSize(item)), 0);
    return { read: foundUnits + (requested - found.length), write: 0 };
  }
  // A strongly consistent GetItem costs one unit even when the item does not exist.
  if (call.command === 'GetItemCommand') return { read: Math.max(1, reported), write: 0 };
  return READ_COMMANDS.has(call.command) ? { read: reported, write: 0 } : { read: 0, write: reported };
}
