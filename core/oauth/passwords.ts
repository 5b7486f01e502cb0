import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Admin passwords, stored with scrypt (RFC 7914) at the OWASP Password Storage Cheat Sheet's parameters for
 * scrypt: N = 2^17, r = 8, p = 1 (RFC 6819 §5.1.4.1.3: credentials are stored hashed with a slow function).
 * The stored string describes itself, `scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64url), so the parameters can
 * be raised later without breaking existing hashes. Hashing takes 128 MiB of memory and a few hundred ms.
 */
export interface PasswordHashCost {
  /** log2 of scrypt's CPU/memory cost N. */
  readonly log2Cost: number;
  readonly blockSize: number;
  readonly parallelism: number;
}

export const PRODUCTION_PASSWORD_HASH_COST: PasswordHashCost = { log2Cost: 17, blockSize: 8, parallelism: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Passwords longer than this are refused before hashing, so a huge body cannot buy a long computation. */
export const MAX_PASSWORD_LENGTH = 1024;

const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const optionsFor = (log2Cost: number, blockSize: number, parallelism: number): ScryptOptions => ({
  N: 2 ** log2Cost,
  r: blockSize,
  p: parallelism,
  // scrypt needs 128 · N · r bytes; Node's default ceiling (32 MiB) is below that.
  maxmem: 129 * 2 ** log2Cost * blockSize * parallelism + 1024 * 1024,
});

/** Hashes at the production cost unless a caller passes another one (only test runs do). */
export async function hashPassword(
  password: string,
  cost: PasswordHashCost = PRODUCTION_PASSWORD_HASH_COST,
): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) throw new RangeError('The password is too long');
  const { log2Cost, blockSize, parallelism } = cost;
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, optionsFor(log2Cost, blockSize, parallelism));
  return `scrypt$ln=${log2Cost},r=${blockSize},p=${parallelism}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Whether `password` matches `stored`, compared in constant time. A malformed stored value or an over-long
 * password is simply `false`: the caller answers exactly as for a wrong password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = FORMAT.exec(stored);
  if (!match || password.length > MAX_PASSWORD_LENGTH) return false;
  const [, log2Cost, blockSize, parallelism, salt, hash] = match;
  const expected = Buffer.from(hash as string, 'base64url');
  if (expected.length < 16 || Number(log2Cost) > 20) return false;
  const actual = await derive(
    password,
    Buffer.from(salt as string, 'base64url'),
    expected.length,
    optionsFor(Number(log2Cost), Number(blockSize), Number(parallelism)),
  );
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password nobody knows, with the production parameters. Verify against it when the email
 * is unknown, so an unknown account costs the same time as a wrong password (RFC 6819 §5.1.4.2.3, no account
 * enumeration by timing).
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$ln=17,r=8,p=1$GQKhAKzzjPD0cbeQQbVjCQ$z55vKSo_mkVPgTNxJh6BKDLkiPJUOWqtbT-uIQygyEM';

const dummyHashes = new Map<string, Promise<string>>();

/**
 * The dummy hash for a cost: the constant above at the production cost, otherwise one made once per process
 * at that cost, so that an unknown email still costs what a wrong password costs.
 */
export function dummyPasswordHash(cost: PasswordHashCost = PRODUCTION_PASSWORD_HASH_COST): Promise<string> {
  const { log2Cost, blockSize, parallelism } = cost;
  const key = `ln=${log2Cost},r=${blockSize},p=${parallelism}`;
  if (DUMMY_PASSWORD_HASH.startsWith(`scrypt$${key}$`)) return Promise.resolve(DUMMY_PASSWORD_HASH);
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = hashPassword(randomBytes(SALT_BYTES).toString('base64url'), cost);
    dummyHashes.set(key, hash);
  }
  return hash;
}
