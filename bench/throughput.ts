import { createLocalServer, listen } from '../local/server';
import { recordTableCalls } from '../test/support/dynamodb-calls';
import { invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { runLoadGenerator } from './lib/load-generator';
import { type BenchSection, round } from './lib/report';
import { createRequest, inParallel, userNameFor, withFunctionLogsDiscarded } from './lib/workload';

const OPERATIONS = ['userName eq lookup', 'create', 'PUT update', 'PATCH deactivate', 'list page (count=100)'];

/**
 * Throughput: the local HTTP server (the same handlers, behind the API Gateway emulation of `npm start`) under
 * autocannon, running in a separate process, with Okta's mix: each connection provisions users one after another
 * (lookup, create, PUT, deactivate) and reads an import page between them.
 */
export async function throughputBench(context: BenchContext): Promise<BenchSection> {
  const connections = context.quick ? 2 : 10;
  const seededUsers = context.quick ? 20 : 1_000;
  const durationSeconds = 30;
  const token = await context.bearerToken();
  const run = `tp${Date.now().toString(36)}`;
  // Requests go out exactly as in production, without ReturnConsumedCapacity.
  recordTableCalls().reset();
  const { result, statuses } = await withFunctionLogsDiscarded(async () => {
    const server = createLocalServer();
    const port = await listen(server, 0);
    try {
      await inParallel(seededUsers, 8, async (n) => {
        await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
      });
      return await runLoadGenerator('autocannon-child.cjs', {
        url: `http://127.0.0.1:${port}`,
        token,
        seededUsers,
        connections,
        run,
        ...(context.quick ? { amount: 25 } : { duration: durationSeconds }),
      });
    } finally {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      // Handlers of requests the load generator abandoned at its deadline may still log a line.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  const perOperation = OPERATIONS.map((_operation, index) =>
    Object.entries(statuses)
      .filter(([key]) => key.startsWith(`${index}:`))
      .map(([key, count]) => `${key.slice(key.indexOf(':') + 1)}×${count}`)
      .join(' '),
  );
  if (errors > 0) throw new Error(`throughput run had ${errors} errors: ${JSON.stringify(statuses)}`);
  return {
    name: 'throughput',
    title: 'Throughput of the local HTTP server (autocannon, Okta-like mix)',
    columns: ['connections', 'seconds', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors'],
    rows: [
      [
        connections,
        round(result.duration, 1),
        result.requests.total,
        round(result.requests.total / result.duration, 0),
        result.latency.p50,
        result.latency.p99,
        result.latency.p99_9,
        result.latency.max,
        errors,
      ],
    ],
    notes: [
      `Each of the ${connections} connections repeats: userName eq lookup (not found) → create → PUT update → PATCH deactivate → one import page at a random startIndex of ${seededUsers} seeded users; one fifth of the requests each.`,
      `Statuses per operation: ${OPERATIONS.map((operation, index) => `${operation} ${perOperation[index]}`).join('; ')}.`,
      'Errors count connection errors, timeouts and every answer other than 2xx; the run fails if there is one. The server, its handlers and DynamoDB Local share this machine’s cores with the load generator.',
    ],
    data: { connections, seededUsers, result, statuses },
  };
}
