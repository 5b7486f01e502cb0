import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { ScimError } from '../../core/scim/errors';
import { authenticateBearer, clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { readRequest } from '../../functions/_shared/http-event';
import { documentClient, tableName } from '../../functions/_shared/services';
import { apiEvent } from '../support/api-event';
import { useLocalEnvironment } from '../support/local-service';
import { scimTestToken } from '../support/tokens';

beforeAll(() => useLocalEnvironment('https://scim.example.test'));

const requestWith = (authorization?: string) =>
  readRequest(
    apiEvent('GET', '/scim/v2/ServiceProviderConfig', {
      headers: authorization === undefined ? {} : { Authorization: authorization },
    }),
  );

async function refusal(authorization?: string): Promise<ScimError> {
  const error = await authenticateBearer(requestWith(authorization)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ScimError)) throw new Error(`expected a ScimError, got ${String(error)}`);
  return error;
}

describe('bearer authentication of SCIM requests', () => {
  test('a valid token names its tenant, client and grant', async () => {
    const issued = await scimTestToken();
    const principal = await authenticateBearer(requestWith(`Bearer ${issued.token}`));
    expect(principal).toEqual({
      tenantId: issued.tenantId,
      clientId: issued.clientId,
      grantId: issued.grantId,
      subject: 'admin-under-test',
      scope: 'scim',
    });
    await expect(authenticateBearer(requestWith(`bearer ${issued.token}`))).resolves.toMatchObject({
      tenantId: issued.tenantId,
    });
  });

  test('no credentials: 401 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const error = await refusal();
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="scim"');
    expect((await refusal('Basic dXNlcjpwYXNz')).headers['WWW-Authenticate']).toBe('Bearer realm="scim"');
  });

  test.each(['Bearer not-a-token', 'Bearer a.b.c'])('an invalid token (%s): 401 invalid_token', async (header) => {
    const error = await refusal(header);
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer realm="scim", error="invalid_token"/);
    expect(error.toJSON()).toMatchObject({ status: '401', detail: expect.any(String) });
  });

  test('a revoked grant’s tokens stop working once the status cache expires (at most 30 s)', async () => {
    const issued = await scimTestToken();
    await authenticateBearer(requestWith(`Bearer ${issued.token}`));
    await new GrantStore(documentClient(), tableName('grants')).revoke(issued.grantId, new Date().toISOString());
    clearGrantStatusCache();
    const error = await refusal(`Bearer ${issued.token}`);
    expect(error.status).toBe(401);
    expect(error.detail).toContain('revoked');
  });
});
