import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Keeps the functions' JSON log lines out of the test report: everything written to stdout is appended to
 * `.local/test-logs/<test file>.log` instead, where the secret-leak checks and a person debugging can read it.
 * Tests that assert on log lines spy on stdout themselves (test/support/log-capture.ts), on top of this.
 */
const logDir = join(__dirname, '..', '..', '.local', 'test-logs');
mkdirSync(logDir, { recursive: true });
const logFile = join(logDir, `${basename(expect.getState().testPath ?? 'unknown')}.log`);

jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
  appendFileSync(logFile, typeof chunk === 'string' ? chunk : Buffer.from(chunk));
  return true;
});
