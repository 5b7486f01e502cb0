import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { headerFields, headerValue } from '../../core/http/headers';

/** What every handler needs from an API Gateway REST (v1 proxy) event, with header names lower-cased. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** The API Gateway resource path, e.g. `/scim/v2/Users/{id}`. */
  readonly resourcePath: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly pathParams: Readonly<Record<string, string>>;
  /** The body as text; API Gateway base64-encodes binary bodies, which are decoded here. */
  readonly body: string | undefined;
  readonly bodyBytes: number;
  readonly requestId: string;
  readonly sourceIp: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Several `Set-Cookie` headers, which a single-valued header map cannot carry. */
  readonly cookies?: readonly string[];
  readonly body?: string;
}

export function readRequest(event: APIGatewayProxyEvent): HttpRequest {
  // Maps first, then objects without a prototype: a header or parameter named `__proto__` or `constructor` is
  // just a name, and never reads or replaces anything inherited.
  const headers = new Map<string, string>();
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values && values.length > 0) headers.set(name.toLowerCase(), values.join(', '));
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const key = name.toLowerCase();
    if (value !== undefined && !headers.has(key)) headers.set(key, value);
  }
  const query = new Map<string, string[]>();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values) query.set(name, [...values]);
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !query.has(name)) query.set(name, [value]);
  }
  const pathParams = new Map<string, string>();
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value !== undefined) pathParams.set(name, value);
  }
  const body =
    event.body === null || event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.httpMethod,
    path: event.path,
    resourcePath: event.requestContext?.resourcePath ?? event.resource,
    headers: withoutPrototype(headers),
    query: withoutPrototype(query),
    pathParams: withoutPrototype(pathParams),
    body,
    bodyBytes: body === undefined ? 0 : Buffer.byteLength(body, 'utf8'),
    requestId: event.requestContext?.requestId ?? 'unknown',
    sourceIp: event.requestContext?.identity?.sourceIp ?? 'unknown',
  };
}

function withoutPrototype<T>(entries: Map<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries));
}

/** The first value of a query parameter, or undefined. */
export const queryParam = (request: HttpRequest, name: string): string | undefined => request.query[name]?.[0];

/**
 * The Lambda proxy result of every stack. Every header, cookies included, goes through core/http/headers.ts,
 * so a value that cannot go on the wire fails here, inside the handler, as an error the stack renders.
 */
export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  const result: APIGatewayProxyResult = {
    statusCode: response.status,
    headers: headerFields(response.headers),
    body: response.body ?? '',
  };
  if (response.cookies && response.cookies.length > 0) {
    result.multiValueHeaders = { 'Set-Cookie': response.cookies.map((cookie) => headerValue('Set-Cookie', cookie)) };
  }
  return result;
}
