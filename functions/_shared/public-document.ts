import { serverError } from '../../core/oauth/errors';
import { classifyDependencyError } from './dependency-errors';
import type { HttpResponse } from './http-event';
import { logUnexpected, type ProxyHandler, routeStack } from './route-stack';

/**
 * The stack of public, cacheable JSON documents (OAuth metadata, JWKS): unlike token responses they may be
 * cached (`Cache-Control: public, max-age=…`). Failures are RFC 6749 §5.2-shaped JSON and never cached.
 */
export function publicJsonDocument(maxAgeSeconds: number, build: () => Promise<unknown>): ProxyHandler {
  return routeStack(renderDocumentError, async () => ({
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': `public, max-age=${maxAgeSeconds}`,
    },
    body: JSON.stringify(await build()),
  }));
}

function renderDocumentError(error: unknown): HttpResponse {
  const failure = classifyDependencyError(error);
  if (!failure) logUnexpected(error);
  const body = failure
    ? { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable; retry later' }
    : serverError().toJSON();
  return {
    status: failure ? 503 : 500,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(failure ? { 'Retry-After': String(failure.retryAfterSeconds) } : {}),
    },
    body: JSON.stringify(body),
  };
}
