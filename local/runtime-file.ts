import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableKey } from '../contract/tables';

/**
 * `.local/runtime.json`: written by a running `npm start` so that the admin CLI can reach the same DynamoDB
 * Local (whose `-sharedDb` file only one process can open at a time), and removed when it stops.
 */
export interface LocalRuntime {
  readonly pid: number;
  readonly dynamoDbEndpoint: string;
  readonly publicBaseUrl: string;
  readonly tableNames: Record<TableKey, string>;
  readonly inMemory: boolean;
}

export const runtimeFile = (stateDir: string): string => join(stateDir, 'runtime.json');

export function writeRuntimeFile(stateDir: string, runtime: LocalRuntime): void {
  writeFileSync(runtimeFile(stateDir), `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file if it is this process's own (a second `npm start` must not remove the first one's). */
export function removeRuntimeFile(stateDir: string, pid = process.pid): void {
  if (readRuntimeFile(stateDir)?.pid === pid) rmSync(runtimeFile(stateDir), { force: true });
}

/** The running service's runtime, or undefined when there is no file or its process is gone. */
export function readRuntimeFile(stateDir: string): LocalRuntime | undefined {
  let runtime: LocalRuntime;
  try {
    runtime = JSON.parse(readFileSync(runtimeFile(stateDir), 'utf8')) as LocalRuntime;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(runtime.pid) || typeof runtime.dynamoDbEndpoint !== 'string') return undefined;
  try {
    process.kill(runtime.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it is still running.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return runtime;
}
