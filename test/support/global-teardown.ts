import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRETS_DIR, TEST_LOGS_DIR } from './secrets';

/**
 * Scans every log line the functions wrote during the run for every secret the
 * tests recorded (tokens, codes, client secrets, passwords) and for Authorization headers. A hit fails the run.
 */
export default function globalTeardown(): void {
  const leaks = findLeakedSecrets(SECRETS_DIR, TEST_LOGS_DIR);
  if (leaks.length > 0) {
    throw new Error(`Secrets appeared in function logs:\n${leaks.join('\n')}`);
  }
}

export function findLeakedSecrets(secretsDir: string, logsDir: string): string[] {
  const read = (dir: string) =>
    existsSync(dir) ? readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })) : [];
  const secrets = read(secretsDir).flatMap(({ text }) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string),
  );
  const leaks: string[] = [];
  for (const { name, text } of read(logsDir)) {
    if (/"authorization"\s*:/i.test(text)) leaks.push(`${name}: an Authorization header was logged`);
    for (const secret of secrets) {
      if (text.includes(secret)) leaks.push(`${name}: a recorded secret (${secret.slice(0, 4)}…) was logged`);
    }
  }
  return leaks;
}
