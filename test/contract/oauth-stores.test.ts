import { randomUUID } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { StoreError } from '../../adapters/dynamodb/store-errors';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { issueAuthorizationCode } from '../../core/oauth/authorization-code';
import { authenticateClientSecret } from '../../core/oauth/clients';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';

let tenants: TenantStore;
let clients: ClientStore;
let codes: AuthorizationCodeStore;
beforeAll(() => {
  useLocalEnvironment();
  tenants = new TenantStore(documentClient(), tableName('clients'));
  clients = new ClientStore(documentClient(), tableName('clients'));
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

describe('client store', () => {
  test('AS-E1: the secret is 256-bit random, returned once and stored only as a hash', async () => {
    const tenant = await tenants.create('Secrets');
    const { client, clientSecret } = await clients.create({
      tenantId: tenant.tenantId,
      name: 'Okta',
      redirectUris: ['https://system-admin.okta.com/admin/app/cpc/acme_scim_1/oauth/callback'],
    });
    expect(Buffer.from(clientSecret, 'base64url')).toHaveLength(32);
    expect(JSON.stringify(await clients.get(client.clientId))).not.toContain(clientSecret);
    const raw = await documentClient().send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
        TableName: tableName('clients'),
        Key: { pk: `CLIENT#${client.clientId}`, sk: 'CLIENT' },
      }),
    );
    expect(JSON.stringify(raw.Item)).not.toContain(clientSecret);
    expect(JSON.stringify(raw.Item)).toContain(opaqueTokenHash(clientSecret));
    await expect(authenticateClientSecret(clients, client.clientId, clientSecret, new Date())).resolves.toMatchObject({
      clientId: client.clientId,
    });
    await expect(
      authenticateClientSecret(clients, client.clientId, `${clientSecret}x`, new Date()),
    ).resolves.toBeUndefined();
    await expect(authenticateClientSecret(clients, randomUUID(), clientSecret, new Date())).resolves.toBeUndefined();
  });

  test('AS-E6: after a rotation both secrets work until the overlap ends, then only the new one', async () => {
    const tenant = await tenants.create('Rotation');
    const { client, clientSecret: oldSecret } = await clients.create({
      tenantId: tenant.tenantId,
      name: 'Okta',
      redirectUris: ['https://example.com/cb'],
    });
    const now = new Date();
    const rotated = await clients.rotateSecret(client.clientId, 3600, now);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    expect(rotated.previousSecretExpiresAt).toBe(nowSeconds + 3600);
    expect(rotated.client.secrets).toHaveLength(2);
    await expect(authenticateClientSecret(clients, client.clientId, oldSecret, now)).resolves.toBeDefined();
    await expect(authenticateClientSecret(clients, client.clientId, rotated.clientSecret, now)).resolves.toBeDefined();
    const afterOverlap = new Date((nowSeconds + 3600) * 1000);
    await expect(authenticateClientSecret(clients, client.clientId, oldSecret, afterOverlap)).resolves.toBeUndefined();
    await expect(
      authenticateClientSecret(clients, client.clientId, rotated.clientSecret, afterOverlap),
    ).resolves.toBeDefined();

    const again = await clients.rotateSecret(client.clientId, 0, now);
    expect(again.client.secrets).toHaveLength(1);
    await expect(
      authenticateClientSecret(clients, client.clientId, rotated.clientSecret, now),
    ).resolves.toBeUndefined();
    await expect(authenticateClientSecret(clients, client.clientId, oldSecret, now)).resolves.toBeUndefined();
    await expect(authenticateClientSecret(clients, client.clientId, again.clientSecret, now)).resolves.toBeDefined();
  });

  test('lists per tenant, refuses an unknown tenant, deletes', async () => {
    const tenant = await tenants.create('List');
    await expect(
      clients.create({ tenantId: randomUUID(), name: 'x', redirectUris: ['https://example.com/cb'] }),
    ).rejects.toMatchObject({ code: 'unknown-tenant' });
    const { client } = await clients.create({ tenantId: tenant.tenantId, name: 'a', redirectUris: ['https://a/cb'] });
    await expect(clients.list(tenant.tenantId)).resolves.toEqual([client]);
    await expect(clients.delete(client.clientId)).resolves.toEqual(client);
    await expect(clients.get(client.clientId)).resolves.toBeUndefined();
    await expect(clients.delete(client.clientId)).resolves.toBeUndefined();
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
