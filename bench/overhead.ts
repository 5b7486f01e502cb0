import { recordTableCalls } from '../test/support/dynamodb-calls';
import { type InvokeRequest, invokeExpecting } from '../test/support/invoke';
import { basicAuthorization, issueTestCode, oauthFixture } from '../test/support/oauth';
import type { BenchContext } from './lib/context';
import { bareReplay } from './lib/replay';
import { type BenchSection, percentile, round } from './lib/report';
import {
  activeRequest,
  createRequest,
  getRequest,
  lookupRequest,
  redeemRequest,
  refreshRequest,
  replaceRequest,
  userNameFor,
  withFunctionLogsDiscarded,
} from './lib/workload';

/** One operation: how to make its next request, the status it must answer, and what to learn from the answer. */
interface Operation {
  readonly name: string;
  readonly status: number;
  next(): InvokeRequest;
  after?(body: string): void;
}

type User = Record<string, unknown> & { id: string; userName: string };

async function operations(context: BenchContext, run: string): Promise<Operation[]> {
  const token = await context.bearerToken();
  const user = JSON.parse((await invokeExpecting(201, createRequest(token, userNameFor(run, 0)))).body) as User;
  let created = 0;
  let replaced = 0;
  let active = true;
  let current = user;
  const fixture = await oauthFixture();
  const authorization = basicAuthorization(fixture.clientId, fixture.clientSecret);
  const redeemed = await invokeExpecting(
    200,
    redeemRequest(authorization, await issueTestCode(fixture), fixture.redirectUri),
  );
  let refreshToken = (JSON.parse(redeemed.body) as { refresh_token: string }).refresh_token;
  return [
    { name: 'GET /Users/{id}', status: 200, next: () => getRequest(token, user.id) },
    { name: 'GET /Users?filter=userName eq', status: 200, next: () => lookupRequest(token, user.userName) },
    {
      name: 'POST /Users (create)',
      status: 201,
      next: () => {
        created += 1;
        return createRequest(token, userNameFor(run, created));
      },
    },
    {
      name: 'PUT /Users/{id} (one attribute changed)',
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
      status: 200,
      next: () => {
        active = !active;
        return activeRequest(token, user.id, active);
      },
    },
    {
      name: 'POST /oauth/token (refresh, rotation)',
      status: 200,
      next: () => refreshRequest(authorization, refreshToken),
      after: (body) => {
        refreshToken = (JSON.parse(body) as { refresh_token: string }).refresh_token;
      },
    },
  ];
}

/**
 * Overhead over the database: each operation invoked in this process through its handler (a warm Lambda without
 * the network in front), next to the bare DynamoDB calls that same operation made, sent directly. Both run
 * alternately against the same DynamoDB Local, so drift in the machine's load hits both alike.
 */
export async function overheadBench(context: BenchContext): Promise<BenchSection> {
  const iterations = context.quick ? 3 : 400;
  const warmUp = context.quick ? 1 : 20;
  const run = `ovh${Date.now().toString(36)}`;
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown>[] = [];
  await withFunctionLogsDiscarded(async () => {
    for (const operation of await operations(context, run)) {
      const once = async () => {
        const result = await invokeExpecting(operation.status, operation.next());
        operation.after?.(result.body);
      };
      for (let index = 0; index < warmUp; index += 1) await once();
      const recorder = recordTableCalls({ consumedCapacity: true });
      recorder.reset();
      await once();
      const recorded = recorder.calls();
      // The timed requests go out exactly as in production, without ReturnConsumedCapacity.
      recordTableCalls();
      const bare = bareReplay(context.dynamoDbEndpoint, recorded);
      for (let index = 0; index < warmUp; index += 1) await bare();
      const handlerMs: number[] = [];
      const bareMs: number[] = [];
      for (let index = 0; index < iterations; index += 1) {
        let started = performance.now();
        await once();
        handlerMs.push(performance.now() - started);
        started = performance.now();
        await bare();
        bareMs.push(performance.now() - started);
      }
      const figures = {
        operation: operation.name,
        dynamoDbCalls: recorded.map((call) => call.command.replace(/Command$/, '')).join(' + '),
        handlerP50: percentile(handlerMs, 50),
        handlerP99: percentile(handlerMs, 99),
        bareP50: percentile(bareMs, 50),
        bareP99: percentile(bareMs, 99),
      };
      data.push({ ...figures, iterations });
      rows.push([
        figures.operation,
        figures.dynamoDbCalls,
        round(figures.handlerP50),
        round(figures.handlerP99),
        round(figures.bareP50),
        round(figures.bareP99),
        round(figures.handlerP50 / figures.bareP50),
        round(figures.handlerP99 / figures.bareP99),
        round(figures.handlerP50 - figures.bareP50),
      ]);
    }
  });
  return {
    name: 'overhead',
    title: 'Overhead over the bare DynamoDB calls (in-process, warm)',
    columns: [
      'operation',
      'DynamoDB calls',
      'handler p50 ms',
      'handler p99 ms',
      'bare p50 ms',
      'bare p99 ms',
      'ratio p50',
      'ratio p99',
      'overhead p50 ms',
    ],
    rows,
    notes: [
      `${iterations} sequential requests per operation after ${warmUp} warm-up requests; each request is followed by one run of the bare calls, so both see the same machine load.`,
      '"handler" is the whole Lambda handler invoked in this process with the API Gateway event the local server builds: parsing, Bearer token verification (JWT signature, grant check cached for 30 s per warm function) or client authentication, validation, the DynamoDB calls, rendering and the request log line.',
      '"bare" sends the same DynamoDB requests the handler sent (recorded once), in the same order, through a document client of the same configuration; writes keep their condition expressions, widened so that they always hold when sent again. The ratio is our overhead on top of the database; DynamoDB Local is slower than DynamoDB itself, so in AWS the absolute overhead matters more than the ratio.',
    ],
    data,
  };
}
