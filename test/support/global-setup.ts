import { rmSync } from 'node:fs';
import { FAIR_SHARE_SCIM_REQUESTS_ENV, FAIR_SHARE_TOKEN_REQUESTS_ENV } from '../../contract/environment';
import { MAX_SHARE } from '../../contract/fair-share';
import { WEAK_TEST_PASSWORD_HASHING } from '../../functions/_shared/password-hashing';
import { SECRETS_DIR, TEST_LOGS_DIR } from './secrets';

/**
 * Every run starts with no function logs and no recorded secrets, so the end-of-run scan reads this run only.
 * The run hashes admin passwords at a test-only cost, in the workers and in every process they start (they
 * inherit the environment); one CLI test clears the setting to prove the production cost. Tests send bursts
 * from one tenant and one client (races, concurrency, soaks) that the default fair share would refuse in
 * part, so the run gives the largest share a setting allows; the fair-share tests set their own low share.
 */
export default function globalSetup(): void {
  rmSync(TEST_LOGS_DIR, { recursive: true, force: true });
  rmSync(SECRETS_DIR, { recursive: true, force: true });
  process.env[WEAK_TEST_PASSWORD_HASHING] = '1';
  process.env[FAIR_SHARE_SCIM_REQUESTS_ENV] = String(MAX_SHARE);
  process.env[FAIR_SHARE_TOKEN_REQUESTS_ENV] = String(MAX_SHARE);
}
