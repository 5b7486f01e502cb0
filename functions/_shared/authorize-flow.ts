import {
  AUTHORIZATION_SESSION_COOKIE,
  type AuthorizeEndpointDeps,
  type AuthorizeResponse,
  type AuthorizeSubmitDeps,
} from '../../core/oauth/authorize-endpoint';
import { type HtmlResult, sessionCookie } from './html-route';
import { logger } from './logger';
import { unknownAdminPasswordHash } from './password-hashing';
import {
  authorizationCodeStore,
  authorizationSessionStore,
  clientStore,
  loginThrottleStore,
  publicBaseUrl,
  tenantStore,
  userStore,
} from './services';

/** The two authorization routes' dependencies, on the tables the route manifest grants them. */
export const authorizeEndpointDeps = (): AuthorizeEndpointDeps => ({
  clients: clientStore(),
  tenants: tenantStore(),
  sessions: authorizationSessionStore(),
  issuer: publicBaseUrl(),
  now: () => new Date(),
  log: logger,
});

export const authorizeSubmitDeps = (): AuthorizeSubmitDeps => ({
  ...authorizeEndpointDeps(),
  admins: tenantStore(),
  users: userStore(),
  throttle: loginThrottleStore(),
  codes: authorizationCodeStore(),
  unknownAccountPasswordHash: unknownAdminPasswordHash,
});

/** The endpoint's answer as the HTML stack's result, with the session cookie it sets. */
export function authorizeResult(response: AuthorizeResponse): HtmlResult {
  const cookies =
    response.session === undefined
      ? []
      : [sessionCookie(AUTHORIZATION_SESSION_COOKIE, response.session.secret, response.session.maxAgeSeconds)];
  if (response.kind === 'redirect') return { kind: 'redirect', location: response.location, cookies };
  return {
    kind: 'page',
    status: response.status,
    page: response.page,
    ...(response.headers ? { headers: response.headers } : {}),
    cookies,
  };
}
