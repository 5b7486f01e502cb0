import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJwksDocument } from '../../../adapters/http/jwks-fetcher';
import { JWKS_FETCH_BUDGET } from '../../../contract/time-budget';
import { MAX_REMOTE_JWKS_BYTES } from '../../../core/oauth/assertion-keys';

/** The JWKS fetch against a real local HTTP server standing in for an identity provider's keys endpoint. */
let server: Server;
let baseUrl: string;
const routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    if (route) route(request, response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/keys', (_request, response) =>
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"keys":[{"kty":"EC","kid":"a"}]}'),
  );
  routes.set('/redirect', (_request, response) => response.writeHead(302, { Location: '/keys' }).end());
  routes.set('/error', (_request, response) => response.writeHead(500).end('{"keys":[]}'));
  routes.set('/declared-large', (_request, response) =>
    response.writeHead(200, { 'Content-Length': String(MAX_REMOTE_JWKS_BYTES + 1) }).end(),
  );
  routes.set('/streamed-large', (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(`{"keys":[],"pad":"${'x'.repeat(MAX_REMOTE_JWKS_BYTES)}"}`);
  });
  routes.set('/not-json', (_request, response) => response.writeHead(200).end('<html>'));
  routes.set('/stall', () => undefined);
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

test('a JWKS document is fetched and parsed', async () => {
  await expect(fetchJwksDocument(`${baseUrl}/keys`)).resolves.toEqual({ keys: [{ kty: 'EC', kid: 'a' }] });
});

test.each([
  ['a redirect is not followed', '/redirect'],
  ['an error status', '/error'],
  ['a declared size over the bound', '/declared-large'],
  ['a body over the bound', '/streamed-large'],
  ['a body that is not JSON', '/not-json'],
])('%s fails the fetch', async (_case, path) => {
  await expect(fetchJwksDocument(`${baseUrl}${path}`)).rejects.toThrow();
});

test('an endpoint that never answers fails within the time budget', async () => {
  const started = Date.now();
  await expect(fetchJwksDocument(`${baseUrl}/stall`)).rejects.toThrow();
  expect(Date.now() - started).toBeGreaterThanOrEqual(JWKS_FETCH_BUDGET.timeoutMs - 100);
}, 30_000);
