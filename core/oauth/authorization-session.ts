import type { AuthorizationRequest } from './authorization-request';

/**
 * The server side of one authorization in progress: the checked authorization request, kept so nothing of it
 * is trusted from the browser again, and where the admin is in the flow. The session secret lives only in the
 * admin's cookie, and the CSRF token only as a SHA-256 hash.
 *
 * Stages: `login` (created by GET /oauth/authorize) → `consent` (after the password, under a new session
 * secret, so a session id planted before sign-in is useless afterwards, AS-B6) → gone once Allow or Deny is
 * answered, at most once.
 */
export type AuthorizationStage = 'login' | 'consent';

export interface ApprovingAdmin {
  readonly userId: string;
  readonly email: string;
  /** Epoch seconds of the sign-in. */
  readonly authTime: number;
}

export interface AuthorizationSession {
  readonly stage: AuthorizationStage;
  readonly request: AuthorizationRequest;
  readonly csrfTokenHash: string;
  /** Set from the consent stage on. */
  readonly admin?: ApprovingAdmin;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds; the session is gone from this instant on. */
  readonly expiresAt: number;
}

/** Where sessions are kept, keyed by their secret; every step is atomic. */
export interface AuthorizationSessions {
  create(sessionSecret: string, session: AuthorizationSession): Promise<void>;
  /** The live session for this secret; an expired one is absent. */
  get(sessionSecret: string): Promise<AuthorizationSession | undefined>;
  /** Login → consent under a new secret, only if the old one is still an unexpired login; whether it was. */
  advanceToConsent(oldSecret: string, newSecret: string, consent: AuthorizationSession): Promise<boolean>;
  /** Ends a consent-stage session and returns it, exactly once; undefined if answered already or expired. */
  consumeConsent(sessionSecret: string): Promise<AuthorizationSession | undefined>;
}
