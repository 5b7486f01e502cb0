import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../scim/user-record';
import { foldCase } from '../scim/values';
import { ADMIN_ROLE, MAX_NAME_LENGTH } from './access-model';
import { type AccessService, checkText } from './access-service';
import {
  type AccessStore,
  AlreadyExistsError,
  type SignInLockouts,
  type TenantGrants,
  TenantMissingError,
  TenantNameTakenError,
  type TenantStore,
} from './ports';
import { type AdminRecord, type AdminSummary, normalizeEmail, type TenantRecord, tenantNameKey } from './records';
import { Refusal } from './refusal';

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254 characters. */
const MAX_EMAIL_LENGTH = 254;

/** A person's name as the admin's user carries it: what SCIM lists as `name.givenName` and `name.familyName`. */
export interface PersonName {
  readonly givenName: string;
  readonly familyName: string;
}

/**
 * Tenants and their admin accounts. An admin account (email and password) is the sign-in of one user of the
 * tenant who holds the `admin` role: creating the account links the user whose userName is that email (for
 * example one Okta provisioned), or creates one, and gives that user the `admin` role; every change is
 * recorded in the audit trail. The consent page then checks the user's current role.
 */
export class AdminAccounts {
  constructor(
    private readonly tenants: TenantStore,
    private readonly access: AccessService,
    private readonly store: AccessStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * A tenant's name tells the tenants apart on the pages, so a name another tenant has (compared trimmed and
   * case-insensitively) is refused unless `force`. The name is claimed in the same write as the tenant, so
   * two creations racing cannot both take it; tenants made before names were claimed are found by reading.
   */
  async createTenant(name: string, options: { readonly force?: boolean } = {}): Promise<TenantRecord> {
    checkText('name', name, MAX_NAME_LENGTH);
    const record: TenantRecord = { tenantId: randomUUID(), name, createdAt: this.now().toISOString() };
    const force = options.force === true;
    if (!force) {
      const taken = (await this.tenants.list()).find((tenant) => tenantNameKey(tenant.name) === tenantNameKey(name));
      if (taken) throw new Refusal('duplicate-tenant-name', { name, tenantId: taken.tenantId });
    }
    try {
      await this.tenants.createTenant(record, { uniqueName: !force });
    } catch (error) {
      if (error instanceof TenantNameTakenError) throw new Refusal('duplicate-tenant-name', { name });
      throw error;
    }
    return record;
  }

  async createAdmin(input: {
    readonly tenantId: string;
    readonly email: string;
    readonly passwordHash: string;
    readonly name: PersonName;
  }): Promise<{ admin: AdminRecord; linkedExistingUser: boolean }> {
    const { tenantId } = input;
    const email = input.email.trim();
    checkText('email', email, MAX_EMAIL_LENGTH);
    checkText('givenName', input.name.givenName, MAX_NAME_LENGTH);
    checkText('familyName', input.name.familyName, MAX_NAME_LENGTH);
    await this.access.requireTenant(tenantId);
    if (await this.tenants.findAdminByEmail(tenantId, email)) {
      throw new Refusal('duplicate-admin', { tenantId, email });
    }
    const { user, existed } = await this.userForEmail(tenantId, email, input.name);
    if (existed && !hasName(user)) await this.access.setName(tenantId, user.id, input.name);
    await this.access.setRole(tenantId, user.id, ADMIN_ROLE, 'admin account created');
    const admin: AdminRecord = {
      userId: user.id,
      tenantId,
      email,
      passwordHash: input.passwordHash,
      createdAt: this.now().toISOString(),
    };
    try {
      await this.tenants.putAdmin(admin);
    } catch (error) {
      if (error instanceof TenantMissingError) throw new Refusal('unknown-tenant', { tenantId });
      if (error instanceof AlreadyExistsError) throw new Refusal('duplicate-admin', { tenantId, email });
      throw error;
    }
    return { admin, linkedExistingUser: existed };
  }

