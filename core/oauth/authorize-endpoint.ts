import { mayApproveConnections } from '../access/access-model';
import type { PageOptions } from '../html/page';
import { PageError } from '../html/page-error';
import { requireSameOriginPost } from '../html/same-origin';
import { type AuthorizationCodeWriter, issueAuthorizationCode } from './authorization-code';
import {
  AuthorizationRedirectError,
  type AuthorizationRequest,
  authorizationResponseUrl,
  type QueryParameters,
  requestedClientId,
  validatedAuthorizationRequest,
  validatedClientRedirect,
} from './authorization-request';
import type { AuthorizationSession, AuthorizationSessions } from './authorization-session';
import { TENANT_HINT_PARAMETER, typedTenantId } from './authorization-tenant';
import { consentPage, type LoginPageInput, loginPage } from './authorize-pages';
import { type ClientDirectory, type ClientRecord, isMultiTenantClient } from './clients';
import { type FormParams, parameterValue, REPEATED } from './form-params';
import {
  ACCOUNT_POLICY,
  type AttemptCounters,
  accountThrottleKey,
  SOURCE_POLICY,
  sourceThrottleKey,
} from './login-throttle';
import { OAUTH_PATHS } from './metadata';
import { hashesEqual, newOpaqueToken, opaqueTokenHash } from './opaque-tokens';
import { verifyPassword } from './passwords';
import { describeScopes, normalizeRequestedScope } from './scopes';

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1): GET checks the authorization request and starts a sign-in
 * session; the POSTs of its pages sign the tenant's admin in, then take their Allow or Deny. Everything the
 * endpoint decides is here, with its storage, clock and log injected; the handlers only read the HTTP request
 * and write the response.
 */

/** The session cookie's name: `__Host-` pins it to our host and path `/` (AS-B6). */
export const AUTHORIZATION_SESSION_COOKIE = '__Host-authorization';
/** The sign-in page stays usable for 10 minutes. */
export const LOGIN_LIFETIME_SECONDS = 10 * 60;
/** The consent page for 10 minutes after signing in, and the whole flow never beyond 15 minutes (AS-B10). */
export const CONSENT_LIFETIME_SECONDS = 10 * 60;
export const MAX_FLOW_SECONDS = 15 * 60;

export interface AuthorizingTenant {
  readonly tenantId: string;
  readonly name: string;
}

/**
 * The longest email the sign-in form takes: an address has at most 254 characters (RFC 5321 §4.5.3.1.3's
 * 256-octet path, less its angle brackets), and in UTF-8 the bound keeps the admin's storage key inside
 * DynamoDB's 1024-byte sort key limit.
 */
export const MAX_EMAIL_LENGTH = 254;
const MAX_EMAIL_BYTES = 1000;

/** An admin account: the only accounts with a password, one per (tenant, email). */
export interface AdminAccount {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
  readonly passwordHash: string;
}

/** The request log: the audit events of the flow, and the keys every later line of the request carries. */
export interface EventLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  appendKeys(keys: Record<string, unknown>): void;
}

export interface AuthorizeEndpointDeps {
  readonly clients: ClientDirectory;
  readonly tenants: { get(tenantId: string): Promise<AuthorizingTenant | undefined> };
  readonly sessions: AuthorizationSessions;
  /** Our issuer: the public base URL, where the pages' forms post and what `iss` says (RFC 9207). */
  readonly issuer: string;
  readonly now: () => Date;
  readonly log: EventLog;
}

export interface AuthorizeSubmitDeps extends AuthorizeEndpointDeps {
  readonly admins: { findAdminByEmail(tenantId: string, email: string): Promise<AdminAccount | undefined> };
  /** The admin's user, whose current role decides whether they may approve. */
  readonly users: { get(tenantId: string, userId: string): Promise<Parameters<typeof mayApproveConnections>[0]> };
  readonly throttle: AttemptCounters;
  readonly codes: AuthorizationCodeWriter;
  /** The hash an unknown account's password is checked against, at the cost real admins' hashes have. */
  readonly unknownAccountPasswordHash: () => Promise<string>;
}

/**
 * What the session cookie holds once Allow or Deny was answered: not a secret, only the fact, so that the
 * sign-in or consent form sent again (the browser's Back, then resubmit) is told it was already answered
 * rather than that cookies seem blocked.
 */
