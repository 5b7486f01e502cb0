import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { runtimeFile } from '../../local/runtime-file';

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

/** The admin CLI as a child process on a state folder, with no other way to its data. */
function adminCommand(localDir: string, args: string[]) {
  let stderr = '';
  const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, SCIM_LOCAL_DIR: localDir, SCIM_ADMIN_DYNAMODB_ENDPOINT: '' },
    encoding: 'utf8',
  });
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { done, stderr: () => stderr };
}

describe('npm start', () => {
  test('while it starts, requests never get a 500 and an admin command waits for it instead of opening the data itself', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
    const port = await freePort();
    const run = start([], { PORT: String(port), SCIM_LOCAL_DIR: localDir });
    const statuses: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`);
          statuses.push(response.status);
          await response.arrayBuffer();
        } catch {
          // Not listening yet: the connection is refused, which a client retries.
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      await waitFor(() => existsSync(runtimeFile(localDir)), 60_000);
      // Held while it is still starting, so that the command certainly meets a service that is not ready yet.
      run.child.kill('SIGSTOP');
      expect(JSON.parse(readFileSync(runtimeFile(localDir), 'utf8'))).toMatchObject({ status: 'starting' });
      const command = adminCommand(localDir, ['tenant', 'create', '--name', 'Early', '--json']);
      try {
        await waitFor(() => command.stderr().includes('waiting for npm start'), 60_000);
      } finally {
        run.child.kill('SIGCONT');
      }
      const created = await command.done;
      expect(created.code).toBe(0);
      expect(created.stderr.trim().split('\n')).toEqual([
        `admin: waiting for npm start (pid ${run.child.pid}) to finish starting…`,
        `admin: using the running npm start at http://localhost:${port} (state folder ${localDir})`,
      ]);
      const { tenantId } = JSON.parse(created.stdout) as { tenantId: string };
      await waitFor(() => run.output().stdout.includes('Press Ctrl-C to stop'), 60_000);
      await waitFor(() => statuses.length > 0, 60_000);
      const listed = await adminCommand(localDir, ['tenant', 'list', '--json']).done;
      expect((JSON.parse(listed.stdout) as { tenants: { tenantId: string }[] }).tenants).toEqual([
        expect.objectContaining({ tenantId, name: 'Early' }),
      ]);
      const { stdout } = run.output();
      expect(stdout.indexOf('Starting DynamoDB Local')).toBeLessThan(stdout.indexOf('Creating or updating the tables'));
      expect(stdout.indexOf('Creating or updating the tables')).toBeLessThan(stdout.indexOf('SCIM connector base URL'));
    } finally {
      polling = false;
      await poller;
      run.child.kill('SIGCONT');
      run.child.kill('SIGTERM');
      await run.exited;
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
  }, 240_000);

  test('serves the SCIM base URL, prints what Okta needs, and stops cleanly on SIGTERM leaving no Java', async () => {
    const port = await freePort();
    const run = start(['--in-memory'], { PORT: String(port) });
    try {
      await waitFor(() => run.output().stdout.includes('Press Ctrl-C to stop'), 20_000);
      const { stdout } = run.output();
      expect(stdout).toContain(`SCIM connector base URL   http://localhost:${port}/scim/v2`);
      expect(stdout).toContain('Authorization endpoint');
      expect(stdout).toContain('Token endpoint');
      expect(stdout).toContain(`Admin console (for a tenant's admins)  http://localhost:${port}/console`);
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
        stdio: ['ignore', 'pipe', 'pipe'],
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
