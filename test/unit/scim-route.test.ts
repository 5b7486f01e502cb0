import { invalidValue, uniqueness } from '../../core/scim/errors';
import { scimRoute } from '../../functions/_shared/scim-route';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useEnvironmentWithoutDatabase } from '../support/local-service';
import { captureLogs } from '../support/log-capture';

beforeAll(() => useEnvironmentWithoutDatabase('https://scim.example.test'));

const echo = scimRoute(async (request) => ({ status: 200, body: { received: request.json ?? null } }));
const call = (
  handler: typeof echo,
  method: string,
  options: { headers?: Record<string, string>; body?: string } = {},
) =>
  handler(withMethod(method, options), lambdaContext()).then((result) => ({
    ...result,
    json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined,
  }));

/** Any manifest path will do: what is under test is the SCIM plumbing, not a route. */
function withMethod(method: string, options: { headers?: Record<string, string>; body?: string } = {}) {
  const event = apiEvent('GET', '/scim/v2/ServiceProviderConfig', options);
  return { ...event, httpMethod: method };
}

describe('the SCIM route stack', () => {
  test.each([
    'application/scim+json',
    'application/scim+json; charset=utf-8',
    'application/json',
    'application/json;charset=UTF-8',
  ])('accepts a %s body', async (contentType) => {
    const result = await echo(
      withMethod('POST', { headers: { 'Content-Type': contentType }, body: '{"a":1}' }),
      lambdaContext(),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toBe('application/scim+json; charset=utf-8');
    expect(JSON.parse(result.body)).toEqual({ received: { a: 1 } });
  });

  test.each([
    ['text/plain', '{"a":1}', 415, undefined],
    ['application/json', '{"a":', 400, 'invalidSyntax'],
    ['application/json', '', 400, 'invalidSyntax'],
    ['application/json', `${'['.repeat(100)}${']'.repeat(100)}`, 400, 'invalidSyntax'],
    ['application/json', JSON.stringify({ a: 'x'.repeat(200_000) }), 413, undefined],
  ])('refuses a %s body %#', async (contentType, body, status, scimType) => {
    const result = await echo(withMethod('PUT', { headers: { 'Content-Type': contentType }, body }), lambdaContext());
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['Content-Type']).toBe('application/scim+json; charset=utf-8');
    const error = JSON.parse(result.body) as Record<string, unknown>;
    expect(error.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(error.status).toBe(String(status));
    expect(error.scimType).toBe(scimType);
    expect(typeof error.detail).toBe('string');
  });

  test('renders a core ScimError with its status as a string and its scimType', async () => {
    const handler = scimRoute(async () => {
      throw uniqueness('userName is already taken');
    });
    const result = await call(handler, 'GET');
    expect(result.statusCode).toBe(409);
    expect(result.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName is already taken',
    });
    expect(invalidValue('x').status).toBe(400);
  });

  test('answers an unexpected error with a generic 500 and logs its stack, nothing else', async () => {
    const logs = captureLogs();
    try {
      const handler = scimRoute(async () => {
        throw new Error('table scim-users-secret-internal failed at line 42');
      });
      const result = await call(handler, 'GET');
      expect(result.statusCode).toBe(500);
      expect(result.json).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '500',
        detail: 'An internal error occurred',
      });
      expect(result.body).not.toContain('secret-internal');
      const errorLine = logs.json().find((line) => line.message === 'unhandled error');
      expect((errorLine?.error as { stack?: string } | undefined)?.stack).toContain('secret-internal');
    } finally {
      logs.restore();
    }
  });

  test.each([
    [Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }), 429],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }), 503],
    [Object.assign(new Error('boom'), { name: 'InternalServerError' }), 503],
  ])('answers a dependency failure (%s) with %d and an integer Retry-After', async (failure, status) => {
    const handler = scimRoute(async () => {
      throw failure;
    });
    const result = await call(handler, 'GET');
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect((result.json as Record<string, unknown>).status).toBe(String(status));
  });

  test('writes exactly one request log line with route, status, latency and request id, and no secrets', async () => {
    const logs = captureLogs();
    try {
      const handler = scimRoute(async () => ({ status: 200, body: {} }));
      await call(handler, 'GET', { headers: { Authorization: 'Bearer secret-token-value' } });
      const requestLines = logs.json().filter((line) => line.message === 'request');
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({
        route: 'ScimServiceProviderConfig',
        status: 200,
        method: 'GET',
        requestId: expect.any(String),
        latencyMs: expect.any(Number),
      });
      expect(logs.lines().join('\n')).not.toContain('secret-token-value');
    } finally {
      logs.restore();
    }
  });
});
