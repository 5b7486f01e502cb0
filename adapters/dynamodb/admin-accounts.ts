import { ADMIN_ROLE } from '../../core/access/access-model';
import { foldCase } from '../../core/scim/values';
import type { AccessStore } from './access-store';
import { StoreError } from './store-errors';
import type { AdminRecord, TenantStore } from './tenant-store';

/**
 * An admin account (email and password, in the clients table) is the sign-in of one user of the tenant (in
 * the users table) who holds the `admin` role. Creating the account links the user whose userName is that
 * email (for example one Okta provisioned, or one made with `user create`), or creates one, and gives that
 * user the `admin` role; both changes are recorded in the audit trail. The consent page then checks the
 * user's current role, so taking `admin` away (`user set-role`) stops them from approving connections.
 */
export async function createAdminAccount(
  stores: { readonly tenants: TenantStore; readonly access: AccessStore },
  input: { readonly tenantId: string; readonly email: string; readonly passwordHash: string },
): Promise<{ admin: AdminRecord; linkedExistingUser: boolean }> {
  const { tenants, access } = stores;
  await access.requireTenant(input.tenantId);
  if (await tenants.findAdminByEmail(input.tenantId, input.email)) {
    throw new StoreError('duplicate-admin', `Tenant ${input.tenantId} already has an admin with that email`);
  }
  const [existing] = await access.users.findByKeys(input.tenantId, [
    { kind: 'userName', value: foldCase(input.email.trim()) },
  ]);
  const user = existing ?? (await access.createUser(input.tenantId, { email: input.email.trim() }));
  await access.setRole(input.tenantId, user.id, ADMIN_ROLE, 'admin account created');
  const admin = await tenants.createAdmin({ ...input, userId: user.id });
  return { admin, linkedExistingUser: existing !== undefined };
}
