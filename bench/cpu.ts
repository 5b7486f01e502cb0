import { REQUEST_LOG_MESSAGE } from '../contract/activity';
import type { ProvisioningOperation } from '../contract/metrics';
import { routeById } from '../contract/routes';
import { activityLineKeys, noteActivity, withRequestActivity } from '../functions/_shared/activity';
import { authenticateBearer } from '../functions/_shared/bearer-auth';
import type { HttpRequest } from '../functions/_shared/http-event';
import { logger } from '../functions/_shared/logger';
import {
  publishRequestMetrics,
  recordProvisioningOperation,
  requestLineMetrics,
  withRequestMetrics,
} from '../functions/_shared/metrics';
import { recordTableCalls } from '../test/support/dynamodb-calls';
import { type InvokeRequest, invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { bareReplay } from './lib/replay';
import { type BenchSection, percentile, round } from './lib/report';
import {
  activeRequest,
  createRequest,
  getRequest,
  inParallel,
  lookupRequest,
  pageRequest,
  replaceRequest,
  userNameFor,
} from './lib/workload';

/** One SCIM operation of Okta's provisioning traffic, with the metric its handler records. */
interface Operation {
  readonly name: string;
  readonly metric: ProvisioningOperation;
  readonly status: number;
  next(): InvokeRequest;
  after?(body: string): void;
}

type User = Record<string, unknown> & { id: string; userName: string };

/** The log and EMF lines one request writes, as bytes, and how many lines. */
interface Written {
  bytes: number;
  lines: number;
}

/**
 * Runs `work` with stdout and stderr captured: only the functions' JSON lines (logs and EMF metrics) are counted,
 * and nothing reaches the terminal, as when a benchmark silences the functions.
 */
async function capturingLines<T>(work: () => Promise<T>): Promise<{ result: T; written: Written }> {
  const written: Written = { bytes: 0, lines: 0 };
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = ((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{')) {
      written.bytes += Buffer.byteLength(text, 'utf8');
      written.lines += text.split('\n').filter((line) => line.trim() !== '').length;
    }
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { result: await work(), written };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}

/** CPU time of this process (user + system) per run of `work`, in µs, over `iterations` sequential runs. */
async function cpuMicrosPerRun(iterations: number, work: () => Promise<void>): Promise<number> {
  const started = process.cpuUsage();
  for (let index = 0; index < iterations; index += 1) await work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / iterations;
}

/** The HTTP request the SCIM handlers hand to the token check, reduced to what it reads. */
const bearerRequest = (token: string): HttpRequest => ({
  method: 'GET',
  path: '/scim/v2/Users',
  resourcePath: '/scim/v2/Users',
  headers: { authorization: `Bearer ${token}` },
  query: {},
  pathParams: {},
  body: undefined,
  bodyBytes: 0,
  requestId: 'bench',
  sourceIp: '127.0.0.1',
});

/**
 * CPU per operation: each operation's handler invoked in this process (as the overhead bench does), with
 * `process.cpuUsage()` around the runs, then the parts measured alone the same way: the operation's DynamoDB
 * calls through a document client of the same configuration, the Bearer token check, and the request's log line
 * and metrics. What is left is the handler and core (parsing, validation, rendering, middy). The log bytes are
 * what one request of the operation writes to stdout (its log line and EMF metric lines).
 */
export async function cpuBench(context: BenchContext): Promise<BenchSection> {
  const iterations = context.quick ? 3 : 300;
  const warmUp = context.quick ? 1 : 20;
  const pageSize = context.quick ? 3 : 100;
  const run = `cpu${Date.now().toString(36)}`;
  const token = await context.bearerToken();
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown>[] = [];
  await capturingLines(async () => {
    await inParallel(pageSize, 4, async (n) => {
      await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
    });
  });
  const user = JSON.parse(
    (await capturingLines(() => invokeExpecting(200, lookupRequest(token, userNameFor(run, 0))))).result.body,
  ) as { Resources: User[] };
  const subject = user.Resources[0];
  if (!subject) throw new Error('the CPU bench could not find its user');
  let created = pageSize;
  let active = true;
  let replaced = 0;
  let current: User = subject;
  const operations: Operation[] = [
    { name: 'GET /Users/{id}', metric: 'get', status: 200, next: () => getRequest(token, subject.id) },
    {
      name: 'GET /Users?filter=userName eq',
      metric: 'list',
      status: 200,
      next: () => lookupRequest(token, subject.userName),
    },
    {
      name: 'POST /Users (create)',
      metric: 'create',
      status: 201,
      next: () => {
        created += 1;
        return createRequest(token, userNameFor(run, created));
      },
    },
    {
      name: 'PUT /Users/{id} (one attribute changed)',
      metric: 'replace',
      status: 200,
      next: () => {
        replaced += 1;
        return replaceRequest(token, current, `Title ${replaced}`);
      },
      after: (body) => {
        current = JSON.parse(body) as User;
      },
    },
    {
      name: 'PATCH /Users/{id} (active toggled)',
      metric: 'patch',
      status: 200,
      next: () => {
        active = !active;
        return activeRequest(token, subject.id, active);
      },
    },
    {
      name: `GET /Users?startIndex=1&count=${pageSize} (list page)`,
      metric: 'list',
      status: 200,
      next: () => pageRequest(token, 1, pageSize),
    },
  ];

  const benchRoute = routeById('ScimUserGet');
  const checkToken = async () => {
    await authenticateBearer(bearerRequest(token));
  };
  for (const operation of operations) {
    const wallMs: number[] = [];
    const once = async () => {
      const started = performance.now();
      const result = await invokeExpecting(operation.status, operation.next());
      wallMs.push(performance.now() - started);
      operation.after?.(result.body);
    };
    const { written } = await capturingLines(async () => {
      for (let index = 0; index < warmUp; index += 1) await once();
    });
    const perRequest = { bytes: written.bytes / warmUp, lines: written.lines / warmUp };
    const recorder = recordTableCalls({ consumedCapacity: true });
    recorder.reset();
    await capturingLines(once);
    const bareCalls = recorder.calls().length;
    const bare = bareReplay(context.dynamoDbEndpoint, recorder.calls());
    // The timed requests go out exactly as in production, without ReturnConsumedCapacity.
    recordTableCalls();
    const logAndMetrics = async () => {
      await withRequestMetrics(() =>
        withRequestActivity(async () => {
          recordProvisioningOperation(operation.metric, 'bench-tenant');
          noteActivity({ tenantId: 'bench-tenant', clientId: 'bench-client', userId: subject.id });
          logger.info(REQUEST_LOG_MESSAGE, {
            method: 'GET',
            status: operation.status,
            latencyMs: 12.3,
            ...activityLineKeys(benchRoute, 'bench', operation.status, undefined),
            ...requestLineMetrics(),
          });
          publishRequestMetrics({ functionName: 'bench' });
        }),
      );
    };
    const { result: micros } = await capturingLines(async () => {
      for (let index = 0; index < warmUp; index += 1) {
        await bare();
        await checkToken();
        await logAndMetrics();
      }
      wallMs.splice(0);
      return {
        handler: await cpuMicrosPerRun(iterations, once),
        dynamoDb: await cpuMicrosPerRun(iterations, bare),
        token: await cpuMicrosPerRun(iterations, checkToken),
        logging: await cpuMicrosPerRun(iterations, logAndMetrics),
      };
    });
    recorder.reset();
    const handlerWallP50 = percentile(wallMs, 50);
    const rest = micros.handler - micros.dynamoDb - micros.token - micros.logging;
    const figures = {
      operation: operation.name,
      metric: operation.metric,
      dynamoDbCalls: bareCalls,
      handlerWallP50: round(handlerWallP50),
      cpuMicros: round(micros.handler, 0),
      dynamoDbMicros: round(micros.dynamoDb, 0),
      tokenMicros: round(micros.token, 0),
      loggingMicros: round(micros.logging, 0),
      handlerAndCoreMicros: round(rest, 0),
      logBytes: round(perRequest.bytes, 0),
      logLines: round(perRequest.lines, 1),
    };
    data.push({ ...figures, iterations });
    rows.push([
      figures.operation,
      figures.cpuMicros,
      figures.dynamoDbMicros,
      figures.tokenMicros,
      figures.loggingMicros,
      figures.handlerAndCoreMicros,
      `${round((figures.dynamoDbMicros / figures.cpuMicros) * 100, 0)} %`,
      figures.logBytes,
      figures.logLines,
    ]);
  }
  return {
    name: 'cpu',
    title: 'CPU per operation and log bytes per request (in-process, warm)',
    columns: [
      'operation',
      'CPU µs',
      'DynamoDB client µs',
      'token check µs',
      'log + metrics µs',
      'handler + core µs',
      'DynamoDB client share',
      'log bytes',
      'log lines',
    ],
    rows,
    notes: [
      `${iterations} sequential runs of each, after ${warmUp} warm-up runs; CPU is this process's user + system time (process.cpuUsage) divided by the runs; DynamoDB Local runs in its own process and is not counted.`,
      '"DynamoDB client" sends the calls the handler made (recorded once) again through a document client of the same configuration; "token check" is the SCIM routes\' Bearer verification of a token already seen (its signature and claims are verified at its first use and remembered per container; its expiry and grant status, from the per-container grant cache, are checked every time); "log + metrics" writes the request log line with its activity keys and the operation metric as the route stack does. "handler + core" is the rest: middy, event parsing, validation, SCIM rules and rendering.',
      'The parts are measured apart from the handler, so caches and JIT state differ a little; a small negative "handler + core" is noise. The handler runs with the bench\'s call recorder on the shared document client, which adds a few µs per call.',
      '"log bytes" is what one request of the operation writes to stdout, averaged over the warm-up requests: its request log line, which is also its activity record and carries its first metric (EMF), and an EMF line for each further metric (a PATCH or PUT that also deactivates or reactivates); CloudWatch Logs bills these bytes (the cost model uses them). In AWS each line also has `xray_trace_id` (about 55 bytes). Goal: well under 1 KB.',
    ],
    data,
  };
}
