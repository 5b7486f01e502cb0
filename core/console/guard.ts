import { mayApproveConnections } from '../access/access-model';
import { PageError } from '../html/page-error';
import type { AdminAccount, AuthorizingTenant, EventLog } from '../oauth/authorize-endpoint';
import { csrfTokenFor, type FormPost, verifyFormPost } from './csrf';
import type { ConsoleAdmin } from './layout';
import {
  CONSOLE_SESSION_POLICY,
  type ConsoleSessionPolicy,
  type ConsoleSessions,
  sessionEndsAt,
  TOUCH_INTERVAL_SECONDS,
} from './session';

/** The session cookie of the console; `__Host-` pins it to our host and path `/`. */
export const CONSOLE_SESSION_COOKIE = '__Host-console';

/** What every signed-in console request needs: the session, and the stores that say who is still an admin. */
export interface ConsoleDeps {
  readonly sessions: ConsoleSessions;
  readonly tenants: { get(tenantId: string): Promise<AuthorizingTenant | undefined> };
  readonly admins: { findAdminByEmail(tenantId: string, email: string): Promise<AdminAccount | undefined> };
  readonly users: { get(tenantId: string, userId: string): Promise<Parameters<typeof mayApproveConnections>[0]> };
  /** The public base URL: where links and forms point, and the only origin forms may come from. */
  readonly issuer: string;
  readonly now: () => Date;
  readonly log: EventLog;
  readonly policy?: ConsoleSessionPolicy;
}

/** Why a request needs a (new) sign-in: no session, or one that ended. */
export class SignInRequired extends Error {
  override readonly name = 'SignInRequired';
  constructor(
    readonly reason: 'none' | 'expired',
    readonly tenantId?: string,
  ) {
    super(`sign-in required (${reason})`);
  }
}

export interface ConsoleRequest {
  readonly method: string;
  readonly sessionSecret: string | undefined;
  /** The form of a POST, with its origin headers, checked against the session's CSRF token. */
  readonly post?: FormPost;
}

export const epochSeconds = (now: () => Date): number => Math.floor(now().getTime() / 1000);

/**
 * The signed-in admin of a console request, or a refusal: {@link SignInRequired} without a live session, a
 * 403 page for a form without this session's token, and a 403 page (the session ended) for an account that
 * no longer holds the `admin` role, re-checked on every request.
 */
export async function requireConsoleAdmin(
  deps: ConsoleDeps,
  request: ConsoleRequest,
): Promise<ConsoleAdmin & { readonly sessionSecret: string }> {
  const { sessionSecret } = request;
  if (request.post) verifyFormPost(deps.issuer, request.post, sessionSecret);
  if (!sessionSecret) throw new SignInRequired('none');
  const now = epochSeconds(deps.now);
  const policy = deps.policy ?? CONSOLE_SESSION_POLICY;
  const session = await deps.sessions.get(sessionSecret, now);
  if (!session) throw new SignInRequired('expired');
  deps.log.appendKeys({ tenant: session.tenantId });
  if (now >= sessionEndsAt(session, policy)) {
    await deps.sessions.delete(sessionSecret);
    throw new SignInRequired('expired', session.tenantId);
  }

  const [tenant, account, user] = await Promise.all([
    deps.tenants.get(session.tenantId),
    deps.admins.findAdminByEmail(session.tenantId, session.email),
    deps.users.get(session.tenantId, session.userId),
  ]);
  if (!tenant || account?.userId !== session.userId || !mayApproveConnections(user)) {
    await deps.sessions.delete(sessionSecret);
    deps.log.warn('console refused: the account no longer holds the admin role', { subject: session.userId });
    throw new PageError(
      403,
      'Not allowed',
      'Your account is no longer an administrator of this organization, so you were signed out. Nothing was changed.',
    );
  }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_SECONDS) {
    await deps.sessions.touch(sessionSecret, now, sessionEndsAt({ ...session, lastSeenAt: now }, policy));
  }
  return {
    tenantId: tenant.tenantId,
    tenantName: tenant.name,
    userId: session.userId,
    email: session.email,
    csrfToken: csrfTokenFor(sessionSecret),
    sessionSecret,
  };
}
