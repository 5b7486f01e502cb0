import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { AccessService } from '../../core/access/access-service';
import { AdminAccounts } from '../../core/access/admin-accounts';
import { documentClient, tableName } from '../../functions/_shared/services';

/**
 * The access model's services on the test run's DynamoDB Local tables (the environment must point there first:
 * useLocalEnvironment() or startService()).
 */
export function accessServices(actor = 'test'): {
  access: AccessService;
  accounts: AdminAccounts;
  tenants: TenantStore;
} {
  const store = new DynamoDbAccessStore(documentClient(), {
    clients: tableName('clients'),
    users: tableName('users'),
  });
  const tenants = new TenantStore(documentClient(), tableName('clients'));
  const access = new AccessService(store, actor);
  return { access, accounts: new AdminAccounts(tenants, access, store), tenants };
}
