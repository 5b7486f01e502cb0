import type { Context } from 'aws-lambda';
import { MAX_JSON_BODY_BYTES } from '../../core/http/json-body';
import { clientCredentialsFrom } from '../../core/oauth/client-authentication';
import { loggableClientId } from '../../core/oauth/clients';
import { invalidRequest, OAuthError, serverError, temporarilyUnavailable } from '../../core/oauth/errors';
import { noteActivity } from './activity';
import { classifyDependencyError } from './dependency-errors';
import type { HttpRequest, HttpResponse } from './http-event';
import { logDependencyFailure, logUnexpected, type ProxyHandler, routeStack } from './route-stack';

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export interface OAuthRequest extends HttpRequest {
  /**
   * The `application/x-www-form-urlencoded` body (RFC 6749 §3.2), as name → values. A parameter sent twice
   * is kept twice so the core can refuse it (RFC 6749 §3.1: parameters MUST NOT be repeated).
   */
  readonly form: Readonly<Record<string, readonly string[]>>;
}

export interface OAuthResult {
  readonly status: number;
  readonly body?: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The OAuth middy stack: form bodies in, JSON out, `no-store` always, RFC 6749 §5.2 errors on failure. */
export function oauthRoute(handle: (request: OAuthRequest, context: Context) => Promise<OAuthResult>): ProxyHandler {
  return routeStack(renderOAuthError, async (request, context) => {
    const form = parseForm(request);
    notePresentedClient(request, form);
    const result = await handle({ ...request, form }, context);
    return renderOAuthResult(result);
  });
}

/**
 * The client id the request presents, for the tenant's activity log: a refused request is still the tenant's
 * (the ingest finds the tenant from the client id). Only an id shaped like a client id is kept (loggableClientId);
 * malformed credentials name no client.
 */
function notePresentedClient(request: HttpRequest, form: Record<string, string[]>): void {
  try {
    const clientId = loggableClientId(clientCredentialsFrom(request.headers.authorization, form).clientId);
    if (clientId !== undefined) noteActivity({ clientId });
  } catch {
    // The handler refuses these credentials in the protocol's own words.
  }
}

export function parseForm(request: HttpRequest): Record<string, string[]> {
  if (request.method !== 'POST') return {};
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('The request body must be application/x-www-form-urlencoded');
  }
  if (request.bodyBytes > MAX_JSON_BODY_BYTES) throw invalidRequest('The request body is too large');
  // A Map, then an object without a prototype: a parameter named `toString` or `__proto__` is just a name.
  const form = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(request.body ?? '')) {
    form.set(name, [...(form.get(name) ?? []), value]);
  }
  return Object.assign(Object.create(null) as Record<string, string[]>, Object.fromEntries(form));
}

export function renderOAuthResult(result: OAuthResult): HttpResponse {
  return {
    status: result.status,
    headers: {
      ...(result.body !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      ...NO_STORE,
      ...result.headers,
    },
    body: result.body !== undefined ? JSON.stringify(result.body) : '',
  };
}

export function renderOAuthError(error: unknown): HttpResponse {
  const oauthError = toOAuthError(error);
  return renderOAuthResult({ status: oauthError.status, body: oauthError.toJSON(), headers: oauthError.headers });
}

function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError && error.status < 500) return error;
  if (error instanceof OAuthError && error.status === 503) return error;
  const failure = classifyDependencyError(error);
  if (failure) {
    logDependencyFailure(failure.kind, error);
    return temporarilyUnavailable(failure.retryAfterSeconds);
  }
  logUnexpected(error);
  return serverError();
}