export const ANSWERED_SESSION = 'answered';

/** The value the response sets the session cookie to, and for how long. */
export interface SessionCookieChange {
  readonly secret: string;
  readonly maxAgeSeconds: number;
}

const answeredCookie: SessionCookieChange = { secret: ANSWERED_SESSION, maxAgeSeconds: MAX_FLOW_SECONDS };

export type AuthorizeResponse =
  | {
      readonly kind: 'page';
      readonly status: number;
      readonly page: PageOptions;
      readonly headers?: Readonly<Record<string, string>>;
      readonly session?: SessionCookieChange;
    }
  | { readonly kind: 'redirect'; readonly location: string; readonly session?: SessionCookieChange };

/** A post of one of the pages' forms, as the endpoint reads it. */
export interface AuthorizeSubmission {
  readonly form: FormParams;
  readonly sessionSecret: string | undefined;
  /** The `Origin` and `Sec-Fetch-Site` request headers. */
  readonly origin: string | undefined;
  readonly fetchSite: string | undefined;
  readonly sourceIp: string;
}

const epochSeconds = (deps: Pick<AuthorizeEndpointDeps, 'now'>) => Math.floor(deps.now().getTime() / 1000);
const formAction = (deps: Pick<AuthorizeEndpointDeps, 'issuer'>) => `${deps.issuer}${OAUTH_PATHS.authorization}`;

/**
 * GET /oauth/authorize, RFC 6749 §4.1.1: checks the authorization request, keeps it server-side in a new
 * sign-in session, and shows the sign-in page. Errors before the redirect URI is trusted are error pages;
 * later ones go back to the client (RFC 6749 §4.1.2.1).
 */
export async function startAuthorization(
  deps: AuthorizeEndpointDeps,
  query: QueryParameters,
): Promise<AuthorizeResponse> {
  const clientId = requestedClientId(query);
  const { client, redirectUri } = validatedClientRedirect(query, await deps.clients.get(clientId));
  let authorization: AuthorizationRequest;
  try {
    authorization = validatedAuthorizationRequest(query, client, redirectUri, normalizeRequestedScope);
  } catch (error) {
    if (error instanceof AuthorizationRedirectError) return redirectError(deps, error);
    throw error;
  }
  const tenant = authorization.tenantId === undefined ? undefined : await deps.tenants.get(authorization.tenantId);
  if (authorization.tenantId !== undefined && !tenant) {
    if (isMultiTenantClient(client)) {
      return redirectError(
        deps,
        new AuthorizationRedirectError(
          'invalid_request',
          `The ${TENANT_HINT_PARAMETER} parameter names no organization of this service`,
          redirectUri,
          authorization.state,
        ),
      );
    }
    throw new PageError(400, 'Application not available', 'The organization of this application no longer exists.');
  }
  if (tenant) deps.log.appendKeys({ tenant: tenant.tenantId });

  const sessionSecret = newOpaqueToken();
  const csrfToken = newOpaqueToken();
  const now = epochSeconds(deps);
  await deps.sessions.create(sessionSecret, {
    stage: 'login',
    request: authorization,
    csrfTokenHash: opaqueTokenHash(csrfToken),
    createdAt: now,
    expiresAt: now + LOGIN_LIFETIME_SECONDS,
  });
  return {
    kind: 'page',
    status: 200,
    page: loginPage({
      clientName: client.name,
      ...(tenant ? { tenantName: tenant.name, tenantId: tenant.tenantId } : {}),
      formAction: formAction(deps),
      csrfToken,
      redirectOrigin: redirectTarget(redirectUri).redirectOrigin,
    }),
    session: { secret: sessionSecret, maxAgeSeconds: LOGIN_LIFETIME_SECONDS },
  };
}

/**
 * POST /oauth/authorize: the sign-in form, then the consent form, of the session GET /oauth/authorize started.
 * Every post must come from our own page (Origin / Sec-Fetch-Site), with the session cookie and the CSRF token
 * of that session (RFC 6749 §10.12, AS-B1); otherwise 403 and nothing changes.
 */
