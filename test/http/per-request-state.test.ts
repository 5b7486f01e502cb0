import { type RunningService, startService } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

/**
 * The local server runs every function in one process, so requests of different tenants are in flight at the
 * same time, as they are in a Lambda execution environment that serves concurrent invocations. Whatever a
 * request logs or counts must carry that request's tenant, never the tenant of a request running beside it.
 */
let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

const REQUESTS_PER_TENANT = 20;

test('under concurrent requests of two tenants, every log line and metric carries its own request’s tenant', async () => {
  const lister = await scimTestToken();
  const reader = await scimTestToken();
  const listing = scimClient(service, lister.token);
  const reading = scimClient(service, reader.token);
  const created = await reading.post('/Users', oktaCreateBody('concurrent.reader@example.com'));
  expect(created.status).toBe(201);
  const userId = (created.body as { id: string }).id;

  // Tenant "lister" only lists and tenant "reader" only reads one user, so a line's route names its tenant.
  const expectedTenant: Record<string, string> = { ScimUsersList: lister.tenantId, ScimUserGet: reader.tenantId };
  const expectedOperation: Record<string, string> = { list: lister.tenantId, get: reader.tenantId };

  const logs = captureLogs();
  let statuses: number[];
  try {
    const responses = await Promise.all(
      Array.from({ length: REQUESTS_PER_TENANT }, () => [
        listing.get('/Users'),
        reading.get(`/Users/${userId}`),
      ]).flat(),
    );
    statuses = responses.map((response) => response.status);
  } finally {
    logs.restore();
  }
  expect(statuses).toEqual(Array(REQUESTS_PER_TENANT * 2).fill(200));

  const lines = logs.json();
  const requestLines = lines.filter((line) => line.message === 'request');
  expect(requestLines).toHaveLength(REQUESTS_PER_TENANT * 2);
  const tenantOfRequest = new Map<unknown, unknown>();
  for (const line of requestLines) {
    expect({ route: line.route, tenant: line.tenant }).toEqual({
      route: line.route,
      tenant: expectedTenant[line.route as string],
    });
    tenantOfRequest.set(line.requestId, line.tenant);
  }
  expect(tenantOfRequest.size).toBe(REQUESTS_PER_TENANT * 2);

  for (const line of lines.filter((candidate) => 'tenant' in candidate && candidate.message !== 'request')) {
    expect({ line, tenant: line.tenant }).toEqual({ line, tenant: tenantOfRequest.get(line.requestId) });
  }

  const metrics = lines.filter((line) => typeof line._aws === 'object' && 'operation' in line);
  expect(metrics).toHaveLength(REQUESTS_PER_TENANT * 2);
  for (const document of metrics) {
    const { operation, tenant, requestId } = document;
    expect({ operation, tenant, requestTenant: tenantOfRequest.get(requestId) }).toEqual({
      operation,
      tenant: expectedOperation[operation as string],
      requestTenant: expectedOperation[operation as string],
    });
  }
});
