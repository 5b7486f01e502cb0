import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';

const ROOT = join(__dirname, '..', '..');

/** `npm start` as a user runs it (node + tsx + scripts/start.ts), with its output collected. */
function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
    cwd: ROOT,
    // A state folder of its own, so a developer's running `npm start` and its data are never touched.
    env: { ...process.env, SCIM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'scim-local-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PIDs of a process's direct children running DynamoDB Local (Linux /proc). */
async function javaChildPids(parent: ChildProcess): Promise<number[]> {
  const { readFileSync, readdirSync } = await import('node:fs');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const parentPid = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
        return (
          parentPid === String(parent.pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal')
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start', () => {
  test('serves the SCIM base URL, prints what Okta needs, and stops cleanly on SIGTERM leaving no Java', async () => {
    const port = await freePort();
    const run = start(['--in-memory'], { PORT: String(port) });
    try {
      await waitFor(() => run.output().stdout.includes('Press Ctrl-C to stop'), 20_000);
      const { stdout } = run.output();
      expect(stdout).toContain(`SCIM connector base URL   http://localhost:${port}/scim/v2`);
      expect(stdout).toContain('Authorization endpoint');
      expect(stdout).toContain('Token endpoint');
      const response = await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
      const java = await javaChildPids(run.child);
      expect(java).toHaveLength(1);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      for (const pid of java) expect(processAlive(pid)).toBe(false);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 40_000);

  test('keeps its data under the local state folder, so tenants survive a restart (and the admin CLI finds it)', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
    const env = { PORT: String(await freePort()), SCIM_LOCAL_DIR: localDir };
    const admin = (args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env, SCIM_ADMIN_DYNAMODB_ENDPOINT: '' },
        encoding: 'utf8',
      });
    const first = start([], env);
    let tenantId: string;
    try {
      await waitFor(() => first.output().stdout.includes('Press Ctrl-C to stop'), 20_000);
      tenantId = (JSON.parse(admin(['tenant', 'create', '--name', 'Persistent', '--json'])) as { tenantId: string })
        .tenantId;
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);
    const second = start([], env);
    try {
      await waitFor(() => second.output().stdout.includes('Press Ctrl-C to stop'), 20_000);
      const listed = JSON.parse(admin(['tenant', 'list', '--json'])) as { tenants: { tenantId: string }[] };
      expect(listed.tenants.map((tenant) => tenant.tenantId)).toContain(tenantId);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);
  }, 90_000);

  test('a port already in use is one line of explanation and a non-zero exit', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const run = start(['--in-memory'], { PORT: String(port) });
      expect(await run.exited).not.toBe(0);
      const { stderr } = run.output();
      expect(stderr.trim().split('\n')).toEqual([
        `npm start: port ${port} is already in use (set PORT to another port)`,
      ]);
    } finally {
      blocker.close();
    }
  }, 30_000);

  test('a missing Java runtime is one line of explanation and a non-zero exit', async () => {
    // A PATH that has node but no java.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = start(['--in-memory'], { PATH: bin, JAVA_HOME: '', PORT: String(await freePort()) });
    expect(await run.exited).not.toBe(0);
    const { stderr } = run.output();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('npm start: Java 17 or newer is required');
  }, 30_000);
});
