import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  claimRuntimeFile,
  readRuntimeFile,
  removeRuntimeFile,
  runtimeFile,
  writeRuntimeFile,
} from '../../local/runtime-file';
import { localTableNames } from '../../local/tables';

const runtime = (pid: number) => ({
  status: 'ready' as const,
  pid,
  dynamoDbEndpoint: 'http://127.0.0.1:8000',
  publicBaseUrl: 'http://localhost:3000',
  tableNames: localTableNames(),
  inMemory: false,
});

describe('.local/runtime.json (how the admin CLI finds a running npm start)', () => {
  test('is read back while its process runs, and removed only by that process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-file-'));
    writeRuntimeFile(dir, runtime(process.pid));
    expect(readRuntimeFile(dir)).toEqual(runtime(process.pid));
    removeRuntimeFile(dir, process.pid + 1);
    expect(existsSync(runtimeFile(dir))).toBe(true);
    removeRuntimeFile(dir);
    expect(existsSync(runtimeFile(dir))).toBe(false);
    expect(readRuntimeFile(dir)).toBeUndefined();
  });

  test('is ignored when the process that wrote it is gone (e.g. killed) or the file is garbage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-file-'));
    const exited = spawnSync(process.execPath, ['-e', 'process.pid']);
    writeRuntimeFile(dir, runtime(exited.pid as number));
    expect(readRuntimeFile(dir)).toBeUndefined();
    writeFileSync(runtimeFile(dir), 'not json');
    expect(readRuntimeFile(dir)).toBeUndefined();
  });

  test('is claimed by one process only: a live holder is returned, a dead one’s file is replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-file-'));
    const starting = (pid: number) =>
      ({ status: 'starting', pid, publicBaseUrl: 'http://localhost:3000', inMemory: false }) as const;
    const exited = spawnSync(process.execPath, ['-e', 'process.pid']);
    writeRuntimeFile(dir, starting(exited.pid as number));
    expect(claimRuntimeFile(dir, starting(process.pid))).toBeUndefined();
    expect(readRuntimeFile(dir)).toEqual(starting(process.pid));
    expect(claimRuntimeFile(dir, starting(process.ppid))).toEqual(starting(process.pid));
    expect(readRuntimeFile(dir)).toEqual(starting(process.pid));
  });
});
