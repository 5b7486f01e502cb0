import '../../local/sdk-warnings';
import { createServer, type Server, type Socket } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../adapters/dynamodb/document-client';
import { AWS_CALL_BUDGET, DEADLINE_RETRY_AFTER_SECONDS, REQUEST_DEADLINE_RESERVE_MS } from '../../contract/time-budget';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { boundedByRequestDeadline } from '../../functions/_shared/request-deadline';
import { routeStack } from '../../functions/_shared/route-stack';
import { renderScimError } from '../../functions/_shared/scim-route';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useEnvironmentWithoutDatabase } from '../support/local-service';
import { captureLogs } from '../support/log-capture';

// A database that accepts connections and never answers (a stall): a TCP server that reads and stays silent.
let stalled: Server;
const sockets = new Set<Socket>();
let endpoint: string;

beforeAll(async () => {
  useEnvironmentWithoutDatabase('https://scim.example.test');
  stalled = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  const address = stalled.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => stalled.close(resolve));
});

test('a request whose calls to a stalled database would outlast its time answers 503 at its deadline', async () => {
  const db = boundedByRequestDeadline(createDocumentClient());
  let callsStarted = 0;
  const handler = routeStack(renderScimError, async () => {
    // Three calls in a row, each allowed several seconds on its own: together far more than the request has.
    for (let i = 0; i < 3; i += 1) {
      callsStarted += 1;
      await db.send(new GetCommand({ TableName: 'users', Key: { pk: `user-${i}`, sk: 'user' } }));
    }
    return { status: 200, headers: {}, body: '' };
  });
  // The function has less time left than one attempt's timeout, so only the deadline can end the request.
  const remainingMs = REQUEST_DEADLINE_RESERVE_MS + 1_000;
  expect(remainingMs).toBeLessThan(AWS_CALL_BUDGET.requestTimeoutMs);
  const context = { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };

  const logs = captureLogs();
  const startedAt = performance.now();
  const result = await handler(apiEvent('GET', '/scim/v2/Users/x'), context).finally(() => logs.restore());
  const elapsedMs = performance.now() - startedAt;

  expect(result.statusCode).toBe(503);
  expect(result.headers?.['Retry-After']).toBe(String(DEADLINE_RETRY_AFTER_SECONDS));
  expect(JSON.parse(result.body)).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '503' });
  expect(callsStarted).toBe(1);
  expect(elapsedMs).toBeLessThan(AWS_CALL_BUDGET.requestTimeoutMs);
  expect(logs.lines().join('\n')).toContain('RequestDeadlineError');
}, 30_000);

test('an abort signal the caller gives its call is kept', async () => {
  const db = boundedByRequestDeadline(createDocumentClient());
  const reason = new Error('given up by the caller');
  const controller = new AbortController();
  controller.abort(reason);
  await expect(
    db.send(new GetCommand({ TableName: 'users', Key: { pk: 'x', sk: 'user' } }), {
      abortSignal: controller.signal,
    }),
  ).rejects.toMatchObject({ name: 'AbortError', cause: reason });
});
