import { invoke } from '../support/invoke';
import { useLocalEnvironment } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { basicAuthorization } from '../support/oauth';
import { scimTestToken } from '../support/tokens';

/**
 * The real handlers feed the operators' dashboard and alarms. CloudWatch cannot run here, so what is checked is
 * the embedded metric format (EMF) document each request writes to stdout, which CloudWatch turns into metrics.
 */
beforeAll(() => useLocalEnvironment('https://scim.example.test'));

async function metricsOf(request: Parameters<typeof invoke>[0]) {
  const logs = captureLogs();
  try {
    const result = await invoke(request);
    const emf = logs.json().filter((line) => typeof line._aws === 'object');
    return { result, emf };
  } finally {
    logs.restore();
  }
}

describe('provisioning and token-failure metrics from the handlers', () => {
  test('a create, a deactivating PUT and a reactivating PATCH are counted by operation, with the tenant', async () => {
    const { token, tenantId } = await scimTestToken();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'metrics@example.test' };

    const created = await metricsOf({ method: 'POST', url: '/scim/v2/Users', headers, body: JSON.stringify(user) });
    expect(created.result.statusCode).toBe(201);
    expect(created.emf).toEqual([
      expect.objectContaining({ operation: 'create', ProvisioningOperations: 1, tenant: tenantId }),
    ]);
    const id = (JSON.parse(created.result.body) as { id: string }).id;

    const deactivated = await metricsOf({
      method: 'PUT',
      url: `/scim/v2/Users/${id}`,
      headers,
      body: JSON.stringify({ ...user, active: false }),
    });
    expect(deactivated.result.statusCode).toBe(200);
    expect(deactivated.emf.map((document) => document.operation).sort()).toEqual(['deactivate', 'replace']);

    const reactivated = await metricsOf({
      method: 'PATCH',
      url: `/scim/v2/Users/${id}`,
      headers,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: true } }],
      }),
    });
    expect(reactivated.result.statusCode).toBe(200);
    expect(reactivated.emf.map((document) => document.operation).sort()).toEqual(['patch', 'reactivate']);
  });

  test('a refused token request is counted by its RFC 6749 error code', async () => {
    const refused = await metricsOf({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        Authorization: basicAuthorization('no-such-client', 'wrong-secret'),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token&refresh_token=unknown',
    });
    expect(refused.result.statusCode).toBe(401);
    expect(refused.emf).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: 'invalid_client', TokenFailures: 1 })]),
    );
  });
});
