import { randomUUID } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { StoreError } from '../../adapters/dynamodb/store-errors';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { issueAuthorizationCode } from '../../core/oauth/authorization-code';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';

let tenants: TenantStore;
let codes: AuthorizationCodeStore;
beforeAll(() => {
  useLocalEnvironment();
  tenants = new TenantStore(documentClient(), tableName('clients'));
  codes = new AuthorizationCodeStore(documentClient(), tableName('grants'));
});

describe('tenant store', () => {
  test('creates a tenant and finds its admin by email, NFC-normalized and case-insensitively', async () => {
    const tenant = await tenants.create('Acme');
    await expect(tenants.get(tenant.tenantId)).resolves.toEqual(tenant);
    const admin = await tenants.createAdmin({
      tenantId: tenant.tenantId,
      email: 'Ren\u00e9e@Example.com',
      passwordHash: 'hash',
    });
    await expect(tenants.findAdminByEmail(tenant.tenantId, 'rene\u0301e@example.COM')).resolves.toEqual(admin);
    await expect(tenants.findAdminByEmail(tenant.tenantId, 'other@example.com')).resolves.toBeUndefined();
    await expect(tenants.listAdmins(tenant.tenantId)).resolves.toEqual([
      { userId: admin.userId, tenantId: tenant.tenantId, email: admin.email, createdAt: admin.createdAt },
    ]);
  });

  test('refuses an admin for an unknown tenant and a duplicate email', async () => {
    await expect(
      tenants.createAdmin({ tenantId: randomUUID(), email: 'a@example.com', passwordHash: 'h' }),
    ).rejects.toMatchObject({ code: 'unknown-tenant' });
    const tenant = await tenants.create('Dup');
    await tenants.createAdmin({ tenantId: tenant.tenantId, email: 'a@example.com', passwordHash: 'h' });
    await expect(
      tenants.createAdmin({ tenantId: tenant.tenantId, email: 'A@example.com', passwordHash: 'h' }),
    ).rejects.toBeInstanceOf(StoreError);
  });
});

describe('authorization codes', () => {
  test('AS-C1: the code is 256-bit random and opaque; only its SHA-256 is stored, with a 60 s lifetime', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const code = await issueAuthorizationCode(
      { codes, now: () => now },
      { tenantId: 't', clientId: 'c', redirectUri: 'https://example.com/cb', subject: 'u', scope: 'scim' },
    );
    expect(Buffer.from(code, 'base64url')).toHaveLength(32);
    const stored = await codes.get(opaqueTokenHash(code));
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
      issueAuthorizationCode({ codes }, { ...base, codeChallenge: 'short', codeChallengeMethod: 'S256' }),
    ).rejects.toMatchObject({ error: 'invalid_request' });
    await expect(issueAuthorizationCode({ codes }, { ...base, codeChallenge: 'a'.repeat(43) })).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });
});