  /**
   * For an admin account made before accounts were tied to users (its userId names no user): links it to the
   * user of its email (created if missing), which gets the `admin` role. An account already tied to a user only
   * has that user's role made `admin` again. Grants approved under the old id stay attributed to the account.
   */
  async linkAdmin(
    tenantId: string,
    email: string,
  ): Promise<{ userId: string; linkedExistingUser: boolean; relinked: boolean }> {
    await this.access.requireTenant(tenantId);
    const account = await this.account(tenantId, email);
    if (await this.access.users.get(tenantId, account.userId)) {
      await this.access.setRole(tenantId, account.userId, ADMIN_ROLE, 'admin account linked');
      return { userId: account.userId, linkedExistingUser: true, relinked: false };
    }
    const { user, existed } = await this.userForEmail(tenantId, account.email);
    await this.access.setRole(tenantId, user.id, ADMIN_ROLE, 'admin account linked');
    if (!(await this.tenants.relinkAdmin(tenantId, account.email, account.userId, user.id))) {
      throw new Refusal('concurrent-change', { tenantId, email });
    }
    return { userId: user.id, linkedExistingUser: existed, relinked: true };
  }

  /** Gives the admin's user a given and family name. */
  async setAdminName(tenantId: string, email: string, name: PersonName): Promise<UserRecord> {
    await this.access.requireTenant(tenantId);
    const account = await this.account(tenantId, email);
    return this.access.setName(tenantId, account.userId, name);
  }

  /** A new password for an admin who forgot theirs; their grants and sign-in state are left as they are. */
  async setAdminPassword(tenantId: string, email: string, passwordHash: string): Promise<AdminSummary> {
    await this.access.requireTenant(tenantId);
    const account = await this.account(tenantId, email);
    const audit = this.access.entry('admin.password', { email: account.email }, account.userId);
    if (!(await this.store.writeAdminPassword(tenantId, account.email, passwordHash, audit))) {
      throw new Refusal('unknown-admin', { tenantId, email });
    }
    return summary(account);
  }

  /** Lifts the sign-in lock-out of an admin account (its failed attempts are forgotten); grants are untouched. */
  async unlockAdmin(lockouts: SignInLockouts, tenantId: string, email: string): Promise<AdminSummary> {
    await this.access.requireTenant(tenantId);
    const account = summary(await this.account(tenantId, email));
    await lockouts.clear(account);
    await this.store.record(tenantId, this.access.entry('admin.unlock', { email: account.email }, account.userId));
    return account;
  }

  private async account(tenantId: string, email: string): Promise<AdminRecord> {
    const account = await this.tenants.findAdminByEmail(tenantId, normalizeEmail(email));
    if (!account) throw new Refusal('unknown-admin', { tenantId, email: email.trim() });
    return account;
  }

  private async userForEmail(tenantId: string, email: string, name?: PersonName) {
    const [existing] = await this.access.users.findByKeys(tenantId, [{ kind: 'userName', value: foldCase(email) }]);
    if (existing) return { user: existing, existed: true };
    return { user: await this.access.createUser(tenantId, { email, ...name }), existed: false };
  }
}

/**
 * Removes an admin who leaves: the account can no longer sign in, and every active grant it approved (under
 * its user id or an id it had before it was linked to a user) is revoked (RFC 9700 §4.14.2: a security event ends the
 * connections it vouched for). The user and its role stay, so this needs neither the users nor the audit trail.
 */
export async function deleteAdmin(
  stores: { readonly tenants: TenantStore; readonly grants: TenantGrants; readonly now?: () => Date },
  tenantId: string,
  email: string,
): Promise<{ admin: AdminSummary; revokedGrants: number }> {
  const admin = await stores.tenants.deleteAdmin(tenantId, normalizeEmail(email));
  if (!admin) throw new Refusal('unknown-admin', { tenantId, email: email.trim() });
  const approvers = new Set([admin.userId, ...(admin.formerUserIds ?? [])]);
  const at = (stores.now?.() ?? new Date()).toISOString();
  let revokedGrants = 0;
  for (const grant of await stores.grants.list(tenantId)) {
    if (grant.status !== 'active' || !approvers.has(grant.subject)) continue;
    if (await stores.grants.revokeIfExists(grant.grantId, at, 'approver-removed')) revokedGrants += 1;
  }
  return { admin, revokedGrants };
}

const hasName = (user: UserRecord): boolean => {
  const name = user.attributes.name as { givenName?: unknown; familyName?: unknown } | undefined;
  return typeof name?.givenName === 'string' && typeof name.familyName === 'string';
};

function summary(account: AdminRecord): AdminSummary {
  const { passwordHash: _hash, ...rest } = account;
  return rest;
}
