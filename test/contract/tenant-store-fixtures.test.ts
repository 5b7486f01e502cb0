import { randomUUID } from 'node:crypto';
import { StoreError } from '../../adapters/dynamodb/store-errors';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';

let tenants: TenantStore;
beforeAll(() => {
  useLocalEnvironment();
  tenants = new TenantStore(documentClient(), tableName('clients'));
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
