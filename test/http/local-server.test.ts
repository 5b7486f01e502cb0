import { catchAllsOf, routes } from '../../contract/routes';
import { type RunningService, startService } from '../support/local-service';

let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

describe('the local server', () => {
  test('serves GET /scim/v2/ServiceProviderConfig as application/scim+json', async () => {
    const response = await fetch(`${service.scimBaseUrl}/ServiceProviderConfig`, {
      headers: { Accept: 'application/scim+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(body.meta).toEqual({
      resourceType: 'ServiceProviderConfig',
      location: `${service.scimBaseUrl}/ServiceProviderConfig`,
    });
  });

  test('an unknown route gets the gateway answer as SCIM Error JSON, as deployed', async () => {
    const response = await fetch(`${service.baseUrl}/no/such/route`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(await response.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
      detail: 'No such endpoint',
    });
  });

  test.each(routes.map((route) => [route.id, route.method, route.path]))(
    '%s (%s %s) reaches its handler',
    async (_id, method, path) => {
      const concretePath = path.replace(/\{\w+\}/g, 'probe');
      const response = await fetch(`${service.baseUrl}${concretePath}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: ['GET', 'DELETE'].includes(method) ? undefined : '{}',
        redirect: 'manual',
      });
      const body = await response.text();
      // The gateway's own answers are the only ones without a function behind them.
      expect(body).not.toBe(
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"No such endpoint"}',
      );
      expect(response.status).toBeLessThan(500);
    },
  );

  test.each(catchAllsOf(routes).map((catchAll) => [catchAll.path, catchAll]))(
    'a method %s has no route for is 405 with Allow, in its protocol’s error format, whatever the body',
    async (path, catchAll) => {
      const method = (['PUT', 'DELETE', 'PATCH', 'POST', 'GET'] as const).find(
        (candidate) => !catchAll.allowedMethods.includes(candidate),
      );
      const response = await fetch(`${service.baseUrl}${path.replace(/\{\w+\}/g, 'probe')}`, {
        method,
        headers: { 'Content-Type': 'text/plain' },
        body: method === 'GET' || method === 'DELETE' ? undefined : 'not json, not a form',
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(catchAll.allowedMethods.join(', '));
      if (catchAll.protocol === 'console') {
        expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await response.text()).toContain('<h1>Not available here</h1>');
        return;
      }
      const body = (await response.json()) as Record<string, unknown>;
      if (catchAll.protocol === 'scim') {
        expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
        expect(body).toEqual({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '405',
          detail: `Method ${method} is not allowed on this resource`,
        });
      } else {
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(body).toEqual({
          error: 'invalid_request',
          error_description: `Use ${catchAll.allowedMethods.join(' or ')} on this endpoint`,
        });
      }
    },
  );
});
