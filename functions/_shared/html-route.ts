import type { Context } from 'aws-lambda';
import { errorPage, type PageOptions, renderPage, securityHeaders } from '../../core/html/page';
import { PageError } from '../../core/html/page-error';
import { OAuthError } from '../../core/oauth/errors';
import { classifyDependencyError } from './dependency-errors';
import type { HttpRequest, HttpResponse } from './http-event';
import { parseForm } from './oauth-route';
import { logUnexpected, type ProxyHandler, routeStack } from './route-stack';

export interface HtmlRequest extends HttpRequest {
  /** The `application/x-www-form-urlencoded` body of a POST, name → values; empty for other methods. */
  readonly form: Readonly<Record<string, readonly string[]>>;
  /** Request cookies by name (the first of a repeated name). */
  readonly cookies: Readonly<Record<string, string>>;
}

export type HtmlResult =
  | {
      readonly kind: 'page';
      readonly status: number;
      readonly page: PageOptions;
      readonly headers?: Readonly<Record<string, string>>;
      readonly cookies?: readonly string[];
    }
  | { readonly kind: 'redirect'; readonly location: string; readonly cookies?: readonly string[] };

/**
 * The middy stack of routes a person's browser talks to (the sign-in and consent pages): form bodies in,
 * server-rendered HTML out, every response with the page security headers, and every error, expected or not, as
 * an HTML error page with the right status; never JSON, never a stack trace.
 */
export function htmlRoute(handle: (request: HtmlRequest, context: Context) => Promise<HtmlResult>): ProxyHandler {
  return routeStack(renderHtmlError, async (request, context) => {
    const result = await handle({ ...request, form: parseForm(request), cookies: parseCookies(request) }, context);
    return renderHtmlResult(result);
  });
}

export function renderHtmlResult(result: HtmlResult): HttpResponse {
  if (result.kind === 'redirect') {
    // RFC 9700 §4.12: 303 after a form POST, so the browser does not re-send the form to the client.
    return {
      status: 303,
      headers: { ...securityHeaders(), Location: result.location },
      cookies: result.cookies,
      body: '',
    };
  }
  const rendered = renderPage(result.page);
  return {
    status: result.status,
    headers: { ...rendered.headers, ...result.headers },
    cookies: result.cookies,
    body: rendered.html,
  };
}

export function renderHtmlError(error: unknown): HttpResponse {
  const pageError = toPageError(error);
  return renderHtmlResult({
    kind: 'page',
    status: pageError.status,
    page: errorPage(pageError.title, pageError.detail),
    headers: pageError.headers,
  });
}

function toPageError(error: unknown): PageError {
  if (error instanceof PageError && error.status < 500) return error;
  if (error instanceof OAuthError && error.status < 500) {
    return new PageError(error.status, 'Invalid request', error.description);
  }
  const failure = classifyDependencyError(error);
  if (failure?.kind === 'throttled') {
    return new PageError(429, 'Too many requests', 'The service is busy. Wait a moment and try again.', {
      'Retry-After': String(failure.retryAfterSeconds),
    });
  }
  if (failure?.kind === 'unavailable') {
    return new PageError(
      503,
      'Temporarily unavailable',
      'The service is temporarily unavailable. Wait a moment and try again.',
      {
        'Retry-After': String(failure.retryAfterSeconds),
      },
    );
  }
  logUnexpected(error);
  return new PageError(500, 'Something went wrong', 'The service could not complete this request. Try again later.');
}

/** RFC 6265 §5.4 `Cookie` header: `name=value; name2=value2`; the first of a repeated name wins. */
export function parseCookies(request: HttpRequest): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (request.headers.cookie ?? '').split(/;\s*/)) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.slice(0, separator).trim();
    if (cookies[name] === undefined) cookies[name] = pair.slice(separator + 1).trim();
  }
  return cookies;
}

/**
 * A cookie the browser sends back only to us, only over HTTPS (browsers also treat http://localhost as
 * secure), never to scripts, and not on cross-site POSTs: `__Host-` pins it to our host and path `/`.
 */
export function sessionCookie(name: `__Host-${string}`, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;
}
