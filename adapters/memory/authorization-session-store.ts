import type { AuthorizationSession, AuthorizationSessions } from '../../core/oauth/authorization-session';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Authorization sessions in process memory, with the DynamoDB store's rules
 * (adapters/dynamodb/authorization-session-store.ts): keyed by the secret's hash, a secret is used once, a
 * session is gone from its `expiresAt` on, a login-stage session advances to consent once, and a consent is
 * answered once. Each step checks and applies in one synchronous step.
 */
export class MemoryAuthorizationSessionStore implements AuthorizationSessions {
  private readonly sessions = new Map<string, AuthorizationSession>();

  async create(sessionSecret: string, session: AuthorizationSession): Promise<void> {
    const key = opaqueTokenHash(sessionSecret);
    if (this.sessions.has(key)) throw new Error('An authorization session with this secret exists already');
    this.sessions.set(key, structuredClone(session));
  }

  async get(sessionSecret: string, now = nowSeconds()): Promise<AuthorizationSession | undefined> {
    const session = this.sessions.get(opaqueTokenHash(sessionSecret));
    return session && session.expiresAt > now ? structuredClone(session) : undefined;
  }

  async advanceToConsent(
    oldSecret: string,
    newSecret: string,
    consent: AuthorizationSession,
    now = nowSeconds(),
  ): Promise<boolean> {
    const oldKey = opaqueTokenHash(oldSecret);
    const newKey = opaqueTokenHash(newSecret);
    const login = this.sessions.get(oldKey);
    if (login?.stage !== 'login' || login.expiresAt <= now || this.sessions.has(newKey)) return false;
    this.sessions.delete(oldKey);
    this.sessions.set(newKey, structuredClone(consent));
    return true;
  }

  async consumeConsent(sessionSecret: string, now = nowSeconds()): Promise<AuthorizationSession | undefined> {
    const key = opaqueTokenHash(sessionSecret);
    const session = this.sessions.get(key);
    if (session?.stage !== 'consent' || session.expiresAt <= now) return undefined;
    this.sessions.delete(key);
    return session;
  }
}
