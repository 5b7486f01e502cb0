import { PageError } from '../../core/html/page-error';
import { authorizationResponseUrl } from '../../core/oauth/authorization-request';
import { htmlRoute } from '../../functions/_shared/html-route';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useEnvironmentWithoutDatabase } from '../support/local-service';
import { captureLogs } from '../support/log-capture';

beforeAll(() => useEnvironmentWithoutDatabase('https://auth.example.test'));

const event = () => apiEvent('GET', '/oauth/authorize?client_id=x');

function expectPageHeaders(headers: Record<string, unknown> | undefined) {
  expect(headers?.['Content-Type']).toBe('text/html; charset=utf-8');
  expect(headers?.['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  expect(headers?.['X-Frame-Options']).toBe('DENY');
  expect(headers?.['Referrer-Policy']).toBe('no-referrer');
  expect(headers?.['Cache-Control']).toBe('no-store');
}

describe('the HTML route stack', () => {
  test('renders a PageError as an HTML page with its status and the security headers', async () => {
    const handler = htmlRoute(async () => {
      throw new PageError(404, 'Not here <b>', 'Nothing & nobody.');
    });
    const result = await handler(event(), lambdaContext());
    expect(result.statusCode).toBe(404);
    expectPageHeaders(result.headers);
    expect(result.body).toContain('<h1>Not here &lt;b&gt;</h1>');
    expect(result.body).toContain('<p>Nothing &amp; nobody.</p>');
  });

  test('an unexpected error is a generic 500 page; its message and stack are only logged', async () => {
    const handler = htmlRoute(async () => {
      throw new Error('secret internal detail');
    });
    const logs = captureLogs();
    const result = await handler(event(), lambdaContext()).finally(() => logs.restore());
    expect(result.statusCode).toBe(500);
    expectPageHeaders(result.headers);
    expect(result.body).not.toContain('secret internal detail');
    expect(result.body).not.toMatch(/at \S+ \(/);
    expect(logs.lines().join('\n')).toContain('secret internal detail');
  });

  test('DynamoDB throttling and outages are 429 and 503 pages with an integer Retry-After', async () => {
    for (const [name, status] of [
      ['ProvisionedThroughputExceededException', 429],
      ['ServiceUnavailable', 503],
    ] as const) {
      const handler = htmlRoute(async () => {
        throw Object.assign(new Error('dependency'), { name });
      });
      const result = await handler(event(), lambdaContext());
      expect(result.statusCode).toBe(status);
      expectPageHeaders(result.headers);
      expect(result.headers?.['Retry-After']).toMatch(/^\d+$/);
    }
  });

  test('a redirect is a 303 with the page headers, so the referrer stays with us', async () => {
    const handler = htmlRoute(async () => ({ kind: 'redirect', location: 'https://client.example/cb?code=1' }));
    const result = await handler(event(), lambdaContext());
    expect(result.statusCode).toBe(303);
    expect(result.headers?.Location).toBe('https://client.example/cb?code=1');
    expect(result.headers?.['Referrer-Policy']).toBe('no-referrer');
  });
});

describe('the authorization response URL', () => {
  test('appends to the redirect URI exactly as registered, keeping its own query', () => {
    expect(authorizationResponseUrl('https://c.example/cb', { code: 'a b', state: undefined, iss: 'https://i' })).toBe(
      'https://c.example/cb?code=a+b&iss=https%3A%2F%2Fi',
    );
    expect(authorizationResponseUrl('https://c.example/cb?tenant=1', { code: 'x' })).toBe(
      'https://c.example/cb?tenant=1&code=x',
    );
    expect(authorizationResponseUrl('https://C.example:443/cb?', { code: 'x' })).toBe(
      'https://C.example:443/cb?code=x',
    );
  });
});
