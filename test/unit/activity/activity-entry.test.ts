import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActivityWriter } from '../../../adapters/dynamodb/activity-writer';
import { ACTIVITY_LINE_KEYS, EARLIER_ACTIVITY_LINE, REQUEST_LOG_MESSAGE } from '../../../contract/activity';
import {
  ACTIVITY_LIMITS,
  type ActivityEntry,
  activityEntry,
  activityExpiresAt,
  parseActivityEntry,
} from '../../../core/activity/activity-entry';
import { ingestActivityLines } from '../../../core/activity/activity-ingest';

const at = new Date('2026-12-01T12:00:00.000Z');
/** A request line as the functions write it: the entry's fields under the line's own keys. */
const line = (activity: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message: REQUEST_LOG_MESSAGE,
    method: 'POST',
    latencyMs: 12.5,
    ...Object.fromEntries(
      Object.entries(activity).map(([field, value]) => [
        ACTIVITY_LINE_KEYS[field as keyof typeof ACTIVITY_LINE_KEYS],
        value,
      ]),
    ),
  });
/** The second line per request that earlier versions wrote. */
const earlierLine = (activity: unknown) =>
  JSON.stringify({ message: EARLIER_ACTIVITY_LINE.message, [EARLIER_ACTIVITY_LINE.field]: activity });

describe('an activity entry', () => {
  test('keeps the SCIM or OAuth error the IdP received, bounded, and nothing of a success body', () => {
    const scim = activityEntry({
      id: 'r1',
      tenantId: 't1',
      at,
      operation: 'ScimUsersCreate',
      httpStatus: 409,
      responseBody: JSON.stringify({ status: '409', scimType: 'uniqueness', detail: 'x'.repeat(2000) }),
    });
    expect(scim.status).toBe('failure');
    expect(scim.error?.type).toBe('uniqueness');
    expect([...(scim.error?.detail ?? '')]).toHaveLength(ACTIVITY_LIMITS.detailChars);
    const oauth = activityEntry({
      id: 'r2',
      operation: 'OAuthToken',
      at,
      httpStatus: 400,
      clientId: 'c1',
      responseBody: JSON.stringify({ error: 'invalid_grant', error_description: 'The refresh token is not valid' }),
    });
    expect(oauth).toEqual({
      id: 'r2',
      at: at.toISOString(),
      operation: 'OAuthToken',
      httpStatus: 400,
      status: 'failure',
      clientId: 'c1',
      error: { status: 400, type: 'invalid_grant', detail: 'The refresh token is not valid' },
    });
    expect(activityEntry({ id: 'r3', at, operation: 'X', httpStatus: 502, responseBody: '<html>' }).error).toEqual({
      status: 502,
    });
    expect(
      activityEntry({ id: 'r4', tenantId: 't', at, operation: 'X', httpStatus: 200, responseBody: '{"a":1}' }),
    ).not.toHaveProperty('error');
  });

  test('read back from a log line, only a well-formed entry is kept, and every value is bounded again', () => {
    expect(parseActivityEntry({ id: 'r', at: 'not a time', tenantId: 't', operation: 'X', httpStatus: 200 })).toBe(
      undefined,
    );
    expect(parseActivityEntry({ id: 'r', at: at.toISOString(), operation: 'X', httpStatus: 200 })).toBeUndefined();
    const parsed = parseActivityEntry({
      id: 'r',
      tenantId: 't',
      at: at.toISOString(),
      operation: 'ScimUsersGet',
      httpStatus: 404,
      userName: 'u'.repeat(5000),
      password: 'never kept',
      error: { status: 404, detail: 'd'.repeat(5000), extra: 'dropped' },
    }) as ActivityEntry;
    expect([...(parsed.userName ?? '')]).toHaveLength(ACTIVITY_LIMITS.userNameChars);
    expect(JSON.stringify(parsed)).not.toContain('never kept');
    expect(JSON.stringify(parsed)).not.toContain('dropped');
    expect(activityExpiresAt(at.toISOString()) - at.getTime() / 1000).toBe(30 * 24 * 60 * 60);
  });

  test('the ingest files a token failure under its client’s tenant, and drops a client of no tenant', async () => {
    const written: ActivityEntry[] = [];
    const asked: string[] = [];
    const result = await ingestActivityLines(
      { append: async (entries) => void written.push(...entries) },
      async (clientId) => {
        asked.push(clientId);
        return clientId === 'known' ? 'tenant-of-known' : undefined;
      },
      [
        line({
          id: 'a',
          at: at.toISOString(),
          operation: 'OAuthToken',
          httpStatus: 401,
          clientId: 'known',
          error: { type: 'invalid_client', detail: 'Client authentication failed' },
        }),
        line({ id: 'b', at: at.toISOString(), operation: 'OAuthToken', httpStatus: 401, clientId: 'known' }),
        line({ id: 'c', at: at.toISOString(), operation: 'OAuthToken', httpStatus: 401, clientId: 'nobody' }),
        JSON.stringify({ message: 'request', status: 200, requestId: 'no-tenant', route: 'ScimUserGet' }),
        JSON.stringify({
          timestamp: at.toISOString(),
          level: 'INFO',
          message: JSON.parse(line({ id: 'd', at: at.toISOString(), operation: 'X', httpStatus: 200, tenantId: 'w' })),
        }),
        earlierLine({ id: 'e', at: at.toISOString(), operation: 'X', httpStatus: 200, tenantId: 'w' }),
        'not json',
      ],
    );
    expect(result).toEqual({ written: 4, skipped: 3 });
    expect(written.map((entry) => [entry.id, entry.tenantId])).toEqual([
      ['a', 'tenant-of-known'],
      ['b', 'tenant-of-known'],
      ['d', 'w'],
      ['e', 'w'],
    ]);
    expect(written[0]?.error).toEqual({ status: 401, type: 'invalid_client', detail: 'Client authentication failed' });
    // One lookup per client per batch.
    expect(asked).toEqual(['known', 'nobody']);
  });
});

describe('the activity writer', () => {
  // DynamoDB Local never leaves items unprocessed, so a stand-in client answers BatchWriteItem here.
  const entries = Array.from({ length: 30 }, (_, n) =>
    activityEntry({ id: `r${n}`, tenantId: 't', at, operation: 'ScimUsersGet', httpStatus: 200 }),
  ) as ActivityEntry[];
  const standIn = (leaveUnprocessed: (call: number, requests: unknown[]) => unknown[]) => {
    const calls: number[] = [];
    const db = {
      send: async (command: { input: { RequestItems: Record<string, unknown[]> } }) => {
        const requests = command.input.RequestItems.activity ?? [];
        calls.push(requests.length);
        const left = leaveUnprocessed(calls.length, requests);
        return { UnprocessedItems: left.length > 0 ? { activity: left } : {} };
      },
    } as unknown as DynamoDBDocumentClient;
    return { db, calls };
  };

  test('writes in batches of 25 and retries what DynamoDB left unprocessed', async () => {
    const { db, calls } = standIn((call, requests) => (call === 1 ? requests.slice(0, 5) : []));
    await new DynamoDbActivityWriter(db, 'activity', async () => undefined).append(entries);
    expect(calls).toEqual([25, 5, 5]);
  });

  test('throws when items stay unprocessed, so that the delivery is retried', async () => {
    const { db, calls } = standIn((_call, requests) => requests);
    await expect(new DynamoDbActivityWriter(db, 'activity', async () => undefined).append(entries)).rejects.toThrow(
      /left unprocessed/,
    );
    expect(calls).toHaveLength(6);
  });
});
