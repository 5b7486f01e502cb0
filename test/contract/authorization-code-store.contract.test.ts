import { randomUUID } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { MemoryAuthorizationCodeStore } from '../../adapters/memory/authorization-code-store';
import {
  type AuthorizationCodeRecord,
  type AuthorizationCodeWriter,
  issueAuthorizationCode,
} from '../../core/oauth/authorization-code';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import type { TokenEndpointDeps } from '../../core/oauth/token-endpoint';
import { describeContract } from '../support/contract';

/** The port: what the core asks of a code store when it issues a code and when it redeems one. */
type AuthorizationCodes = AuthorizationCodeWriter & TokenEndpointDeps['codes'];

const codeRecord = (overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord => ({
  codeHash: opaqueTokenHash(newOpaqueToken()),
  grantId: randomUUID(),
  tenantId: randomUUID(),
  clientId: randomUUID(),
  redirectUri: 'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
  subject: randomUUID(),
  scope: 'scim',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  authTime: 1_700_000_000,
  issuedAt: 1_700_000_010,
  validUntil: 1_700_000_070,
  ...overrides,
});

describeContract<AuthorizationCodes>(
  'authorization code store',
  {
    memory: () => new MemoryAuthorizationCodeStore(),
    dynamodb: ({ db, tableName }) => new AuthorizationCodeStore(db, tableName('grants')),
  },
  (subject) => {
    test('a saved code reads back exactly as saved, found by its hash', async () => {
      const record = codeRecord();
      await subject().save(record);
      await expect(subject().get(record.codeHash)).resolves.toEqual(record);
    });

    test('a hash never saved reads as absent', async () => {
      await expect(subject().get(opaqueTokenHash(newOpaqueToken()))).resolves.toBeUndefined();
    });

    test('a second code with the same hash is refused and leaves the first one in place', async () => {
      const first = codeRecord();
      await subject().save(first);
      await expect(subject().save(codeRecord({ codeHash: first.codeHash }))).rejects.toThrow();
      await expect(subject().get(first.codeHash)).resolves.toEqual(first);
    });
    test('AS-C1: the code is 256-bit random and opaque; only its SHA-256 is stored, with a 60 s lifetime', async () => {
      const now = new Date('2026-01-01T00:00:00Z');
      const code = await issueAuthorizationCode(
        { codes: subject(), now: () => now },
        { tenantId: 't', clientId: 'c', redirectUri: 'https://example.com/cb', subject: 'u', scope: 'scim' },
      );
      expect(Buffer.from(code, 'base64url')).toHaveLength(32);
      const stored = await subject().get(opaqueTokenHash(code));
      expect(stored).toMatchObject({
        tenantId: 't',
        clientId: 'c',
        redirectUri: 'https://example.com/cb',
        subject: 'u',
        scope: 'scim',
        issuedAt: now.getTime() / 1000,
        validUntil: now.getTime() / 1000 + 60,
      });
      expect(JSON.stringify(stored)).not.toContain(code);
    });

    test('refuses a malformed PKCE challenge or a method other than S256', async () => {
      const base = { tenantId: 't', clientId: 'c', redirectUri: 'https://example.com/cb', subject: 'u', scope: 'scim' };
      await expect(
        issueAuthorizationCode({ codes: subject() }, { ...base, codeChallenge: 'short', codeChallengeMethod: 'S256' }),
      ).rejects.toMatchObject({ error: 'invalid_request' });
      await expect(
        issueAuthorizationCode({ codes: subject() }, { ...base, codeChallenge: 'a'.repeat(43) }),
      ).rejects.toMatchObject({
        error: 'invalid_request',
      });
    });
  },
);
