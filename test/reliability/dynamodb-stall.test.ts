import '../../local/sdk-warnings';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTION_TIMEOUT_SECONDS } from '../../contract/time-budget';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../../local/environment';
import { oktaCreateBody } from '../support/scim-fixtures';
import { baseUrlFor, freePort, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { scimTestToken, type TestToken } from '../support/tokens';

// DynamoDB stops answering without closing its connections (a stall, not an outage): its process is paused
// with SIGSTOP. This file runs its own DynamoDB Local, and the local server in a process of its own, so that
// the SDK's timeouts and network errors are the ones a Lambda sees.

let database: DynamoDbLocal;
let service: ServiceProcess;
let baseUrl: string;
let token: TestToken;

beforeAll(async () => {
  database = await startDynamoDbLocal();
  const port = await freePort();
  baseUrl = baseUrlFor(port);
  applyLocalEnvironment({
    dynamoDbEndpoint: database.endpoint,
    publicBaseUrl: baseUrl,
    tableNames: await prepareLocalTables(database.endpoint),
    stateDir: mkdtempSync(join(tmpdir(), 'scim-stall-state-')),
  });
  service = await startServiceProcess(port);
  token = await scimTestToken();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await database?.stop();
});

async function send(method: string, path: string, body?: unknown) {
  const startedAt = Date.now();
  const response = await fetch(`${baseUrl}/scim/v2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    elapsedMs: Date.now() - startedAt,
  };
}

test('a stalled DynamoDB gets 503 with an integer Retry-After within the function’s time budget, then service resumes', async () => {
  const created = await send('POST', '/Users', oktaCreateBody('stall.reader@example.com'));
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  process.kill(database.pid, 'SIGSTOP');
  let answers: Awaited<ReturnType<typeof send>>[];
  try {
    answers = await Promise.all([
      send('GET', `/Users/${id}`),
      send('POST', '/Users', oktaCreateBody('stall.writer@example.com')),
      send('GET', '/Users?filter=userName%20eq%20%22stall.reader@example.com%22'),
    ]);
  } finally {
    process.kill(database.pid, 'SIGCONT');
  }
  for (const answer of answers) {
    expect({ status: answer.status, retryAfter: answer.retryAfter, body: answer.body }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^[1-9][0-9]*$/),
      body: expect.objectContaining({ schemas: [SCIM_ERROR_SCHEMA], status: '503' }),
    });
    expect(answer.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_SECONDS * 1000);
  }

  const afterwards = await send('GET', `/Users/${id}`);
  expect(afterwards.status).toBe(200);
}, 90_000);