export async function submitAuthorization(
  deps: AuthorizeSubmitDeps,
  submission: AuthorizeSubmission,
): Promise<AuthorizeResponse> {
  requireSameOriginPost(deps.issuer, submission);
  const { sessionSecret } = submission;
  if (!sessionSecret) {
    throw new PageError(
      403,
      'Session not found',
      'Your sign-in session was not found: cookies may be blocked, or the page was opened elsewhere. Start again from your identity provider.',
    );
  }
  if (sessionSecret === ANSWERED_SESSION) {
    throw new PageError(
      400,
      'Already answered',
      'This connection request was already answered, so sending its form again changes nothing. To connect again, start again from your identity provider.',
    );
  }
  const session = await deps.sessions.get(sessionSecret);
  if (!session) throw sessionExpired();
  const csrfToken = formField(submission.form, 'csrf_token') ?? '';
  if (!hashesEqual(opaqueTokenHash(csrfToken), session.csrfTokenHash)) {
    throw new PageError(
      403,
      'Request refused',
      'This form could not be verified. Start again from your identity provider.',
    );
  }
  deps.log.appendKeys({ tenant: session.request.tenantId });
  if (formField(submission.form, 'step') !== session.stage) {
    throw new PageError(400, 'Invalid request', 'This form does not belong to the current step. Reload the page.');
  }
  return session.stage === 'login'
    ? signIn(deps, submission, sessionSecret, session)
    : answerConsent(deps, submission, sessionSecret);
}

const sessionExpired = () =>
  new PageError(
    400,
    'Sign-in expired',
    'This sign-in request has expired or was already answered. Start again from your identity provider.',
  );

