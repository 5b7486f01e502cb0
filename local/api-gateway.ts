import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type FixedAnswer, methodNotAllowedAnswer } from '../contract/method-not-allowed';
import { catchAllsOf, type RoutePath, type RouteSpec, routes } from '../contract/routes';

/** API Gateway REST's hard limit on a request payload. */
export const MAX_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface RouteMatch {
  readonly route: RouteSpec;
  readonly pathParameters: Record<string, string>;
}

/** What a request path resolves to: a resource (manifest path) and the values of its `{param}` segments. */
export interface ResourceMatch {
  readonly path: RoutePath;
  readonly pathParameters: Record<string, string>;
}

const manifestPaths = [...new Set(routes.map((route) => route.path))];

/**
 * Finds the manifest path for a request path the way API Gateway REST resolves resources: static segments win
 * over `{param}` segments, position by position from the left, and a parameter matches one non-empty segment.
 * The method plays no part: a method the resource has no route for is a 405 there (`catchAllsOf`), even when
 * a less specific resource has it.
 */
export function matchResource(path: string): ResourceMatch | undefined {
  const segments = path.replace(/\/+$/, '').split('/').slice(1);
  let best: { match: ResourceMatch; score: number } | undefined;
  for (const candidate of manifestPaths) {
    const candidateSegments = candidate.split('/').slice(1);
    if (candidateSegments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let score = 0;
    let matches = true;
    for (const [index, candidateSegment] of candidateSegments.entries()) {
      const segment = segments[index] ?? '';
      const parameter = /^\{(\w+)\}$/.exec(candidateSegment)?.[1];
      if (parameter !== undefined) {
        if (segment === '') {
          matches = false;
          break;
        }
        pathParameters[parameter] = safeDecode(segment);
      } else if (candidateSegment === segment) {
        score += 2 ** (candidateSegments.length - index);
      } else {
        matches = false;
        break;
      }
    }
    if (matches && (!best || score > best.score)) best = { match: { path: candidate, pathParameters }, score };
  }
  return best?.match;
}

/** The manifest route a request reaches: its resource's route for the method, if there is one. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const resource = matchResource(path);
  const route = resource && routes.find((candidate) => candidate.path === resource.path && candidate.method === method);
  return resource && route ? { route, pathParameters: resource.pathParameters } : undefined;
}

const catchAlls = new Map(catchAllsOf(routes).map((catchAll) => [catchAll.path, catchAll]));

/**
 * What API Gateway answers itself, without a function, for a method a manifest path has no route for: the
 * path's 405 (its `ANY` mock integration). Undefined when the request has a route, or no path matches (404).
 */
export function methodNotAllowedFor(method: string, path: string): FixedAnswer | undefined {
  if (matchRoute(method, path)) return undefined;
  const resource = matchResource(path);
  const catchAll = resource && catchAlls.get(resource.path);
  return catchAll && methodNotAllowedAnswer(catchAll, method);
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
