import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { TEST_LOGS_DIR } from './secrets';

export interface ServiceProcess {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the local HTTP server in a child process with this process's environment (call
 * `applyLocalEnvironment` first, with `publicBaseUrl` set to `baseUrlFor(port)`), and waits until it listens.
 * Its function logs go to this test file's log, where the end-of-run secret scan reads them.
 */
export async function startServiceProcess(port: number): Promise<ServiceProcess> {
  mkdirSync(TEST_LOGS_DIR, { recursive: true });
  const logFile = join(TEST_LOGS_DIR, `${basename(expect.getState().testPath ?? 'unknown')}.log`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'local-server-child.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (stderr.includes('listening on')) {
        appendFileSync(logFile, text);
        return;
      }
      stderr += text;
      if (stderr.includes('listening on')) resolve();
    });
    void exited.then(() => reject(new Error(`the server process exited: ${stderr.trim()}`)));
  });
  return {
    baseUrl: baseUrlFor(port),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const baseUrlFor = (port: number) => `http://127.0.0.1:${port}`;

export { freePort };
