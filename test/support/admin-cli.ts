import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testDynamoDbEndpoint } from './local-service';
import { rememberSecret } from './secrets';

/** The real CLI, as a child process, against the test run's DynamoDB Local. */
const ROOT = join(__dirname, '..', '..');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `env` adds to (or, with `undefined`, removes from) the environment the child inherits. */
export function run(
  command: string,
  args: readonly string[],
  stdin?: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  if (stdin !== undefined) rememberSecret(stdin.trim());
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: ROOT,
      env: { ...process.env, SCIM_ADMIN_DYNAMODB_ENDPOINT: testDynamoDbEndpoint(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/**
 * `scripts/admin.ts` compiled by tsx's CommonJS hook alone (the project is CommonJS), without the ESM loader
 * hooks the `tsx` command also installs: about a third less CPU per start, which adds up over
 * the many CLI runs of the tests.
 */
export const admin = (args: readonly string[], stdin?: string, env?: NodeJS.ProcessEnv) =>
  run(process.execPath, ['--require', 'tsx/cjs', 'scripts/admin.ts', ...args], stdin, env);

/** `--json` output: exactly one JSON object and nothing else on stdout. */
export function onlyJson(result: Run): Record<string, unknown> {
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  const parsed = JSON.parse(result.stdout) as unknown;
  expect(parsed).toEqual(expect.any(Object));
  const secret = (parsed as { clientSecret?: unknown }).clientSecret;
  if (typeof secret === 'string') rememberSecret(secret);
  expect(Array.isArray(parsed)).toBe(false);
  return parsed as Record<string, unknown>;
}
