import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableKey } from '../contract/tables';

/**
 * `<state folder>/runtime.json`: claimed by `npm start` as soon as it begins, so that the admin CLI never opens
 * the same data with a DynamoDB Local of its own (whose `-sharedDb` file only one process can open at a time):
 * while the service is `starting` the CLI waits, and once it is `ready` the CLI uses its DynamoDB Local. The
 * file is removed when that `npm start` stops; a file whose process is gone is ignored.
 */
export type LocalRuntime = StartingRuntime | ReadyRuntime;

interface RuntimeIdentity {
  readonly pid: number;
  readonly publicBaseUrl: string;
  readonly inMemory: boolean;
}

export interface StartingRuntime extends RuntimeIdentity {
  readonly status: 'starting';
}

export interface ReadyRuntime extends RuntimeIdentity {
  readonly status: 'ready';
  readonly dynamoDbEndpoint: string;
  readonly tableNames: Record<TableKey, string>;
}

export const runtimeFile = (stateDir: string): string => join(stateDir, 'runtime.json');

/** Replaces the file in one step, so that a reader never sees half of it. */
export function writeRuntimeFile(stateDir: string, runtime: LocalRuntime): void {
  const partial = `${runtimeFile(stateDir)}.${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, runtimeFile(stateDir));
}

/**
 * Claims the state folder for this process: writes `runtime` unless another live process holds the file, and
 * returns that process's runtime in that case. A file left by a process that is gone is replaced.
 */
export function claimRuntimeFile(stateDir: string, runtime: LocalRuntime): LocalRuntime | undefined {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(runtimeFile(stateDir), `${JSON.stringify(runtime, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readRuntimeFile(stateDir);
    if (holder) return holder;
    rmSync(runtimeFile(stateDir), { force: true });
  }
  return readRuntimeFile(stateDir);
}

/** Removes the file if it is this process's own (a second `npm start` must not remove the first one's). */
export function removeRuntimeFile(stateDir: string, pid = process.pid): void {
  if (readRuntimeFile(stateDir)?.pid === pid) rmSync(runtimeFile(stateDir), { force: true });
}

/** The local service's runtime, or undefined when there is no file, it is not one, or its process is gone. */
export function readRuntimeFile(stateDir: string): LocalRuntime | undefined {
  let runtime: LocalRuntime;
  try {
    runtime = JSON.parse(readFileSync(runtimeFile(stateDir), 'utf8')) as LocalRuntime;
  } catch {
    return undefined;
  }
  if (typeof runtime !== 'object' || runtime === null || !Number.isInteger(runtime.pid)) return undefined;
  const valid =
    runtime.status === 'starting' || (runtime.status === 'ready' && typeof runtime.dynamoDbEndpoint === 'string');
  if (!valid) return undefined;
  try {
    process.kill(runtime.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it is still running.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return runtime;
}
