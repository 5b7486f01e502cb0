import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { routes } from '../../contract/routes';
import { methodNotAllowedFor } from '../../local/api-gateway';
import { apiEvent, lambdaContext } from './api-event';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ROOT = join(__dirname, '..', '..');
const loaded = new Map<string, ProxyHandler>();

export interface InvokeRequest {
  readonly method: string;
  /** Path and query string, e.g. `/scim/v2/Users?filter=…`. */
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The client's address as API Gateway reports it (rate limits key on it); 127.0.0.1 when omitted. */
  readonly sourceIp?: string;
}

/**
 * Invokes the route's Lambda handler in this process with the API Gateway event the local server would build:
 * everything a warm Lambda does for a request, without HTTP in front of it. A method the path has no route for
 * gets the 405 API Gateway answers itself, as no function runs for it.
 */
export async function invoke(request: InvokeRequest): Promise<APIGatewayProxyResult> {
  const methodNotAllowed = methodNotAllowedFor(request.method, request.url.split('?')[0] ?? '/');
  if (methodNotAllowed) {
    return {
      statusCode: methodNotAllowed.status,
      headers: { ...methodNotAllowed.headers },
      body: methodNotAllowed.body,
    };
  }
  const event = apiEvent(request.method, request.url, {
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
  });
  const route = routes.find((candidate) => candidate.id === event.requestContext.resourceId);
  const key = route?.entry ?? event.resource;
  let handler = loaded.get(key);
  if (!handler) {
    const module = (await import(join(ROOT, key))) as { handler: ProxyHandler };
    handler = module.handler;
    loaded.set(key, handler);
  }
  return handler(event, lambdaContext());
}

/** Invokes and fails loudly on an unexpected status, so that a benchmark never times error paths by accident. */
export async function invokeExpecting(status: number, request: InvokeRequest): Promise<APIGatewayProxyResult> {
  const result = await invoke(request);
  if (result.statusCode !== status) {
    throw new Error(`${request.method} ${request.url.split('?')[0]}: expected ${status}, got ${result.statusCode}`);
  }
  return result;
}