async function signIn(
  deps: AuthorizeSubmitDeps,
  submission: AuthorizeSubmission,
  sessionSecret: string,
  session: AuthorizationSession,
): Promise<AuthorizeResponse> {
  const authorization = session.request;
  const client = await loadClient(deps, authorization);
  // The organization is the request's (authorization-tenant.ts) or, for a multi-tenant client without a tenant
  // hint, the one the admin types; only that tenant's admins are looked up.
  const requestTenant =
    authorization.tenantId === undefined ? undefined : await loadTenant(deps, authorization.tenantId);
  const typedOrganization = requestTenant ? undefined : (formField(submission.form, 'organization') ?? '').trim();
  const email = (formField(submission.form, 'email') ?? '').trim();
  const password = formField(submission.form, 'password') ?? '';
  const pageInput: LoginPageInput = {
    clientName: client.name,
    ...(requestTenant
      ? { tenantName: requestTenant.name, tenantId: requestTenant.tenantId }
      : { organization: typedOrganization }),
    formAction: formAction(deps),
    csrfToken: formField(submission.form, 'csrf_token') ?? '',
    redirectOrigin: redirectTarget(authorization.redirectUri).redirectOrigin,
    email,
  };
  if (email === '' || password === '' || typedOrganization === '') {
    const alert =
      typedOrganization === undefined
        ? 'Enter your email and password.'
        : 'Enter your organization ID, email and password.';
    return { kind: 'page', status: 400, page: loginPage({ ...pageInput, alert }) };
  }
  if (email.length > MAX_EMAIL_LENGTH || Buffer.byteLength(email.normalize('NFC'), 'utf8') > MAX_EMAIL_BYTES) {
    return {
      kind: 'page',
      status: 400,
      page: loginPage({
        ...pageInput,
        alert: `This email address is longer than ${MAX_EMAIL_LENGTH} characters, so it is not an administrator account. Check what you typed.`,
      }),
    };
  }

  // Counted before the password is checked, the address first, so that a locked address checks nothing. The
  // only password this page checks is that of the client's tenant's admin with this email, so the account's
  // counter is the one of every guess at that password: another tenant's page never checks it.
  // A typed organization ID that names no tenant is counted under the ID as typed (bounded), and answered as a
  // wrong password, so the page tells nobody which organization IDs exist.
  const tenantId = requestTenant?.tenantId ?? typedTenantId(typedOrganization);
  const tenant = requestTenant ?? (tenantId === undefined ? undefined : await deps.tenants.get(tenantId));
  const sourceKey = sourceThrottleKey(submission.sourceIp);
  const accountKey = accountThrottleKey(tenantId ?? '', email);
  const source = await deps.throttle.reserveAttempt(sourceKey, SOURCE_POLICY);
  const account = source.allowed ? await deps.throttle.reserveAttempt(accountKey, ACCOUNT_POLICY) : source;
  if (!account.allowed) {
    deps.log.warn('sign-in throttled', { sourceIp: submission.sourceIp });
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

  // One password check whatever the email, so an unknown one takes as long as a wrong password (RFC 6819
  // §5.1.4.2.3). An admin of another tenant is, here, an unknown account: same answer, same dummy check, so
  // this page confirms no other tenant's password and tells nobody where an email is an admin.
  const candidate = tenant ? await deps.admins.findAdminByEmail(tenant.tenantId, email) : undefined;
  const passwordMatches = await verifyPassword(
    password,
    candidate?.passwordHash ?? (await deps.unknownAccountPasswordHash()),
  );
  if (!tenant || !candidate || !passwordMatches) {
    deps.log.info('sign-in failed', { sourceIp: submission.sourceIp });
    const alert =
      typedOrganization === undefined
        ? 'The email or password is incorrect.'
        : 'The organization ID, email or password is incorrect.';
    return { kind: 'page', status: 400, page: loginPage({ ...pageInput, alert }) };
  }
  deps.log.appendKeys({ tenant: tenant.tenantId });
  await deps.throttle.clear(accountKey);
  await deps.throttle.releaseAttempt(sourceKey);
  await requireAdminRole(deps, tenant, candidate.userId);

  // A new session secret after sign-in, so a session id planted before it is worth nothing (AS-B6).
  const consentSecret = newOpaqueToken();
  const csrfToken = newOpaqueToken();
  const now = epochSeconds(deps);
  const advanced = await deps.sessions.advanceToConsent(sessionSecret, consentSecret, {
    stage: 'consent',
    request: { ...authorization, tenantId: tenant.tenantId },
    csrfTokenHash: opaqueTokenHash(csrfToken),
    admin: { userId: candidate.userId, email: candidate.email, authTime: now },
    createdAt: session.createdAt,
    expiresAt: Math.min(session.createdAt + MAX_FLOW_SECONDS, now + CONSENT_LIFETIME_SECONDS),
  });
  if (!advanced) throw sessionExpired();
  deps.log.info('admin signed in for consent', { subject: candidate.userId, clientId: client.clientId });
  return {
    kind: 'page',
    status: 200,
    page: consentPage({
      clientName: client.name,
      tenantName: tenant.name,
      tenantId: tenant.tenantId,
      formAction: formAction(deps),
      csrfToken,
      ...redirectTarget(authorization.redirectUri),
      adminEmail: candidate.email,
      permissions: describeScopes(authorization.scope).map(({ description }) => capitalize(description)),
    }),
    session: { secret: consentSecret, maxAgeSeconds: CONSENT_LIFETIME_SECONDS },
  };
}

async function answerConsent(
  deps: AuthorizeSubmitDeps,
  submission: AuthorizeSubmission,
  sessionSecret: string,
): Promise<AuthorizeResponse> {
  const decision = formField(submission.form, 'decision');
  if (decision !== 'allow' && decision !== 'deny') {
    throw new PageError(400, 'Invalid request', 'Choose Allow or Deny.');
  }
  // Answered once: a second post (a double click, a replay) finds nothing to answer.
  const answered = await deps.sessions.consumeConsent(sessionSecret);
  if (!answered?.admin) throw sessionExpired();
  const authorization = answered.request;
  const audit = {
    clientId: authorization.clientId,
    subject: answered.admin.userId,
    scope: authorization.scope,
    sourceIp: submission.sourceIp,
  };
  // Not even a refusal goes to a redirect URI that was unregistered while the admin was deciding.
  const { tenant } = await loadParties(deps, authorization);
  if (decision === 'deny') {
    deps.log.info('connection denied', audit);
    return redirectToClient(
      deps,
      authorization,
      { error: 'access_denied', error_description: 'The administrator denied the request' },
      answeredCookie,
    );
  }

  const admin = await deps.admins.findAdminByEmail(tenant.tenantId, answered.admin.email);
  if (admin?.userId !== answered.admin.userId) {
    throw new PageError(403, 'Not allowed', 'Your administrator account is no longer active. Nothing was approved.');
  }
  await requireAdminRole(deps, tenant, admin.userId);
  const code = await issueAuthorizationCode(
    { codes: deps.codes, now: deps.now },
    {
      tenantId: tenant.tenantId,
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
  deps.log.info('connection approved', audit);
  return redirectToClient(deps, authorization, { code }, answeredCookie);
}

/**
 * The authorization response (RFC 6749 §4.1.2, §4.1.2.1) as a 303, with `iss` (RFC 9207). An answer to the
 * consent page also marks the session's cookie answered; an error of the GET had not started one.
 */
function redirectToClient(
  deps: Pick<AuthorizeEndpointDeps, 'issuer'>,
  request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  parameters: Record<string, string | undefined>,
  session?: SessionCookieChange,
): AuthorizeResponse {
  return {
    kind: 'redirect',
    location: authorizationResponseUrl(request.redirectUri, { ...parameters, state: request.state, iss: deps.issuer }),
    ...(session ? { session } : {}),
  };
}

const redirectError = (deps: Pick<AuthorizeEndpointDeps, 'issuer'>, error: AuthorizationRedirectError) =>
  redirectToClient(
    deps,
    { redirectUri: error.redirectUri, state: error.state },
    { error: error.error, error_description: error.description },
  );

/**
 * The client and tenant of a request, re-read from storage: a client deleted or a redirect URI unregistered
 * since the flow began ends it on an error page, never with a redirect. The tenant is the request's, set from
 * the sign-in on (authorization-tenant.ts).
 */
async function loadParties(
  deps: Pick<AuthorizeEndpointDeps, 'clients' | 'tenants'>,
  request: Pick<AuthorizationRequest, 'clientId' | 'redirectUri' | 'tenantId'>,
): Promise<{ client: ClientRecord; tenant: AuthorizingTenant }> {
  const client = await loadClient(deps, request);
  if (request.tenantId === undefined) throw sessionExpired();
  return { client, tenant: await loadTenant(deps, request.tenantId) };
}

const applicationNotAvailable = () =>
  new PageError(
    400,
    'Application not available',
    'The application that sent you here is no longer registered with this service. Start again from your identity provider.',
  );

async function loadClient(
  deps: Pick<AuthorizeEndpointDeps, 'clients'>,
  request: Pick<AuthorizationRequest, 'clientId' | 'redirectUri'>,
): Promise<ClientRecord> {
  const client = await deps.clients.get(request.clientId);
  if (!client?.redirectUris.includes(request.redirectUri)) throw applicationNotAvailable();
  return client;
}

async function loadTenant(deps: Pick<AuthorizeEndpointDeps, 'tenants'>, tenantId: string): Promise<AuthorizingTenant> {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw applicationNotAvailable();
  return tenant;
}

/**
 * Only a user who currently holds the tenant's `admin` role (and is active) may approve: an admin account
 * whose user was given another role, deactivated or deleted is refused, at sign-in and again at Allow.
 */
async function requireAdminRole(
  deps: Pick<AuthorizeSubmitDeps, 'users' | 'log'>,
  tenant: AuthorizingTenant,
  userId: string,
): Promise<void> {
  if (mayApproveConnections(await deps.users.get(tenant.tenantId, userId))) return;
  deps.log.warn('approval refused: the account no longer holds the admin role', { subject: userId });
  throw new PageError(
    403,
    'Not allowed',
    `Your account no longer has the admin role in ${tenant.name}, so it cannot approve connections. Nothing was approved. Ask an admin of ${tenant.name} to connect the application.`,
  );
}

/** What the forms need to say where a submission may lead (CSP form-action) and where the admin returns to. */
function redirectTarget(redirectUri: string): { redirectOrigin: string; redirectHost: string } {
  const url = new URL(redirectUri);
  return { redirectOrigin: url.origin, redirectHost: url.host };
}

/** A single form field, by the RFC 6749 §3.1 rule; a repeated one is a broken or forged form. */
function formField(form: FormParams, name: string): string | undefined {
  const value = parameterValue(form, name);
  if (value === REPEATED) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return value;
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

const capitalize = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
