import { honoursLocalTestSettings } from '../../contract/environment';
import {
  dummyPasswordHash,
  hashPassword,
  type PasswordHashCost,
  PRODUCTION_PASSWORD_HASH_COST,
} from '../../core/oauth/passwords';

/**
 * Set to `1` by the jest run, so that its processes (the workers, and the local server and admin CLI they
 * start) hash admin passwords cheaply: at the production cost, hashing is the larger part of the tests' CPU
 * time. Honoured only in a test run (`NODE_ENV=test`, which jest sets) outside AWS Lambda, so a deployed
 * function, `npm start` and the admin CLI always hash at the production cost.
 */
export const WEAK_TEST_PASSWORD_HASHING = 'SCIM_TEST_WEAK_PASSWORD_HASHING';

/** N = 2^4: microseconds instead of a few hundred ms and 128 MiB. For test runs only. */
const WEAK_TEST_PASSWORD_HASH_COST: PasswordHashCost = { log2Cost: 4, blockSize: 8, parallelism: 1 };

export function passwordHashCost(env: NodeJS.ProcessEnv = process.env): PasswordHashCost {
  const honoured = env[WEAK_TEST_PASSWORD_HASHING] === '1' && honoursLocalTestSettings(env);
  return honoured ? WEAK_TEST_PASSWORD_HASH_COST : PRODUCTION_PASSWORD_HASH_COST;
}

/** Hashes an admin's password for storage. */
export const hashAdminPassword = (password: string): Promise<string> => hashPassword(password, passwordHashCost());

/** What to verify a password against when no admin has the email (see `dummyPasswordHash`). */
export const unknownAdminPasswordHash = (): Promise<string> => dummyPasswordHash(passwordHashCost());
