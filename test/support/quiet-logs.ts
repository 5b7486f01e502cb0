import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TEST_LOGS_DIR } from './secrets';

/**
 * Keeps the functions' JSON log lines out of the test report: what they write to stdout, and the JSON lines
 * they write to stderr (Powertools sends errors there), are appended to `.local/test-logs/<test file>.log`
 * instead, where the end-of-run secret scan and a person debugging can read them. Tests that assert on log
 * lines replace the writers themselves (test/support/log-capture.ts), on top of this.
 */
mkdirSync(TEST_LOGS_DIR, { recursive: true });
const logFile = join(TEST_LOGS_DIR, `${basename(expect.getState().testPath ?? 'unknown')}.log`);
const toText = (chunk: string | Uint8Array) =>
  typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
const originalStderrWrite = process.stderr.write.bind(process.stderr);

process.stdout.write = ((chunk: string | Uint8Array) => {
  appendFileSync(logFile, toText(chunk));
  return true;
}) as typeof process.stdout.write;

process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = toText(chunk);
  if (text.startsWith('{')) {
    appendFileSync(logFile, text);
    return true;
  }
  return (originalStderrWrite as (chunk: string, ...args: unknown[]) => boolean)(text, ...rest);
}) as typeof process.stderr.write;
