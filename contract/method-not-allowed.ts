import { errorPage, renderPage } from '../core/html/page';
import { OAuthError } from '../core/oauth/errors';
import { methodNotAllowed } from '../core/scim/errors';
import { GATEWAY_CONTENT_TYPE } from './gateway-responses';
import type { CatchAll } from './routes';

/** A response that is the same for every request it answers, apart from what its template fills in. */
export interface FixedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The answer to a method that a manifest path has no route for: 405 with the path's methods in `Allow`
 * (RFC 9110 §15.5.6), in the error format of the path's protocol. No function runs for it: API Gateway answers
 * with a mock integration (lib/service-api.ts), passing `$context.httpMethod` as `method`, and the local server
 * answers with the same document for the request's method.
 */
export function methodNotAllowedAnswer(catchAll: CatchAll, method: string): FixedAnswer {
  if (catchAll.protocol === 'console') {
    return consolePageAnswer(
      405,
      'Not available here',
      'This address of the console cannot be used this way. Go back, or open the console again from its start page.',
      { Allow: catchAll.allowedMethods.join(', ') },
    );
  }
  if (catchAll.protocol === 'scim') {
    const error = methodNotAllowed(method, catchAll.allowedMethods);
    return {
      status: error.status,
      headers: { 'Content-Type': GATEWAY_CONTENT_TYPE, ...error.headers },
      body: JSON.stringify(error),
    };
  }
  // RFC 6749 §3.2 and RFC 7009 §2.1 allow only POST at the token and revocation endpoints: another method is a
  // malformed request, answered like every OAuth error (RFC 6749 §5.1: never cached).
  const error = new OAuthError('invalid_request', `Use ${catchAll.allowedMethods.join(' or ')} on this endpoint`, 405, {
    Allow: catchAll.allowedMethods.join(', '),
  });
  return {
    status: error.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...error.headers,
    },
    body: JSON.stringify(error),
  };
}

/**
 * The answer to a path under /console that no route has: the console's 404 page. API Gateway gives it for
 * `/console/{proxy+}` (a mock integration, lib/service-api.ts), and the local server for the same paths.
 */
export const consoleNotFoundAnswer = (): FixedAnswer =>
  consolePageAnswer(
    404,
    'Page not found',
    'There is no such page in the console. Check the address, or open the console again from its start page.',
  );

/**
 * A console error page that no function renders: the same page and headers as the console's own error pages,
 * but for the Content-Security-Policy, whose quoted sources a static API Gateway header value cannot hold (the
 * page runs no script and shows nothing of the request). The page never contains `$` or `##`, so the mock
 * integration's template (Velocity) gives it as it is.
 */
function consolePageAnswer(
  status: number,
  title: string,
  detail: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): FixedAnswer {
  const rendered = renderPage(errorPage(title, detail));
  const { 'Content-Security-Policy': _csp, ...headers } = rendered.headers;
  return { status, headers: { ...headers, ...extraHeaders }, body: rendered.html };
}
