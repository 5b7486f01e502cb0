import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUserStore } from '../../../adapters/dynamodb/user-store';
import { listQueryFromParameters } from '../../../core/scim/list-query';
import { UserNameTakenError } from '../../../core/scim/user-store';
import { createUser, getUser, listUsers } from '../../../core/scim/users';
import { StorageLimitError, StorageThrottledError, StorageUnavailableError } from '../../../core/storage-errors';
import { scimRoute } from '../../../functions/_shared/scim-route';
import { apiEvent, lambdaContext } from '../../support/api-event';
import { useEnvironmentWithoutDatabase } from '../../support/local-service';
import { oktaCreateBody, recordOf } from '../../support/scim-fixtures';

beforeAll(() => useEnvironmentWithoutDatabase('https://scim.example.test'));

/**
 * DynamoDB Local never throttles and never loses transaction races on purpose, so these cases use a stand-in
 * for the AWS SDK client that fails the way DynamoDB does (TransactionCanceledException with reasons, batch
 * reads leaving keys unprocessed). Storage behaviour itself is tested against DynamoDB Local in test/contract.
 */
function failingClient(reasons: () => { Code: string }[]): { db: DynamoDBDocumentClient; calls: () => number } {
  let calls = 0;
  const db = {
    send: async () => {
      calls += 1;
      throw Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: reasons(),
      });
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, calls: () => calls };
}

/** A client whose batch reads never process any key, as DynamoDB does under sustained throttling. */
function unprocessingClient(): { db: DynamoDBDocumentClient; calls: () => number } {
  let calls = 0;
  const db = {
    send: async (command: { input: { RequestItems: Record<string, unknown> } }) => {
      calls += 1;
      return { Responses: {}, UnprocessedKeys: command.input.RequestItems };
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, calls: () => calls };
}

/** A client that fails the test if the store sends it anything. */
const untouchedClient = {
  send: async () => {
    throw new Error('the store sent a request');
  },
} as unknown as DynamoDBDocumentClient;

/** Routes a core call through the SCIM route stack; a public route is the vehicle, authentication is not under test. */
const throughRoute = (run: () => Promise<unknown>) =>
  scimRoute(async () => {
    await run();
    return { status: 200 };
  })(apiEvent('GET', '/scim/v2/ServiceProviderConfig'), lambdaContext());

const record = recordOf(oktaCreateBody());

describe('user store failures', () => {
  test('a failed userName condition is UserNameTakenError, at once', async () => {
    const { db, calls } = failingClient(() => [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]);
    await expect(new DynamoDbUserStore(db, 'users').create('t', record)).rejects.toBeInstanceOf(UserNameTakenError);
    expect(calls()).toBe(1);
  });

  test('transaction conflicts are retried, then a StorageUnavailableError, answered 503 with Retry-After', async () => {
    const { db, calls } = failingClient(() => [{ Code: 'None' }, { Code: 'TransactionConflict' }]);
    const store = new DynamoDbUserStore(db, 'users');
    await expect(store.create('t', record)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(calls()).toBe(8);
    const result = await throughRoute(() => createUser({ store, tenantId: 't' }, oktaCreateBody()));
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(result.body)).toMatchObject({ status: '503' });
  });

  test('a throttled transaction is a StorageThrottledError at once, answered 429 with an integer Retry-After', async () => {
    const { db, calls } = failingClient(() => [{ Code: 'ThrottlingError' }, { Code: 'None' }]);
    const store = new DynamoDbUserStore(db, 'users');
    await expect(store.create('t', record)).rejects.toBeInstanceOf(StorageThrottledError);
    expect(calls()).toBe(1);
    const result = await throughRoute(() => createUser({ store, tenantId: 't' }, oktaCreateBody()));
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['Retry-After']).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(result.body)).toMatchObject({ status: '429' });
  });

  test('keys a batch read leaves unprocessed are asked for again, then a StorageThrottledError (429)', async () => {
    const { db, calls } = unprocessingClient();
    const store = new DynamoDbUserStore(db, 'users');
    await expect(store.findByKeys('t', [{ kind: 'userName', value: 'jane' }])).rejects.toBeInstanceOf(
      StorageThrottledError,
    );
    expect(calls()).toBe(10);
    const query = listQueryFromParameters({ filter: 'userName eq "jane"' });
    const result = await throughRoute(() => listUsers({ store, tenantId: 't' }, query, 'https://x/scim/v2'));
    expect(result.statusCode).toBe(429);
  });

  test('a user whose item would pass DynamoDB’s 400 KB is a StorageLimitError, and nothing is sent', async () => {
    const store = new DynamoDbUserStore(untouchedClient, 'users');
    // Built past the core's own size limit, which would refuse it first.
    const huge = { ...record, attributes: { ...record.attributes, displayName: 'x'.repeat(400 * 1024) } };
    await expect(store.create('t', huge)).rejects.toBeInstanceOf(StorageLimitError);
    await expect(store.update('t', record, { ...huge, version: record.version + 1 })).rejects.toBeInstanceOf(
      StorageLimitError,
    );
  });

  test('a tenant id longer than a partition key may be is a StorageLimitError, and nothing is sent', async () => {
    const store = new DynamoDbUserStore(untouchedClient, 'users');
    await expect(store.create('t'.repeat(2100), record)).rejects.toBeInstanceOf(StorageLimitError);
    const result = await throughRoute(() => createUser({ store, tenantId: 't'.repeat(2100) }, oktaCreateBody()));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  test('a read of an id that cannot be stored sends nothing and finds nothing', async () => {
    const store = new DynamoDbUserStore(untouchedClient, 'users');
    await expect(getUser({ store, tenantId: 't' }, 'x'.repeat(1100))).rejects.toMatchObject({ status: 404 });
    await expect(store.findByKeys('t', [{ kind: 'id', value: 'x'.repeat(1100) }])).resolves.toEqual([]);
  });
});
