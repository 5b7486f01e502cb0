import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where each test file records the secrets it handled, for the end-of-run log scan. */
export const SECRETS_DIR = join(__dirname, '..', '..', '.local', 'test-secrets');
export const TEST_LOGS_DIR = join(__dirname, '..', '..', '.local', 'test-logs');

/**
 * Records a secret value a test created or received (token, code, client secret, password), so that the
 * global teardown can prove it never appeared in any function log written during the whole run.
 */
export function rememberSecret(value: string): void {
  // Outside jest (the benchmarks reuse the token helpers) there is no run to scan.
  if (value.length < 8 || typeof expect === 'undefined') return;
  mkdirSync(SECRETS_DIR, { recursive: true });
  const file = join(SECRETS_DIR, `${basename(expect.getState().testPath ?? 'unknown')}.txt`);
  appendFileSync(file, `${JSON.stringify(value)}\n`);
}
