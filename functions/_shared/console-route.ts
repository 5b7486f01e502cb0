import type { Context } from 'aws-lambda';
import {
  CONSOLE_SESSION_COOKIE,
  type ConsoleDeps,
  requireConsoleAdmin,
  SignInRequired,
} from '../../core/console/guard';
import type { ConsoleAdmin } from '../../core/console/layout';
import { type ConsoleResponse, type ConsoleSignInDeps, signInUrl } from '../../core/console/sign-in';
import { type HtmlRequest, type HtmlResult, htmlRoute, sessionCookie } from './html-route';
import { logger } from './logger';
import { unknownAdminPasswordHash } from './password-hashing';
import type { ProxyHandler } from './route-stack';
import { consoleSessionStore, loginThrottleStore, publicBaseUrl, tenantStore, userStore } from './services';

/**
 * The console's route pattern: one function per page or form, on the HTML page stack (`htmlRoute`: its CSP,
 * framing and cookie rules, HTML error pages). `consoleRoute` adds the signed-in admin: the session cookie
 * is checked, expired sessions go to the sign-in page, every POST must carry the session's CSRF token, and
 * every request re-checks that the admin still holds the `admin` role (core/console/guard.ts).
 */

/** The dependencies of every signed-in console request, on the tables the route manifest grants. */
export const consoleDeps = (): ConsoleDeps => ({
  sessions: consoleSessionStore(),
  tenants: tenantStore(),
  admins: tenantStore(),
  users: userStore(),
  issuer: publicBaseUrl(),
  now: () => new Date(),
  log: logger,
});

export const consoleSignInDeps = (): ConsoleSignInDeps => ({
  ...consoleDeps(),
  throttle: loginThrottleStore(),
  unknownAccountPasswordHash: unknownAdminPasswordHash,
});

/** The core's answer as the HTML stack's result, its cookie changes as `__Host-` session cookies. */
export function consoleResult(response: ConsoleResponse): HtmlResult {
  const cookies = (response.cookies ?? []).map((cookie) =>
    sessionCookie(cookie.name, cookie.value, cookie.maxAgeSeconds),
  );
  if (response.kind === 'redirect') return { kind: 'redirect', location: response.location, cookies };
  return {
    kind: 'page',
    status: response.status,
    page: response.page,
    ...(response.headers ? { headers: response.headers } : {}),
    cookies,
  };
}

/** The session cookie of a request, and its form post as the CSRF check reads it. */
export const consoleRequest = (request: HtmlRequest) => ({
  method: request.method,
  sessionSecret: request.cookies[CONSOLE_SESSION_COOKIE],
  ...(request.method === 'POST'
    ? {
        post: {
          form: request.form,
          origin: request.headers.origin,
          fetchSite: request.headers['sec-fetch-site'],
        },
      }
    : {}),
});

export interface SignedInRequest extends HtmlRequest {
  readonly admin: ConsoleAdmin & { readonly sessionSecret: string };
  readonly deps: ConsoleDeps;
}

/** A console route behind the sign-in. */
export function consoleRoute(
  handle: (request: SignedInRequest, context: Context) => Promise<ConsoleResponse>,
): ProxyHandler {
  return htmlRoute(async (request, context) => {
    const deps = consoleDeps();
    let admin: SignedInRequest['admin'];
    try {
      admin = await requireConsoleAdmin(deps, consoleRequest(request));
    } catch (error) {
      if (!(error instanceof SignInRequired)) throw error;
      return {
        kind: 'redirect',
        location: signInUrl(deps.issuer, error.tenantId, error.reason === 'expired' ? 'expired' : undefined),
        cookies: [sessionCookie(CONSOLE_SESSION_COOKIE, '', 0)],
      };
    }
    return consoleResult(await handle({ ...request, admin, deps }, context));
  });
}
