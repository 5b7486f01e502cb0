import { StorageLimitError } from '../../core/storage-errors';

/**
 * DynamoDB's size limits, checked on what is about to be written so that an oversized key or item is a
 * StorageLimitError (answered 400) instead of a ValidationException (a 500). Sizes follow DynamoDB's own rules
 * ("Item sizes and formats" in the DynamoDB developer guide): attribute names and string values count their
 * UTF-8 bytes, a number at most 21 bytes, a boolean or null 1 byte, a list or map 3 bytes plus 1 per element.
 */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = new TextEncoder();
const bytesOf = (text: string): number => utf8.encode(text).length;

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return bytesOf(value);
  if (typeof value === 'number')
    return Math.min(21, Math.ceil(String(Math.abs(value)).replace(/\D/g, '').length / 2) + 1);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 3);
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueBytes(element), 3);
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, member]) => (member === undefined ? sum : sum + 1 + bytesOf(name) + valueBytes(member)),
      3,
    );
  }
  return 0;
}

/** The size DynamoDB counts for an item (attributes left undefined are not written). */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) total += bytesOf(name) + valueBytes(value);
  return total;
}

/** Whether a table key (`pk`, `sk`) is within DynamoDB's key limits: a key beyond them can name no item. */
export const isStorableKey = (key: { readonly pk: string; readonly sk: string }): boolean =>
  bytesOf(key.pk) <= MAX_PARTITION_KEY_BYTES && bytesOf(key.sk) <= MAX_SORT_KEY_BYTES;

/** @throws StorageLimitError when the item's key or the item itself is beyond DynamoDB's limits. */
export function assertStorable(
  item: Readonly<Record<string, unknown>> & { pk: string; sk: string },
  what: string,
): void {
  if (!isStorableKey(item)) throw new StorageLimitError(`${what} is too long to be stored as a key`);
  if (itemBytes(item) > MAX_ITEM_BYTES) throw new StorageLimitError(`${what} is too large to be stored`);
}
