import { tableName } from '../functions/_shared/services';
import { recordTableCalls } from '../test/support/dynamodb-calls';
import { invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { bareReplay } from './lib/replay';
import { type BenchSection, percentile, round } from './lib/report';
import { createRequest, inParallel, pageRequest, userNameFor, withFunctionLogsDiscarded } from './lib/workload';

const PAGE_SIZE = 100;
/** Pages averaged for "at the start" and "at the end" of a walk. */
const EDGE_PAGES = 5;
/** Times the middle page's DynamoDB calls are sent again bare. */
const BARE_REPEATS = 21;

interface ImportRun {
  readonly label: string;
  readonly users: number;
  readonly createSeconds: number;
  readonly createsPerSecond: number;
  readonly pages: number;
  readonly walkSeconds: number;
  readonly firstPagesMs: number;
  readonly lastPagesMs: number;
  readonly itemsRead: number;
  readonly usersReturned: number;
  /** The DynamoDB calls of the walk's middle page, sent again bare: the database's share of a page. */
  readonly barePageMs: number;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** A tenant of `users` users, created through the create handler. */
async function createTenant(context: BenchContext, users: number, concurrency: number) {
  const token = await context.bearerToken();
  const run = `imp${users}x${Date.now().toString(36)}`;
  const createStarted = performance.now();
  await inParallel(users, concurrency, async (n) => {
    await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
  });
  return { token, users, createSeconds: (performance.now() - createStarted) / 1000 };
}

/** Okta's import walk over a tenant, timed page by page. */
async function walk(
  endpoint: string,
  tenant: { token: string; users: number; createSeconds?: number },
  label: string,
): Promise<ImportRun> {
  const { token, users } = tenant;
  const recorder = recordTableCalls({ consumedCapacity: true });
  recorder.reset();
  const callsPerPage: number[] = [];
  const pageMs: number[] = [];
  const seen = new Set<string>();
  const walkStarted = performance.now();
  // Okta's import: startIndex += count until a page comes back short (okta-scim §1.3).
  for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
    const started = performance.now();
    const page = await invokeExpecting(200, pageRequest(token, startIndex, PAGE_SIZE));
    pageMs.push(performance.now() - started);
    callsPerPage.push(recorder.calls().length);
    const body = JSON.parse(page.body) as { Resources?: { id: string }[]; totalResults: number };
    for (const resource of body.Resources ?? []) seen.add(resource.id);
    if ((body.Resources ?? []).length < PAGE_SIZE || startIndex + PAGE_SIZE > body.totalResults) break;
  }
  const walkSeconds = (performance.now() - walkStarted) / 1000;
  if (seen.size !== users) throw new Error(`the walk returned ${seen.size} distinct users of ${users}`);
  const calls = recorder.calls();
  recordTableCalls();
  const itemsRead = calls
    .filter((call) => call.tables.includes(tableName('users')))
    .reduce((sum, call) => sum + call.itemsRead, 0);
  const middle = Math.floor(pageMs.length / 2);
  const bare = bareReplay(endpoint, calls.slice(callsPerPage[middle - 1] ?? 0, callsPerPage[middle]));
  const bareMs: number[] = [];
  for (let index = 0; index < BARE_REPEATS; index += 1) {
    const started = performance.now();
    await bare();
    bareMs.push(performance.now() - started);
  }
  const edge = Math.min(EDGE_PAGES, pageMs.length);
  return {
    label,
    users,
    createSeconds: tenant.createSeconds ?? Number.NaN,
    createsPerSecond: tenant.createSeconds ? users / tenant.createSeconds : Number.NaN,
    pages: pageMs.length,
    walkSeconds,
    firstPagesMs: mean(pageMs.slice(0, edge)),
    lastPagesMs: mean(pageMs.slice(-edge)),
    itemsRead,
    usersReturned: seen.size,
    barePageMs: percentile(bareMs, 50),
  };
}

/**
 * Import at scale: N users created, then Okta's import walk (`GET /Users?startIndex=…&count=100` until the end),
 * each request through its handler in this process. Linear means: the walk's time per user and the items read
 * per user stay flat as N grows, and the last pages cost what the first ones do.
 */
export async function importScaleBench(context: BenchContext): Promise<BenchSection> {
  const sizes = context.quick ? [150, 250] : [1_000, 5_000, 20_000];
  const concurrency = context.quick ? 4 : 8;
  const runs: ImportRun[] = [];
  await withFunctionLogsDiscarded(async () => {
    const tenants = [];
    for (const users of sizes) {
      const tenant = await createTenant(context, users, concurrency);
      tenants.push(tenant);
      runs.push(await walk(context.dynamoDbEndpoint, tenant, String(users)));
    }
    // The control: the smallest tenant walked again once the table holds every tenant, to tell what grows
    // with N from what grows with the database (DynamoDB Local's own table size, the machine's load).
    const smallest = tenants[0];
    if (smallest)
      runs.push(
        await walk(
          context.dynamoDbEndpoint,
          { token: smallest.token, users: smallest.users },
          `${smallest.users} (again, at the end)`,
        ),
      );
  });
  return {
    name: 'importScale',
    title: 'Import at scale (create N users, then the Okta import walk)',
    columns: [
      'users (N)',
      'create s',
      'creates/s',
      'pages',
      'walk s',
      'walk ms per 1k users',
      'page ms, first 5',
      'page ms, last 5',
      'bare DynamoDB ms, middle page',
      'items read',
      'items read per user',
    ],
    rows: runs.map((run) => [
      run.label,
      Number.isNaN(run.createSeconds) ? '–' : round(run.createSeconds, 1),
      Number.isNaN(run.createsPerSecond) ? '–' : round(run.createsPerSecond, 0),
      run.pages,
      round(run.walkSeconds, 2),
      round((run.walkSeconds * 1000 * 1000) / run.users, 0),
      round(run.firstPagesMs, 1),
      round(run.lastPagesMs, 1),
      round(run.barePageMs, 1),
      run.itemsRead,
      round(run.itemsRead / run.users, 3),
    ]),
    notes: [
      `Creates: ${concurrency} in flight through the create handler. Walk: one page at a time, count=${PAGE_SIZE}, startIndex += ${PAGE_SIZE} until a short page, every user seen exactly once (checked).`,
      '"items read" counts every item DynamoDB read from the users table during the walk (Query items evaluated: the users, and the counter shards and bookmark slots each page reads first).',
      `"bare DynamoDB ms": the DynamoDB requests the middle page made, sent again ${BARE_REPEATS} times without the handler (median): the database's own share of a page.`,
      'The last row walks the first tenant again after all tenants exist: if its pages cost what the largest tenant’s pages cost, the growth in page time comes from the database and the machine, not from N.',
    ],
    data: runs,
  };
}
