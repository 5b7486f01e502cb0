import { pathOf } from '../../contract/routes';
import { mayApproveConnections } from '../access/access-model';
import type { PageOptions } from '../html/page';
import { html, safeUrl } from '../html/template';
import { MAX_EMAIL_LENGTH } from '../oauth/authorize-endpoint';
import {
  ACCOUNT_POLICY,
  type AttemptCounters,
  accountThrottleKey,
  SOURCE_POLICY,
  sourceThrottleKey,
} from '../oauth/login-throttle';
import { newOpaqueToken } from '../oauth/opaque-tokens';
import { verifyPassword } from '../oauth/passwords';
import { csrfTokenFor, type FormPost, verifyFormPost } from './csrf';
import { CONSOLE_SESSION_COOKIE, type ConsoleDeps, epochSeconds } from './guard';
import { alertBox, consoleUrl, csrfField, firstSectionUrl, noticeBox, signedOutPage } from './layout';
import { CONSOLE_SESSION_POLICY } from './session';

/**
 * Signing in to the console and out of it, with the tenant's admin accounts: the accounts that approve
 * connections on the consent page, under the same throttling and lock-out counters (core/oauth/login-throttle.ts),
 * so a guess at a password counts the same on either page.
 */

/** The sign-in page's own cookie, which its form's CSRF token is derived from until a session exists. */
export const SIGN_IN_COOKIE = '__Host-console-sign-in';
export const SIGN_IN_LIFETIME_SECONDS = 30 * 60;
/** Tenant ids are UUIDs; the bound refuses anything far from one before it reaches the database. */
const MAX_TENANT_ID_LENGTH = 64;

export interface ConsoleSignInDeps extends ConsoleDeps {
  readonly throttle: AttemptCounters;
  /** The hash an unknown account's password is checked against, at the cost real admins' hashes have. */
  readonly unknownAccountPasswordHash: () => Promise<string>;
}

export interface CookieChange {
  readonly name: `__Host-${string}`;
  readonly value: string;
  readonly maxAgeSeconds: number;
}

export type ConsoleResponse =
  | {
      readonly kind: 'page';
      readonly status: number;
      readonly page: PageOptions;
      readonly headers?: Readonly<Record<string, string>>;
      readonly cookies?: readonly CookieChange[];
    }
  | { readonly kind: 'redirect'; readonly location: string; readonly cookies?: readonly CookieChange[] };

/** Why the sign-in page is shown, from its `reason` query parameter. */
export type SignInReason = 'signed-out' | 'expired';

const REASON_NOTICES: Record<SignInReason, string> = {
  'signed-out': 'You are signed out.',
  expired: 'Your session has ended. Sign in again.',
};

/** The sign-in page's address, for a tenant and a reason to show. */
export function signInUrl(issuer: string, tenantId?: string, reason?: SignInReason): string {
  const query = new URLSearchParams();
  if (tenantId !== undefined) query.set('tenant', tenantId);
  if (reason !== undefined) query.set('reason', reason);
  const search = query.toString();
  return `${consoleUrl(issuer, pathOf('ConsoleSignIn'))}${search ? `?${search}` : ''}`;
}

interface SignInForm {
  readonly tenantId: string;
  readonly email: string;
  readonly csrfToken: string;
  readonly alert?: string;
  readonly notice?: string;
}

function signInPage(issuer: string, form: SignInForm): PageOptions {
  return signedOutPage(
    'Sign in',
    html`<h1>Sign in to the admin console</h1>
<p>Sign in with an administrator account of your organization to manage its applications and users.</p>
${noticeBox(form.notice)}
${alertBox(form.alert)}
<form method="post" action="${safeUrl(consoleUrl(issuer, pathOf('ConsoleSignInSubmit')))}">
${csrfField(form.csrfToken)}
<label for="tenant">Organization ID</label>
<input id="tenant" name="tenant" type="text" autocomplete="organization" required spellcheck="false" aria-describedby="tenant-help" value="${form.tenantId}">
<p class="help" id="tenant-help">The ID in the console link your service operator gave you, such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427.</p>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${form.email}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`,
  );
}

const singleValue = (values: readonly string[] | undefined): string | undefined =>
  values?.length === 1 ? values[0] : undefined;

/** GET /console/sign-in: the form, with a fresh sign-in cookie its CSRF token is derived from. */
export function showSignIn(
  deps: Pick<ConsoleDeps, 'issuer'>,
  query: Readonly<Record<string, readonly string[]>>,
): ConsoleResponse {
  const secret = newOpaqueToken();
  const tenantId = (singleValue(query.tenant) ?? '').slice(0, MAX_TENANT_ID_LENGTH);
  const reason = singleValue(query.reason);
  const notice = reason === 'signed-out' || reason === 'expired' ? REASON_NOTICES[reason] : undefined;
  return {
    kind: 'page',
    status: 200,
    page: signInPage(deps.issuer, { tenantId, email: '', csrfToken: csrfTokenFor(secret), notice }),
    cookies: [{ name: SIGN_IN_COOKIE, value: secret, maxAgeSeconds: SIGN_IN_LIFETIME_SECONDS }],
  };
}

export interface SignInSubmission extends FormPost {
  readonly signInSecret: string | undefined;
  readonly sourceIp: string;
}

