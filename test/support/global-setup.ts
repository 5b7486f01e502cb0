import { rmSync } from 'node:fs';
import { SECRETS_DIR, TEST_LOGS_DIR } from './secrets';

/** Every run starts with no function logs and no recorded secrets, so the end-of-run scan reads this run only. */
export default function globalSetup(): void {
  rmSync(TEST_LOGS_DIR, { recursive: true, force: true });
  rmSync(SECRETS_DIR, { recursive: true, force: true });
}
