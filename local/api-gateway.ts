import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type RouteSpec, routes } from '../contract/routes';

/** API Gateway REST's hard limit on a request payload. */
export const MAX_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface RouteMatch {
  readonly route: RouteSpec;
  readonly pathParameters: Record<string, string>;
}

/**
 * Finds the manifest route for a request the way API Gateway REST does: static segments win over `{param}`
 * segments, an exact method wins over `ANY`, and parameters match one non-empty segment.
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const segments = path.replace(/\/+$/, '').split('/').slice(1);
  let best: { match: RouteMatch; score: number } | undefined;
  for (const route of routes as readonly RouteSpec[]) {
    if (route.method !== method && (route.method as string) !== 'ANY') continue;
    const routeSegments = route.path.split('/').slice(1);
    if (routeSegments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let score = route.method === method ? 1 : 0;
    let matches = true;
    for (const [index, routeSegment] of routeSegments.entries()) {
      const segment = segments[index] ?? '';
      const parameter = /^\{(\w+)\}$/.exec(routeSegment)?.[1];
      if (parameter !== undefined) {
        if (segment === '') {
          matches = false;
          break;
        }
        pathParameters[parameter] = safeDecode(segment);
      } else if (routeSegment === segment) {
        score += 2 ** (routeSegments.length - index) * 2;
      } else {
        matches = false;
        break;
      }
    }
    if (matches && (!best || score > best.score)) best = { match: { route, pathParameters }, score };
  }
  return best?.match;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface IncomingRequest {
  readonly method: string;
  /** The request target, e.g. `/scim/v2/Users?filter=...`. */
  readonly url: string;
  /** Raw header pairs as received (names in their original case, repeated names kept). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/**
 * Builds the REST API (v1) Lambda proxy event that API Gateway would send for this request. Query values are
 * percent-decoded but `+` is left as it is, as API Gateway REST does.
 */
export function toProxyEvent(request: IncomingRequest, match: RouteMatch, stage = 'local'): APIGatewayProxyEvent {
  const [rawPath = '/', rawQuery] = splitOnce(request.url, '?');
  // Maps, then plain objects with own properties: a name such as `__proto__` is an ordinary name to API Gateway.
  const headerValues = new Map<string, string[]>();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string;
    headerValues.set(name, [...(headerValues.get(name) ?? []), request.rawHeaders[index + 1] as string]);
  }
  const queryValues = new Map<string, string[]>();
  for (const pair of (rawQuery ?? '').split('&')) {
    if (pair === '') continue;
    const [rawName = '', rawValue = ''] = splitOnce(pair, '=');
    const name = safeDecode(rawName);
    queryValues.set(name, [...(queryValues.get(name) ?? []), safeDecode(rawValue)]);
  }
  const lastValues = (values: Map<string, string[]>) =>
    Object.fromEntries([...values].map(([name, all]) => [name, all.at(-1) as string]));
  const headers = lastValues(headerValues);
  const multiValueHeaders = Object.fromEntries(headerValues);
  const query = lastValues(queryValues);
  const multiValueQuery = Object.fromEntries(queryValues);
  const hasQuery = queryValues.size > 0;
  const path = safeDecode(rawPath);
  const now = Date.now();
  return {
    resource: match.route.path,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: Object.keys(match.pathParameters).length > 0 ? match.pathParameters : null,
    stageVariables: null,
    body: request.body.length > 0 ? request.body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${stage}${path}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: match.route.id,
      resourcePath: match.route.path,
    },
  };
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}
