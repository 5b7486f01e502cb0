import type { AuthorizationSession } from '../../adapters/dynamodb/authorization-session-store';
import { mayApproveConnections } from '../../core/access/access-model';
import { PageError } from '../../core/html/page-error';
import { issueAuthorizationCode } from '../../core/oauth/authorization-code';
import { consentPage, type LoginPageInput, loginPage, wrongTenantPage } from '../../core/oauth/authorize-pages';
import { ACCOUNT_POLICY, accountThrottleKey, SOURCE_POLICY, sourceThrottleKey } from '../../core/oauth/login-throttle';
import { hashesEqual, newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { verifyPassword } from '../../core/oauth/passwords';
import { describeScopes } from '../../core/oauth/scopes';
import {
  CONSENT_LIFETIME_SECONDS,
  formAction,
  formField,
  loadParties,
  MAX_FLOW_SECONDS,
  nowSeconds,
  redirectTarget,
  redirectToClient,
  SESSION_COOKIE,
} from '../_shared/authorize-flow';
import { clearedCookie, type HtmlRequest, type HtmlResult, htmlRoute, sessionCookie } from '../_shared/html-route';
import { logger } from '../_shared/logger';
import { unknownAdminPasswordHash } from '../_shared/password-hashing';
import {
  adminDirectory,
  authorizationCodeStore,
  authorizationSessionStore,
  loginThrottleStore,
  publicBaseUrl,
  tenantStore,
  userStore,
} from '../_shared/services';

/**
 * POST /oauth/authorize: the sign-in form, then the consent form, of the session GET /oauth/authorize started.
 * Every post must come from our own page (Origin / Sec-Fetch-Site), with the session cookie and the CSRF token
 * of that session (RFC 6749 §10.12); otherwise 403 and nothing changes.
 */
export const handler = htmlRoute(async (request) => {
  requireSameOrigin(request);
  const sessionSecret = request.cookies[SESSION_COOKIE];
  if (!sessionSecret) {
    throw new PageError(
      403,
      'Session not found',
      'Your sign-in session was not found: cookies may be blocked, or the page was opened elsewhere. Start again from your identity provider.',
    );
  }
  const session = await authorizationSessionStore().get(sessionSecret);
  if (!session) throw sessionExpired();
  const csrfToken = formField(request, 'csrf_token') ?? '';
  if (!hashesEqual(opaqueTokenHash(csrfToken), session.csrfTokenHash)) {
    throw new PageError(
      403,
      'Request refused',
      'This form could not be verified. Start again from your identity provider.',
    );
  }
  logger.appendKeys({ tenant: session.request.tenantId });
  if (formField(request, 'step') !== session.stage) {
    throw new PageError(400, 'Invalid request', 'This form does not belong to the current step. Reload the page.');
  }
  return session.stage === 'login' ? signIn(request, sessionSecret, session) : answerConsent(request, sessionSecret);
});

const sessionExpired = () =>
  new PageError(
    400,
    'Sign-in expired',
    'This sign-in request has expired or was already answered. Start again from your identity provider.',
  );

/**
 * A cross-site form post is refused even before the CSRF token is looked at. `Origin: null` is what Chromium
 * sends for our own forms under `Referrer-Policy: no-referrer`, so it proves nothing either way; Sec-Fetch-Site
 * then still tells same-origin from cross-site.
 */
function requireSameOrigin(request: HtmlRequest): void {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  const crossOrigin = origin !== undefined && origin !== 'null' && origin !== new URL(publicBaseUrl()).origin;
  if (crossOrigin || (site !== undefined && site !== 'same-origin')) {
    throw new PageError(403, 'Request refused', 'This form was not sent from this service’s own page.');
  }
}

async function signIn(request: HtmlRequest, sessionSecret: string, session: AuthorizationSession): Promise<HtmlResult> {
  const authorization = session.request;
  const { client, tenant } = await loadParties(authorization);
  const email = (formField(request, 'email') ?? '').trim();
  const password = formField(request, 'password') ?? '';
  const pageInput: LoginPageInput = {
    clientName: client.name,
    tenantName: tenant.name,
    formAction: formAction(),
    csrfToken: formField(request, 'csrf_token') ?? '',
    redirectOrigin: redirectTarget(authorization.redirectUri).redirectOrigin,
    email,
  };
  if (email === '' || password === '') {
    return { kind: 'page', status: 400, page: loginPage({ ...pageInput, alert: 'Enter your email and password.' }) };
  }

  const throttle = loginThrottleStore();
  const sourceKey = sourceThrottleKey(request.sourceIp);
  const accountKey = accountThrottleKey(tenant.tenantId, email);
  const source = await throttle.reserveAttempt(sourceKey, SOURCE_POLICY);
  const account = source.allowed ? await throttle.reserveAttempt(accountKey, ACCOUNT_POLICY) : source;
  if (!account.allowed) {
    logger.warn('sign-in throttled', { sourceIp: request.sourceIp });
    return {
      kind: 'page',
      status: 429,
      headers: { 'Retry-After': String(account.retryAfterSeconds) },
      page: loginPage({
        ...pageInput,
        alert: `Too many failed sign-in attempts. Try again in ${waitText(account.retryAfterSeconds)}.`,
      }),
    };
  }

  // One password check whatever the email, so an unknown one takes as long as a wrong password.
  const own = await tenantStore().findAdminByEmail(tenant.tenantId, email);
  const candidate =
    own ?? (await adminDirectory().findAdminsByEmail(email)).find((admin) => admin.tenantId !== tenant.tenantId);
  const passwordMatches = await verifyPassword(password, candidate?.passwordHash ?? (await unknownAdminPasswordHash()));
  if (!candidate || !passwordMatches) {
    logger.info('sign-in failed', { sourceIp: request.sourceIp });
    return {
      kind: 'page',
      status: 400,
      page: loginPage({ ...pageInput, alert: 'The email or password is incorrect.' }),
    };
  }
  await throttle.clear(accountKey);
  await throttle.releaseAttempt(sourceKey);
  if (candidate.tenantId !== tenant.tenantId) {
    logger.warn('sign-in by an admin of another tenant refused', { adminTenant: candidate.tenantId });
    return { kind: 'page', status: 403, page: wrongTenantPage(pageInput) };
  }
  await requireAdminRole(tenant.tenantId, candidate.userId, tenant.name);

  // A new session secret after sign-in, so a session id planted before it is worth nothing (AS-B6).
  const consentSecret = newOpaqueToken();
  const csrfToken = newOpaqueToken();
  const now = nowSeconds();
  const advanced = await authorizationSessionStore().advanceToConsent(sessionSecret, consentSecret, {
    stage: 'consent',
    request: authorization,
    csrfTokenHash: opaqueTokenHash(csrfToken),
    admin: { userId: candidate.userId, email: candidate.email, authTime: now },
    createdAt: session.createdAt,
    expiresAt: Math.min(session.createdAt + MAX_FLOW_SECONDS, now + CONSENT_LIFETIME_SECONDS),
  });
  if (!advanced) throw sessionExpired();
  logger.info('admin signed in for consent', { subject: candidate.userId, clientId: client.clientId });
  return {
    kind: 'page',
    status: 200,
    page: consentPage({
      clientName: client.name,
      tenantName: tenant.name,
      formAction: formAction(),
      csrfToken,
      ...redirectTarget(authorization.redirectUri),
      adminEmail: candidate.email,
      permissions: describeScopes(authorization.scope).map(({ description }) => capitalize(description)),
    }),
    cookies: [sessionCookie(SESSION_COOKIE, consentSecret, CONSENT_LIFETIME_SECONDS)],
  };
}

async function answerConsent(request: HtmlRequest, sessionSecret: string): Promise<HtmlResult> {
  const decision = formField(request, 'decision');
  if (decision !== 'allow' && decision !== 'deny') {
    throw new PageError(400, 'Invalid request', 'Choose Allow or Deny.');
  }
  // Answered once: a second post (a double click, a replay) finds nothing to answer.
  const answered = await authorizationSessionStore().consumeConsent(sessionSecret);
  if (!answered?.admin) throw sessionExpired();
  const authorization = answered.request;
  const audit = {
    clientId: authorization.clientId,
    subject: answered.admin.userId,
    scope: authorization.scope,
    sourceIp: request.sourceIp,
  };
  const cookies = [clearedCookie(SESSION_COOKIE)];
  // Not even a refusal goes to a redirect URI that was unregistered while the admin was deciding.
  const { tenant } = await loadParties(authorization);
  if (decision === 'deny') {
    logger.info('connection denied', audit);
    return redirectToClient(
      authorization,
      { error: 'access_denied', error_description: 'The administrator denied the request' },
      cookies,
    );
  }

  const admin = await tenantStore().findAdminByEmail(authorization.tenantId, answered.admin.email);
  if (admin?.userId !== answered.admin.userId) {
    throw new PageError(403, 'Not allowed', 'Your administrator account is no longer active. Nothing was approved.');
  }
  await requireAdminRole(authorization.tenantId, admin.userId, tenant.name);
  const code = await issueAuthorizationCode(
    { codes: authorizationCodeStore() },
    {
      tenantId: authorization.tenantId,
      clientId: authorization.clientId,
      redirectUri: authorization.redirectUri,
      subject: admin.userId,
      scope: authorization.scope,
      authTime: answered.admin.authTime,
      ...(authorization.codeChallenge !== undefined
        ? { codeChallenge: authorization.codeChallenge, codeChallengeMethod: authorization.codeChallengeMethod }
        : {}),
    },
  );
  logger.info('connection approved', audit);
  return redirectToClient(authorization, { code }, cookies);
}

/**
 * Only a user who currently holds the tenant's `admin` role (and is active) may approve: an admin account
 * whose user was given another role, deactivated or deleted is refused, at sign-in and again at Allow.
 */
async function requireAdminRole(tenantId: string, userId: string, tenantName: string): Promise<void> {
  if (mayApproveConnections(await userStore().get(tenantId, userId))) return;
  logger.warn('approval refused: the account no longer holds the admin role', { subject: userId });
  throw new PageError(
    403,
    'Not allowed',
    `Your account no longer has the admin role in ${tenantName}, so it cannot approve connections. Nothing was approved. Ask an admin of ${tenantName} to connect the application.`,
  );
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

const capitalize = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