/**
 * POST /console/sign-in. A wrong or unknown organization, email or password gets one and the same answer
 * after one password check, so the page tells nobody which organizations exist or where an email is an
 * admin (RFC 6819 §5.1.4.2.3). On success: a new session under a new secret, and a 303 to the console.
 */
export async function submitSignIn(deps: ConsoleSignInDeps, submission: SignInSubmission): Promise<ConsoleResponse> {
  verifyFormPost(deps.issuer, submission, submission.signInSecret);
  const tenantId = (singleValue(submission.form.tenant) ?? '').trim();
  const email = (singleValue(submission.form.email) ?? '').trim();
  const password = singleValue(submission.form.password) ?? '';
  const again = (status: number, alert: string, headers?: Record<string, string>): ConsoleResponse => ({
    kind: 'page',
    status,
    page: signInPage(deps.issuer, {
      tenantId: tenantId.slice(0, MAX_TENANT_ID_LENGTH),
      email: email.slice(0, MAX_EMAIL_LENGTH),
      csrfToken: csrfTokenFor(submission.signInSecret as string),
      alert,
    }),
    ...(headers ? { headers } : {}),
  });
  if (tenantId === '' || email === '' || password === '') {
    return again(400, 'Enter your organization ID, email and password.');
  }
  if (tenantId.length > MAX_TENANT_ID_LENGTH || !/^[A-Za-z0-9-]+$/.test(tenantId)) {
    return again(
      400,
      'This is not an organization ID: it is a code of letters, digits and dashes. Check what you typed.',
    );
  }
  if (email.length > MAX_EMAIL_LENGTH) {
    return again(
      400,
      `This email address is longer than ${MAX_EMAIL_LENGTH} characters, so it is not an administrator account. Check what you typed.`,
    );
  }

  const sourceKey = sourceThrottleKey(submission.sourceIp);
  const accountKey = accountThrottleKey(tenantId, email);
  const source = await deps.throttle.reserveAttempt(sourceKey, SOURCE_POLICY);
  const account = source.allowed ? await deps.throttle.reserveAttempt(accountKey, ACCOUNT_POLICY) : source;
  if (!account.allowed) {
    deps.log.warn('console sign-in throttled', { sourceIp: submission.sourceIp });
    return again(429, `Too many failed sign-in attempts. Try again in ${waitText(account.retryAfterSeconds)}.`, {
      'Retry-After': String(account.retryAfterSeconds),
    });
  }

  const tenant = await deps.tenants.get(tenantId);
  const candidate = tenant ? await deps.admins.findAdminByEmail(tenant.tenantId, email) : undefined;
  const passwordMatches = await verifyPassword(
    password,
    candidate?.passwordHash ?? (await deps.unknownAccountPasswordHash()),
  );
  if (!tenant || !candidate || !passwordMatches) {
    deps.log.info('console sign-in failed', { sourceIp: submission.sourceIp });
    return again(400, 'The organization ID, email or password is incorrect.');
  }
  await deps.throttle.clear(accountKey);
  await deps.throttle.releaseAttempt(sourceKey);
  deps.log.appendKeys({ tenant: tenant.tenantId });
  if (!mayApproveConnections(await deps.users.get(tenant.tenantId, candidate.userId))) {
    deps.log.warn('console sign-in refused: the account no longer holds the admin role', {
      subject: candidate.userId,
    });
    return again(
      403,
      `Your account no longer has the admin role in ${tenant.name}. Ask another administrator of ${tenant.name} for help.`,
    );
  }

  const policy = deps.policy ?? CONSOLE_SESSION_POLICY;
  const sessionSecret = newOpaqueToken();
  const now = epochSeconds(deps.now);
  await deps.sessions.create(
    sessionSecret,
    { tenantId: tenant.tenantId, userId: candidate.userId, email: candidate.email, createdAt: now, lastSeenAt: now },
    now + Math.min(policy.idleSeconds, policy.absoluteSeconds),
  );
  deps.log.info('admin signed in to the console', { subject: candidate.userId });
  return {
    kind: 'redirect',
    location: firstSectionUrl(deps.issuer),
    cookies: [
      { name: CONSOLE_SESSION_COOKIE, value: sessionSecret, maxAgeSeconds: policy.absoluteSeconds },
      { name: SIGN_IN_COOKIE, value: '', maxAgeSeconds: 0 },
    ],
  };
}

/** GET /console: on to the first section, which sends a visitor without a session to the sign-in page. */
export const consoleHome = (deps: Pick<ConsoleDeps, 'issuer'>): ConsoleResponse => ({
  kind: 'redirect',
  location: firstSectionUrl(deps.issuer),
});

/** POST /console/sign-out: the session ends server-side, the cookie is cleared, and the sign-in page says so. */
export async function signOut(
  deps: Pick<ConsoleDeps, 'sessions' | 'issuer'>,
  post: FormPost & { readonly sessionSecret: string | undefined },
): Promise<ConsoleResponse> {
  verifyFormPost(deps.issuer, post, post.sessionSecret);
  const session = post.sessionSecret ? await deps.sessions.get(post.sessionSecret, 0) : undefined;
  if (post.sessionSecret) await deps.sessions.delete(post.sessionSecret);
  return {
    kind: 'redirect',
    location: signInUrl(deps.issuer, session?.tenantId, 'signed-out'),
    cookies: [{ name: CONSOLE_SESSION_COOKIE, value: '', maxAgeSeconds: 0 }],
  };
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
