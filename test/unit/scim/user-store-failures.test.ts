import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUserStore } from '../../../adapters/dynamodb/user-store';
import { ScimError } from '../../../core/scim/errors';
import { UserNameTakenError } from '../../../core/scim/user-store';
import { createUser } from '../../../core/scim/users';
import { scimRoute } from '../../../functions/_shared/scim-route';
import { apiEvent, lambdaContext } from '../../support/api-event';
import { useEnvironmentWithoutDatabase } from '../../support/local-service';
import { oktaCreateBody, recordOf } from '../../support/scim-fixtures';

beforeAll(() => useEnvironmentWithoutDatabase('https://scim.example.test'));

/**
 * DynamoDB Local never throttles and never loses transaction races on purpose, so these cases use a stand-in
 * for the AWS SDK client that fails the way DynamoDB does (TransactionCanceledException with reasons). Storage
 * behaviour itself is tested against DynamoDB Local elsewhere.
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

const record = recordOf(oktaCreateBody());

describe('user store failures', () => {
  test('a failed userName condition is UserNameTakenError, at once', async () => {
    const { db, calls } = failingClient(() => [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]);
    await expect(new DynamoDbUserStore(db, 'users').create('t', record)).rejects.toBeInstanceOf(UserNameTakenError);
    expect(calls()).toBe(1);
  });

  test('transaction conflicts are retried, then answered 503 with Retry-After', async () => {
    const { db, calls } = failingClient(() => [{ Code: 'None' }, { Code: 'TransactionConflict' }]);
    const error = await new DynamoDbUserStore(db, 'users').create('t', record).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(503);
    expect((error as ScimError).headers['Retry-After']).toMatch(/^\d+$/);
    expect(calls()).toBeGreaterThan(1);
  });

  test('a throttled transaction becomes a 429 with an integer Retry-After through the SCIM route stack', async () => {
    const { db } = failingClient(() => [{ Code: 'ThrottlingError' }, { Code: 'None' }]);
    const store = new DynamoDbUserStore(db, 'users');
    const handler = scimRoute(async () => {
      await createUser({ store, tenantId: 't' }, oktaCreateBody());
      return { status: 201 };
    });
    // A public route as the vehicle: what is under test is the failure mapping, not authentication.
    const result = await handler(apiEvent('GET', '/scim/v2/ServiceProviderConfig'), lambdaContext());
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(JSON.parse(result.body)).toMatchObject({ status: '429' });
  });
});
