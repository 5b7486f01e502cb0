import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { DynamoDbGroupStore } from '../../adapters/dynamodb/group-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { AccessService } from '../../core/access/access-service';
import { AdminAccounts } from '../../core/access/admin-accounts';
import { GroupAccessService } from '../../core/access/group-access-service';
import { documentClient, tableName } from '../../functions/_shared/services';

/**
 * The access model's services on the test run's DynamoDB Local tables (the environment must point there first:
 * useLocalEnvironment() or startService()).
 */
export function accessServices(actor = 'test'): {
  access: AccessService;
  accounts: AdminAccounts;
  tenants: TenantStore;
  groupAccess: GroupAccessService;
} {
  const store = new DynamoDbAccessStore(documentClient(), {
    clients: tableName('clients'),
    users: tableName('users'),
  });
  const tenants = new TenantStore(documentClient(), tableName('clients'));
  const access = new AccessService(store, actor);
  const settings = new DynamoDbGroupAccessStore(documentClient(), tableName('users'));
  const groupAccess = new GroupAccessService(
    { writes: settings, groups: new DynamoDbGroupStore(documentClient(), tableName('users')), settings },
    actor,
  );
  return { access, accounts: new AdminAccounts(tenants, access, store), tenants, groupAccess };
}
