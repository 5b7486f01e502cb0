import { AccessError, AccessStore } from '../../adapters/dynamodb/access-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { documentClient, tableName } from '../../functions/_shared/services';
import { useLocalEnvironment } from '../support/local-service';

/** The access store on the test run's DynamoDB Local: the rules that must hold when changes race. */
beforeAll(() => useLocalEnvironment());

const store = () =>
  new AccessStore(documentClient(), { clients: tableName('clients'), users: tableName('users') }, 'test');

async function tenantWithAdmins(count: number): Promise<{ tenantId: string; adminIds: string[] }> {
  const { tenantId } = await new TenantStore(documentClient(), tableName('clients')).create('Race');
  const access = store();
  const adminIds: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const user = await access.createUser(tenantId, { email: `admin${index}@race.example` });
    await access.setRole(tenantId, user.id, 'admin');
    adminIds.push(user.id);
  }
  return { tenantId, adminIds };
}

describe('access changes that race', () => {
  test('two admins demoting each other at once: exactly one succeeds, one admin remains', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { tenantId, adminIds } = await tenantWithAdmins(2);
      const results = await Promise.allSettled(adminIds.map((id) => store().setRole(tenantId, id, 'collaborator')));
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failure = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toBeInstanceOf(AccessError);
      expect((failure.reason as AccessError).code).toBe('last-admin');
      const roles = await Promise.all(adminIds.map(async (id) => (await store().findUser(tenantId, id)).access.role));
      expect(roles.sort()).toEqual(['admin', 'collaborator']);
    }
  });

  test('a brand deleted while users are given it ends up in no user’s list', async () => {
    const { tenantId } = await tenantWithAdmins(0);
    const access = store();
    const brand = await access.createBrand(tenantId, 'Contested');
    const users = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => access.createUser(tenantId, { email: `${name}@race.example` })),
    );
    const outcomes = await Promise.allSettled([
      access.deleteBrand(tenantId, brand.brandId),
      ...users.map((user) => store().setBrands(tenantId, user.id, [brand.brandId])),
    ]);
    expect(outcomes[0]?.status).toBe('fulfilled');
    for (const outcome of outcomes.slice(1)) {
      if (outcome.status === 'rejected') expect((outcome.reason as AccessError).code).toBe('unknown-brand');
    }
    for (const user of users) {
      const stored = await access.findUser(tenantId, user.id);
      expect(stored.access.brands).not.toContain(brand.brandId);
    }
  });
});
