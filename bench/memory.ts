import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { LOCAL_VERIFICATION_JWKS_ENV } from '../contract/environment';
import { type RouteId, routeById } from '../contract/routes';
import { GROUP_SCHEMA } from '../core/scim/group-schema';
import { WEAK_TEST_PASSWORD_HASHING } from '../functions/_shared/password-hashing';
import { verificationKeys } from '../functions/_shared/services';
import { esbuildOptions } from '../lib/bundling';
import { memoryClassOf, ROUTE_MEMORY_MB, type RouteMemoryClass } from '../lib/route-function';
import { apiEvent } from '../test/support/api-event';
import type { InvokeRequest } from '../test/support/invoke';
import { invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { type BenchSection, round } from './lib/report';
import {
  createRequest,
  getRequest,
  inParallel,
  lookupRequest,
  pageRequest,
  scimHeaders,
  userNameFor,
  withFunctionLogsDiscarded,
} from './lib/workload';

const ROOT = join(__dirname, '..');
const WORK_DIR = join(ROOT, '.local', 'bench', 'memory');

interface ChildReport {
  coldCpuMicros: number;
  warmCpuMicrosPerRequest: number;
  coldRssKb: number;
  peakRssKb: number;
  statuses: number[];
  error?: string;
}

/** One measured function: what it runs, and the requests one execution environment answers in turn. */
interface Subject {
  readonly name: string;
  readonly entry: string;
  readonly memoryClass: RouteMemoryClass | 'none';
  readonly status: number;
  readonly events: APIGatewayProxyEvent[];
}

async function bundle(name: string, entry: string): Promise<string> {
  const outfile = join(WORK_DIR, name, 'index.js');
  await build({ ...esbuildOptions, entryPoints: [join(ROOT, entry)], outfile, sourcemap: false, logLevel: 'silent' });
  return outfile;
}

const toEvent = (request: InvokeRequest): APIGatewayProxyEvent =>
  apiEvent(request.method, request.url, {
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
  });

function routeSubject(id: RouteId, status: number, requests: InvokeRequest[]): Subject {
  const route = routeById(id);
  if (!route) throw new Error(`${id} is not in the manifest`);
  return { name: id, entry: route.entry, memoryClass: memoryClassOf(route), status, events: requests.map(toEvent) };
}

/**
 * Peak memory and CPU per function, for sizing Lambda memory: each measured function's bundle runs in a fresh
 * Node process (one execution environment) that answers a series of real requests against DynamoDB Local in
 * turn, and reports its peak resident set (`process.resourceUsage().maxRSS`) and its CPU time for loading plus the
 * first request and per warm request after it. The password routes are represented by their dominant work, one
 * scrypt hash at the production cost, bundled the same way.
 */
export async function memoryBench(context: BenchContext): Promise<BenchSection> {
  mkdirSync(WORK_DIR, { recursive: true });
  const requests = context.quick ? 3 : 60;
  const pageSize = context.quick ? 3 : 100;
  const run = `mem${Date.now().toString(36)}`;
  const token = await context.bearerToken();
  const userIds: string[] = [];
  await withFunctionLogsDiscarded(() =>
    inParallel(pageSize, 4, async (n) => {
      const created = await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
      userIds.push((JSON.parse(created.body) as { id: string }).id);
    }),
  );
  const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));
  const subjects: Subject[] = [
    { name: '(empty hello handler)', entry: 'bench/fixtures/hello.ts', memoryClass: 'none', status: 200, events: [] },
    routeSubject(
      'ScimUserGet',
      200,
      times(requests, (i) => getRequest(token, userIds[i % userIds.length] as string)),
    ),
    routeSubject(
      'ScimUsersList',
      200,
      times(requests, (i) => lookupRequest(token, userNameFor(run, i % pageSize))),
    ),
    routeSubject(
      'ScimUsersCreate',
      201,
      times(requests, (i) => createRequest(token, userNameFor(`${run}c`, i))),
    ),
    {
      ...routeSubject(
        'ScimUsersList',
        200,
        times(requests, () => pageRequest(token, 1, pageSize)),
      ),
      name: `ScimUsersList (page of ${pageSize})`,
    },
    {
      ...routeSubject(
        'ScimGroupsCreate',
        201,
        times(requests, (i) => ({
          method: 'POST',
          url: '/scim/v2/Groups',
          headers: scimHeaders(token, true),
          body: JSON.stringify({
            schemas: [GROUP_SCHEMA],
            displayName: `${run} group ${i}`,
            members: userIds.map((value) => ({ value })),
          }),
        })),
      ),
      name: `ScimGroupsCreate (${pageSize} members)`,
    },
    routeSubject(
      'ConsoleSignIn',
      200,
      times(requests, () => ({ method: 'GET', url: '/console/sign-in', headers: { Accept: 'text/html' } })),
    ),
    routeSubject(
      'OAuthMetadata',
      200,
      times(requests, () => ({ method: 'GET', url: '/.well-known/oauth-authorization-server' })),
    ),
    {
      name: 'password check (scrypt, production cost)',
      entry: 'bench/fixtures/password-hash.ts',
      memoryClass: 'password',
      status: 200,
      events: [],
    },
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    [LOCAL_VERIFICATION_JWKS_ENV]: JSON.stringify({ keys: await verificationKeys() }),
  };
  // A deployed function hashes at the production cost; so does this measurement.
  delete env[WEAK_TEST_PASSWORD_HASHING];
  const fixtureEvent = toEvent(getRequest(token, userIds[0] as string));
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown>[] = [];
  for (const subject of subjects) {
    const bundlePath = await bundle(subject.name.replace(/\W+/g, '-'), subject.entry);
    const events = subject.events.length > 0 ? subject.events : times(context.quick ? 2 : 5, () => fixtureEvent);
    const eventsPath = join(WORK_DIR, `${subject.name.replace(/\W+/g, '-')}.events.json`);
    writeFileSync(eventsPath, JSON.stringify(events));
    const child = spawnSync(process.execPath, [join(__dirname, 'lib', 'memory-child.cjs'), bundlePath, eventsPath], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = JSON.parse(child.stderr.trim().split('\n').pop() ?? '{}') as ChildReport;
    if (report.error) throw new Error(`${subject.name}: ${report.error}`);
    const unexpected = report.statuses.filter((status) => status !== subject.status);
    if (unexpected.length > 0) throw new Error(`${subject.name} answered ${unexpected.join(', ')}`);
    const figures = {
      function: subject.name,
      memoryClass: subject.memoryClass,
      memoryMb: subject.memoryClass === 'none' ? undefined : ROUTE_MEMORY_MB[subject.memoryClass],
      requests: events.length,
      coldRssMb: round(report.coldRssKb / 1024, 0),
      peakRssMb: round(report.peakRssKb / 1024, 0),
      coldCpuMs: round(report.coldCpuMicros / 1000, 1),
      warmCpuMs: round(report.warmCpuMicrosPerRequest / 1000, 2),
    };
    data.push(figures);
    rows.push([
      figures.function,
      figures.memoryClass,
      figures.memoryMb ?? '',
      figures.requests,
      figures.coldRssMb,
      figures.peakRssMb,
      figures.coldCpuMs,
      figures.warmCpuMs,
    ]);
  }
  return {
    name: 'memory',
    title: 'Peak memory and CPU per function, for Lambda memory sizing (fresh process per function)',
    columns: [
      'function',
      'memory class',
      'configured MB',
      'requests',
      'RSS after first request MB',
      'peak RSS MB',
      'load + first request CPU ms',
      'warm CPU ms per request',
    ],
    rows,
    notes: [
      `Each function's minified bundle (AWS SDK from node_modules, as the Lambda runtime provides it) in a fresh Node ${process.version} process answering ${requests} requests in turn against DynamoDB Local (the lookups find their user; the creates are new users); the fixtures answer a few.`,
      'Peak RSS is the process\'s maxRSS, what Lambda reports as "Max Memory Used" for a function; CPU is user + system time of the process (process.cpuUsage) on this machine\'s cores, about one full vCPU, which Lambda gives at 1,769 MB and in proportion below.',
      'The configured sizes are declared once in lib/route-function.ts (ROUTE_MEMORY_MB) and priced by the cost model; docs/performance.md "Lambda memory" explains the choice.',
    ],
    data,
  };
}
