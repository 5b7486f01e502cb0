/**
 * User ids: 128 bits, time-ordered, in lower-case Crockford base32 (26 characters, URL-safe, no padding).
 * The first 48 bits are the creation time in milliseconds and the other 80 are random, so ids are never
 * reused and their sort order is creation order, which gives list pages a stable order. Within one process,
 * ids created in the same millisecond still increase (the random part is incremented).
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
export const USER_ID_PATTERN = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  const bytes = new Uint8Array(RANDOM_CHARS);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((byte) => byte % 32);
}

/** Increments a base-32 digit array; undefined on overflow (2^80 ids in one millisecond). */
function increment(digits: number[]): number[] | undefined {
  const next = [...digits];
  for (let index = next.length - 1; index >= 0; index -= 1) {
    if ((next[index] as number) < 31) {
      next[index] = (next[index] as number) + 1;
      return next;
    }
    next[index] = 0;
  }
  return undefined;
}

export function newUserId(now: number = Date.now()): string {
  let time = Math.max(now, lastTime);
  let random = time === lastTime ? increment(lastRandom) : randomDigits();
  if (!random) {
    time += 1;
    random = randomDigits();
  }
  lastTime = time;
  lastRandom = random;
  let timePart = '';
  let remaining = time;
  for (let index = 0; index < TIME_CHARS; index += 1) {
    timePart = ALPHABET[remaining % 32] + timePart;
    remaining = Math.floor(remaining / 32);
  }
  return timePart + random.map((digit) => ALPHABET[digit]).join('');
}

/** Whether a string has the shape of one of our ids; anything else cannot name a user (404 without a read). */
export const isUserId = (value: string): boolean => USER_ID_PATTERN.test(value);
