import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { DynamoDbActivityReader } from '../../adapters/dynamodb/activity-reader';
import { ACTIVITY_LOG_MESSAGE } from '../../contract/activity';
import { tableEnvVar } from '../../contract/tables';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { documentClient, tableName } from '../../functions/_shared/services';
import { handler } from '../../functions/activity/ingest';
import { lambdaContext } from '../support/api-event';
import { invoke } from '../support/invoke';
import { useLocalEnvironment } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { scimTestToken } from '../support/tokens';

/**
 * The deployed write path of the activity log, end to end in this process: the SCIM functions' own log lines,
 * wrapped as a CloudWatch Logs subscription delivers them (gzip, base64), handed to the ingest function's
 * handler, which writes them to the activity table in DynamoDB Local. CloudWatch Logs itself cannot run here:
 * the delivery is built by the test, with the lines the functions really wrote.
 */
beforeAll(() => useLocalEnvironment('https://scim.example.test'));

const reader = () => new DynamoDbActivityReader(documentClient(), tableName('activity'));

function delivery(lines: readonly string[], messageType = 'DATA_MESSAGE'): CloudWatchLogsEvent {
  const data: CloudWatchLogsDecodedData = {
    owner: '000000000000',
    logGroup: '/aws/lambda/ScimUsersCreate',
    logStream: '2026/12/01/[$LATEST]0123',
    subscriptionFilters: ['activity'],
    messageType,
    logEvents: lines.map((message, index) => ({ id: String(index), timestamp: Date.now(), message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

async function linesOfRequests(token: string): Promise<string[]> {
  const logs = captureLogs();
  try {
    const user = { schemas: [CORE_USER_SCHEMA], userName: `ann-${randomUUID()}@acme.example` };
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
    const body = JSON.stringify(user);
    expect((await invoke({ method: 'POST', url: '/scim/v2/Users', headers, body })).statusCode).toBe(201);
    expect((await invoke({ method: 'POST', url: '/scim/v2/Users', headers, body })).statusCode).toBe(409);
  } finally {
    logs.restore();
  }
  return logs.lines();
}

describe('the activity ingest function', () => {
  test('writes the activity lines of a subscription delivery, skips the rest, and writes a redelivery once', async () => {
    const { token, tenantId, clientId } = await scimTestToken();
    const requestLines = await linesOfRequests(token);
    expect(requestLines.filter((line) => JSON.parse(line).message === ACTIVITY_LOG_MESSAGE)).toHaveLength(2);
    // What else a log group holds: the runtime's platform lines and the functions' other log lines.
    const lines = [
      'START RequestId: 8f5d1a52-0c3e-4f39-9a5e-1c1f7e2f9b10 Version: $LATEST',
      JSON.stringify({ level: 'WARN', message: 'dependency failure', service: 'scim-provisioning' }),
      ...requestLines,
    ];
    await handler(delivery(lines), lambdaContext());
    // CloudWatch Logs and Lambda may deliver the same lines again; the entries are keyed by request id.
    await handler(delivery(lines), lambdaContext());
    const { entries } = await reader().page({ tenantId }, new Date());
    expect(entries.map((entry) => [entry.operation, entry.httpStatus, entry.clientId])).toEqual([
      ['ScimUsersCreate', 409, clientId],
      ['ScimUsersCreate', 201, clientId],
    ]);
    expect(entries[0]?.error).toEqual({
      status: 409,
      type: 'uniqueness',
      detail: 'A user with this userName already exists (userName is case-insensitive)',
    });
  });

  test('ignores the control message CloudWatch Logs sends when a subscription is created', async () => {
    await expect(handler(delivery([], 'CONTROL_MESSAGE'), lambdaContext())).resolves.toBeUndefined();
  });

  test('a batch it cannot write fails the invocation, so that Lambda retries it and then dead-letters it', async () => {
    const { token } = await scimTestToken();
    const lines = await linesOfRequests(token);
    const variable = tableEnvVar('activity');
    const table = process.env[variable];
    process.env[variable] = `missing-${randomUUID()}`;
    try {
      await expect(handler(delivery(lines), lambdaContext())).rejects.toThrow();
    } finally {
      process.env[variable] = table;
    }
  });
});
