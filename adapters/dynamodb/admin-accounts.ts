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
  const { user, existed } = await userForEmail(access, input.tenantId, input.email);
  await access.setRole(input.tenantId, user.id, ADMIN_ROLE, 'admin account created');
  const admin = await tenants.createAdmin({ ...input, userId: user.id });
  return { admin, linkedExistingUser: existed };
}

/**
 * For an admin account made before accounts were tied to users (its userId names no user): links it to the
 * user of its email (created if missing), which gets the `admin` role. An account already tied to a user only
 * has that user's role made `admin` again. Grants approved under the old id stay attributed to the account.
 */
export async function linkAdminAccount(
  stores: { readonly tenants: TenantStore; readonly access: AccessStore },
  input: { readonly tenantId: string; readonly email: string },
): Promise<{ userId: string; linkedExistingUser: boolean; relinked: boolean }> {
  const { tenants, access } = stores;
  await access.requireTenant(input.tenantId);
  const account = await tenants.findAdminByEmail(input.tenantId, input.email);
  if (!account) throw new StoreError('unknown-admin', `Tenant ${input.tenantId} has no admin ${input.email}`);
  if (await access.users.get(input.tenantId, account.userId)) {
    await access.setRole(input.tenantId, account.userId, ADMIN_ROLE, 'admin account linked');
    return { userId: account.userId, linkedExistingUser: true, relinked: false };
  }
  const { user, existed } = await userForEmail(access, input.tenantId, account.email);
  await access.setRole(input.tenantId, user.id, ADMIN_ROLE, 'admin account linked');
  if (!(await tenants.relinkAdmin(input.tenantId, account.email, account.userId, user.id))) {
    throw new StoreError(
      'concurrent-change',
      'The admin account changed while it was being linked; run the command again',
    );
  }
  return { userId: user.id, linkedExistingUser: existed, relinked: true };
}

async function userForEmail(access: AccessStore, tenantId: string, email: string) {
  const [existing] = await access.users.findByKeys(tenantId, [{ kind: 'userName', value: foldCase(email.trim()) }]);
  if (existing) return { user: existing, existed: true };
  return { user: await access.createUser(tenantId, { email: email.trim() }), existed: false };
}
