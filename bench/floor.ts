import { createServer, type Server } from 'node:http';
import { createLocalServer, listen } from '../local/server';
import { recordTableCalls } from '../test/support/dynamodb-calls';
import { type InvokeRequest, invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { runLoadGenerator } from './lib/load-generator';
import { bareReplay } from './lib/replay';
import { type BenchSection, round } from './lib/report';
import {
  activeRequest,
  createRequest,
  getRequest,
  inParallel,
  lookupRequest,
  pageRequest,
  userNameFor,
  withFunctionLogsDiscarded,
} from './lib/workload';

/** One scenario of the comparison: the request our handler answers, and the status both servers must give. */
interface Scenario {
  readonly key: 'get' | 'lookup' | 'create' | 'patch' | 'list';
  readonly name: string;
  readonly status: number;
  sample(): InvokeRequest;
}

/** What the floor server does for a scenario: the recorded DynamoDB calls, then the recorded answer. */
interface FloorAnswer {
  readonly replay: () => Promise<void>;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * The floor: a bare `node:http` server that, for every request, sends exactly the DynamoDB calls our handler
 * sent for that scenario (recorded once, through a document client of the same configuration, against the same
 * DynamoDB Local) and answers with the body our handler answered. Whatever our server is slower by is our
 * own work: HTTP emulation, parsing, the token check, validation, rendering, logging and metrics.
 */
function floorServer(answerFor: () => FloorAnswer): Server {
  return createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      const answer = answerFor();
      answer
        .replay()
        .then(() => {
          response.writeHead(answer.status, answer.headers);
          response.end(answer.body);
        })
        .catch(() => {
          response.writeHead(500);
          response.end();
        });
    });
  });
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * Ours against the floor over HTTP, scenario by scenario, under autocannon in its own process: rounds interleave
 * the two servers (and swap which goes first), so drift in the machine's load hits both alike; the table gives
 * the median requests per second of each and their ratio.
 */
export async function floorBench(context: BenchContext): Promise<BenchSection> {
  const rounds = context.quick ? 1 : 3;
  const durationSeconds = 10;
  const connections = context.quick ? 2 : 10;
  const run = `floor${Date.now().toString(36)}`;
  const token = await context.bearerToken();
  return withFunctionLogsDiscarded(async () => {
    await inParallel(context.quick ? 5 : 120, 8, async (n) => {
      await invokeExpecting(201, createRequest(token, userNameFor(`${run}-seed`, n)));
    });
    const user = JSON.parse((await invokeExpecting(201, createRequest(token, userNameFor(run, 0)))).body) as {
      id: string;
      userName: string;
    };
    let sampled = 0;
    let active = true;
    const scenarios: Scenario[] = [
      { key: 'get', name: 'GET /Users/{id}', status: 200, sample: () => getRequest(token, user.id) },
      {
        key: 'lookup',
        name: 'GET /Users?filter=userName eq',
        status: 200,
        sample: () => lookupRequest(token, user.userName),
      },
      {
        key: 'create',
        name: 'POST /Users',
        status: 201,
        sample: () => {
          sampled += 1;
          return createRequest(token, userNameFor(`${run}-sample`, sampled));
        },
      },
      {
        key: 'patch',
        name: 'PATCH active false/true',
        status: 200,
        sample: () => {
          active = !active;
          return activeRequest(token, user.id, active);
        },
      },
      { key: 'list', name: 'GET /Users?startIndex=1&count=100', status: 200, sample: () => pageRequest(token, 1) },
    ];

    const answers = new Map<Scenario['key'], FloorAnswer>();
    for (const scenario of scenarios) {
      // A warm request first: the recorded one then makes the calls a warm function makes (the grant check cached).
      await invokeExpecting(scenario.status, scenario.sample());
      const recorder = recordTableCalls({ consumedCapacity: true });
      recorder.reset();
      const answer = await invokeExpecting(scenario.status, scenario.sample());
      const recorded = recorder.calls();
      recordTableCalls();
      answers.set(scenario.key, {
        replay: bareReplay(context.dynamoDbEndpoint, recorded),
        status: answer.statusCode,
        headers: { 'content-type': 'application/scim+json; charset=utf-8' },
        body: answer.body,
      });
    }

    let current: Scenario['key'] = 'get';
    const ours = createLocalServer();
    const floor = floorServer(() => answers.get(current) as FloorAnswer);
    const oursPort = await listen(ours, 0);
    const floorPort = await listen(floor, 0);
    const perSecond: Record<string, { ours: number[]; floor: number[] }> = {};
    try {
      for (let round_ = 0; round_ < rounds; round_ += 1) {
        for (const scenario of scenarios) {
          current = scenario.key;
          const order: ('ours' | 'floor')[] = round_ % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours'];
          for (const side of order) {
            const port = side === 'ours' ? oursPort : floorPort;
            const { result, statuses } = await runLoadGenerator('scenario-cannon.cjs', {
              url: `http://127.0.0.1:${port}`,
              token,
              scenario: scenario.key,
              userId: user.id,
              userName: user.userName,
              run: `${run}-${side}-${round_}`,
              connections,
              expected: scenario.status,
              ...(context.quick ? { amount: 10 } : { duration: durationSeconds }),
            });
            const failures = result.errors + result.timeouts + result.non2xx;
            if (failures > 0) {
              throw new Error(
                `floor comparison, ${side} ${scenario.name}: ${failures} failures ${JSON.stringify(statuses)}`,
              );
            }
            const figures = perSecond[scenario.name] ?? { ours: [], floor: [] };
            figures[side].push(result.requests.total / result.duration);
            perSecond[scenario.name] = figures;
          }
        }
      }
    } finally {
      await closeServer(ours);
      await closeServer(floor);
    }
    const rows = scenarios.map((scenario) => {
      const figures = perSecond[scenario.name] as { ours: number[]; floor: number[] };
      const oursMedian = median(figures.ours);
      const floorMedian = median(figures.floor);
      return [scenario.name, round(oursMedian, 0), round(floorMedian, 0), round(oursMedian / floorMedian)];
    });
    return {
      name: 'floor',
      title: 'Ours against the DynamoDB floor over HTTP (autocannon, one scenario at a time)',
      columns: ['scenario', 'ours req/s', 'floor req/s', 'ours ÷ floor'],
      rows,
      notes: [
        `${connections} connections, ${context.quick ? 'a few requests' : `${durationSeconds} s`} per run, ${rounds} interleaved round(s) per scenario and server; medians of the rounds. The goal is ours ÷ floor ≥ 0.8 for every scenario.`,
        'The floor is a bare node:http server in the same process type as ours: for each request it sends the DynamoDB calls our handler sent for that scenario (recorded once from a warm request, writes with their conditions widened so they always hold) through a document client of the same configuration, against the same DynamoDB Local, and answers with the body our handler gave.',
        'Ours is the local server of `npm start`: the API Gateway emulation in front of the same Lambda handlers.',
      ],
      data: perSecond,
    };
  });
}
