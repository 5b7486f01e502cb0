import { AuthorizationSessionStore } from '../../adapters/dynamodb/authorization-session-store';
import { MemoryAuthorizationSessionStore } from '../../adapters/memory/authorization-session-store';
import type { AuthorizationSession, AuthorizationSessions } from '../../core/oauth/authorization-session';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { describeContract } from '../support/contract';

/** The port, plus what both adapters offer tests: the clock as an argument. */
interface Sessions extends AuthorizationSessions {
  get(sessionSecret: string, now?: number): Promise<AuthorizationSession | undefined>;
  advanceToConsent(oldSecret: string, newSecret: string, consent: AuthorizationSession, now?: number): Promise<boolean>;
  consumeConsent(sessionSecret: string, now?: number): Promise<AuthorizationSession | undefined>;
}

const NOW = 1_900_000_000;

const loginSession = (): AuthorizationSession => ({
  stage: 'login',
  request: {
    clientId: 'client',
    tenantId: 'tenant',
    redirectUri: 'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
    state: 'opaque state',
    scope: 'scim offline_access',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
  },
  csrfTokenHash: opaqueTokenHash(newOpaqueToken()),
  createdAt: NOW,
  expiresAt: NOW + 600,
});

const consentOf = (login: AuthorizationSession): AuthorizationSession => ({
  ...login,
  stage: 'consent',
  csrfTokenHash: opaqueTokenHash(newOpaqueToken()),
  admin: { userId: 'admin', email: 'admin@example.com', authTime: NOW + 5 },
});

describeContract<Sessions>(
  'authorization session store',
  {
    memory: () => new MemoryAuthorizationSessionStore(),
    dynamodb: ({ db, tableName }) => new AuthorizationSessionStore(db, tableName('grants')),
  },
  (subject) => {
    test('a session reads back as created until its expiresAt, and is absent from then on', async () => {
      const secret = newOpaqueToken();
      const session = loginSession();
      await subject().create(secret, session);
      await expect(subject().get(secret, NOW + 599)).resolves.toEqual(session);
      await expect(subject().get(secret, NOW + 600)).resolves.toBeUndefined();
      await expect(subject().get(newOpaqueToken(), NOW)).resolves.toBeUndefined();
    });

    test('a second session under the same secret is refused and leaves the first one', async () => {
      const secret = newOpaqueToken();
      const session = loginSession();
      await subject().create(secret, session);
      await expect(subject().create(secret, loginSession())).rejects.toThrow();
      await expect(subject().get(secret, NOW)).resolves.toEqual(session);
    });

    test('a login advances to consent under the new secret once; the old secret is then gone', async () => {
      const [oldSecret, newSecret, otherSecret] = [newOpaqueToken(), newOpaqueToken(), newOpaqueToken()];
      const login = loginSession();
      const consent = consentOf(login);
      await subject().create(oldSecret, login);
      await expect(subject().advanceToConsent(oldSecret, newSecret, consent, NOW + 5)).resolves.toBe(true);
      await expect(subject().get(oldSecret, NOW + 5)).resolves.toBeUndefined();
      await expect(subject().get(newSecret, NOW + 5)).resolves.toEqual(consent);
      await expect(subject().advanceToConsent(oldSecret, otherSecret, consent, NOW + 6)).resolves.toBe(false);
      await expect(subject().get(otherSecret, NOW + 6)).resolves.toBeUndefined();
    });

    test('of parallel sign-ins on one login session exactly one advances it', async () => {
      const oldSecret = newOpaqueToken();
      const login = loginSession();
      await subject().create(oldSecret, login);
      const newSecrets = Array.from({ length: 4 }, () => newOpaqueToken());
      const outcomes = await Promise.all(
        newSecrets.map((newSecret) => subject().advanceToConsent(oldSecret, newSecret, consentOf(login), NOW + 5)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const live = await Promise.all(newSecrets.map((newSecret) => subject().get(newSecret, NOW + 5)));
      expect(live.filter((session) => session !== undefined)).toHaveLength(1);
    });

    test('an expired login, or a session already at consent, does not advance', async () => {
      const [expired, atConsent, target] = [newOpaqueToken(), newOpaqueToken(), newOpaqueToken()];
      const login = loginSession();
      await subject().create(expired, login);
      await subject().create(atConsent, consentOf(login));
      await expect(subject().advanceToConsent(expired, target, consentOf(login), NOW + 600)).resolves.toBe(false);
      await expect(subject().advanceToConsent(atConsent, target, consentOf(login), NOW + 5)).resolves.toBe(false);
      await expect(subject().get(target, NOW + 5)).resolves.toBeUndefined();
      await expect(subject().get(expired, NOW + 5)).resolves.toEqual(login);
    });

    test('a consent is answered exactly once, never after it expired, and a login is not a consent', async () => {
      const [secret, expiring, loginSecret] = [newOpaqueToken(), newOpaqueToken(), newOpaqueToken()];
      const consent = consentOf(loginSession());
      await subject().create(secret, consent);
      await subject().create(expiring, consent);
      await subject().create(loginSecret, loginSession());
      const answers = await Promise.all([
        subject().consumeConsent(secret, NOW + 10),
        subject().consumeConsent(secret, NOW + 10),
      ]);
      expect(answers.filter((answer) => answer !== undefined)).toEqual([consent]);
      await expect(subject().get(secret, NOW + 10)).resolves.toBeUndefined();
      await expect(subject().consumeConsent(expiring, NOW + 600)).resolves.toBeUndefined();
      await expect(subject().consumeConsent(loginSecret, NOW + 10)).resolves.toBeUndefined();
      await expect(subject().get(loginSecret, NOW + 10)).resolves.toBeDefined();
    });
  },
);
