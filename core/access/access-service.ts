import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../scim/user-record';
import type { UserStore } from '../scim/user-store';
import { createUser } from '../scim/users';
import { foldCase, isPlainObject } from '../scim/values';
import {
  ADMIN_ROLE,
  type AuditAction,
  type AuditEntry,
  accessChange,
  BUILT_IN_ROLES,
  brandsText,
  builtInRole,
  isAcceptableText,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  roleKey,
  roleNameProblem,
  sameAccess,
  tidyRoleName,
  withBrands,
  withoutBrand,
} from './access-model';
import {
  type AccessCondition,
  type AccessStore,
  AlreadyExistsError,
  type ConditionalWrite,
  type GroupAccessStore,
  TenantMissingError,
} from './ports';
import type { BrandRecord, RoleRecord } from './records';
import { Refusal } from './refusal';

const WRITE_ATTEMPTS = 10;
export const RECENT_CHANGES = 10;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));

/** A finished rename: the role under its new name, its old name, and how many users and group mappings moved. */
export interface RoleRename {
  readonly role: RoleRecord;
  readonly from: string;
  readonly movedUsers: number;
  readonly movedMappings: number;
}

/** A user's access after a decision, and what the write must still find true. */
interface AccessDecision {
  readonly access: UserRecord['access'];
  readonly action: AuditAction;
  readonly conditions?: readonly AccessCondition[];
  /** What a failed condition means, by its position; `undefined` means: read again and decide again. */
  readonly failures?: readonly (Refusal | undefined)[];
  readonly details?: Record<string, unknown>;
}

/**
 * The access model's use cases: brands, roles, and users' role and brand scoping, each change recorded in the
 * audit trail with who made it. Refusals are `Refusal`s with a code and the facts; nothing here knows who asks.
 */
export class AccessService {
  constructor(
    private readonly store: AccessStore,
    /** Who makes the changes, as the audit trail records it. */
    readonly actor: string,
    private readonly now: () => Date = () => new Date(),
    /** Where the tenant's access comes from and its group mappings; without it, access is always the admins'. */
    private readonly groupAccess?: GroupAccessStore,
  ) {}

  /** The tenant's users, for reads (lists, filters). */
  get users(): UserStore {
    return this.store.users;
  }

  async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.store.tenantExists(tenantId))) throw new Refusal('unknown-tenant', { tenantId });
  }

  // Brands

  /**
   * `brandId` is a fresh UUID unless the caller derives it (the console derives it from the form's one-time id,
   * so that the same form posted twice is refused here as `duplicate-brand`).
   */
  async createBrand(tenantId: string, name: string, brandId: string = randomUUID()): Promise<BrandRecord> {
    checkText('name', name, MAX_NAME_LENGTH);
    const brand: BrandRecord = { brandId, name, createdAt: this.timestamp() };
    try {
      await this.orUnknownTenant(tenantId, () =>
        this.store.putBrand(tenantId, brand, this.entry('brand.create', { brandId: brand.brandId, name })),
      );
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw new Refusal('duplicate-brand', { tenantId, brandId });
      throw error;
    }
    return brand;
  }

  /** Oldest first. */
  async listBrands(tenantId: string): Promise<BrandRecord[]> {
    return (await this.store.listBrands(tenantId)).sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.brandId.localeCompare(b.brandId),
    );
  }

  /**
   * Gives a brand a new name, with the rules of creation; its id, and so every user's and mapping's hold on it,
   * stays. A brand being deleted cannot be renamed.
   */
  async renameBrand(tenantId: string, brandId: string, name: string): Promise<{ brand: BrandRecord; from: string }> {
    checkText('name', name, MAX_NAME_LENGTH);
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const current = (await this.store.listBrands(tenantId)).find((brand) => brand.brandId === brandId);
      if (!current) throw new Refusal('unknown-brand', { tenantId, brandId });
      if (current.name === name) return { brand: current, from: current.name };
      const audit = this.entry('brand.rename', { brandId, name: { from: current.name, to: name } });
      if (await this.store.renameBrand(tenantId, current, name, audit)) {
        return { brand: { ...current, name }, from: current.name };
      }
      await pause(attempt);
    }
    throw new Refusal('concurrent-change', { tenantId, brandId });
  }

  /**
   * Deletes a brand and removes it from every user's list (users with all brands keep all brands). Returns
   * how many users lost it. The brand is marked first, so nobody can be given it while the users are swept;
   * run again after an interruption, it picks up where it stopped.
   */
  async deleteBrand(tenantId: string, brandId: string): Promise<{ brand: BrandRecord; removedFromUsers: number }> {
    const brand = await this.store.markBrandDeleting(tenantId, brandId);
    if (!brand) throw new Refusal('unknown-brand', { tenantId, brandId });
    await this.removeBrandFromMappings(tenantId, brand);
    let removedFromUsers = 0;
    for (const userId of await this.store.usersListingBrand(tenantId, brandId)) {
      try {
        const changed = await this.changeAccess(tenantId, userId, (access) => ({
          access: withoutBrand(access, brandId),
          action: 'user.brands',
          details: { reason: `brand ${brandId} (${brand.name}) deleted` },
        }));
        if (changed) removedFromUsers += 1;
      } catch (error) {
        // A user deleted meanwhile holds nothing any more.
        if (!(error instanceof Refusal && error.code === 'unknown-user')) throw error;
      }
    }
    await this.store.removeBrand(
      tenantId,
      brandId,
      this.entry('brand.delete', { brandId, name: brand.name, removedFromUsers }),
    );
    return { brand, removedFromUsers };
  }

  // Roles

  async createRole(tenantId: string, name: string, description: string): Promise<RoleRecord> {
    const problem = roleNameProblem(name);
    if (problem === 'built-in') throw new Refusal('built-in-role', { role: tidyRoleName(name) });
    if (problem) throw new Refusal('invalid-role-name', { role: name });
    checkText('description', description, MAX_DESCRIPTION_LENGTH, true);
    const tidy = tidyRoleName(name);
    const role: RoleRecord = {
      key: roleKey(tidy),
      name: tidy,
      description,
      builtIn: false,
      createdAt: this.timestamp(),
    };
    try {
      await this.store.putRole(tenantId, role, this.entry('role.create', { role: tidy, description }));
    } catch (error) {
      if (error instanceof TenantMissingError) throw new Refusal('unknown-tenant', { tenantId });
      if (error instanceof AlreadyExistsError) {
        const existing = await this.store.findRole(tenantId, role.key);
        throw new Refusal('duplicate-role', { tenantId, role: existing?.name ?? tidy });
      }
      throw error;
    }
    return role;
  }

  /** The built-in roles first, then the tenant's own, oldest first. */
  async listRoles(tenantId: string): Promise<RoleRecord[]> {
    const custom = (await this.store.listRoles(tenantId)).sort(
      (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.key.localeCompare(b.key),
    );
    return [...BUILT_IN_ROLES.map((role) => ({ key: role.name, ...role, builtIn: true })), ...custom];
  }

  /** A role by its name in any letter case; the built-in roles included. */
  async findRole(tenantId: string, name: string): Promise<RoleRecord> {
    const builtIn = builtInRole(name);
    if (builtIn) return { key: builtIn.name, ...builtIn, builtIn: true };
    const role = await this.store.findRole(tenantId, roleKey(name));
    if (!role) throw new Refusal('unknown-role', { tenantId, role: tidyRoleName(name) });
    return role;
  }

  /** Deletes a custom role that no user holds; otherwise refuses and names some who hold it. */
  async deleteRole(tenantId: string, name: string): Promise<RoleRecord> {
    if (builtInRole(name)) throw new Refusal('built-in-role', { role: roleKey(name) });
    const key = roleKey(name);
    const role = await this.store.markRoleDeleting(tenantId, key);
    if (!role) throw new Refusal('unknown-role', { tenantId, role: tidyRoleName(name) });
    await this.refuseWhileMapped(tenantId, role, 'delete');
    await this.refuseWhileHeld(tenantId, role, 'delete');
    await this.store.removeRole(tenantId, key, this.entry('role.delete', { role: role.name }));
    return role;
  }

  /**
   * Renames a custom role, and moves every user who holds it and every group mapping that gives it to the new
   * name (a change of letter case only is a rename too). Users hold a role by its name, so: the old role is
   * marked "renaming to <new>" first (nobody can be given it from then on, and a rename to another name is
   * refused until this one finishes), the new role is created, the mappings are moved (before the users, so
   * no recomputation gives the old name back), then each holder in a write of its own, conditional on the
   * version read and on the new role being usable, recorded as `user.role` with cause `role.rename`; the old
   * role goes last, in one write with the `role.rename` entry. Until then the old name stays a valid role
   * that its remaining holders keep. Interrupted, the role stays marked; the same rename run again carries on.
   */
  async renameRole(tenantId: string, name: string, newName: string): Promise<RoleRename> {
    if (builtInRole(name)) throw new Refusal('built-in-role', { role: roleKey(name) });
    const problem = roleNameProblem(newName);
    if (problem === 'built-in') throw new Refusal('built-in-role', { role: roleKey(newName) });
    if (problem) throw new Refusal('invalid-role-name', { role: newName });
    const key = roleKey(name);
    const tidy = tidyRoleName(newName);
    const newKey = roleKey(tidy);
    const marked = await this.store.markRoleRenaming(tenantId, key, tidy);
    if (!marked) throw new Refusal('unknown-role', { tenantId, role: tidyRoleName(name) });
    const { role } = marked;
    if (marked.to !== tidy) throw new Refusal('role-renaming', { role: role.name, to: marked.to });
    if (role.name === tidy) {
      await this.store.unmarkRoleRenaming(tenantId, key, tidy);
      return { role, from: role.name, movedUsers: 0, movedMappings: 0 };
    }
    const renamed: RoleRecord = { ...role, key: newKey, name: tidy };
    if (newKey !== key) {
      try {
        await this.store.putRenamedRole(tenantId, renamed, marked.renameId);
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        await this.store.unmarkRoleRenaming(tenantId, key, tidy);
        const existing = await this.store.findRole(tenantId, newKey);
        throw new Refusal('duplicate-role', { tenantId, role: existing?.name ?? tidy });
      }
    }
    const { movedUsers, movedMappings } = await this.moveRole(tenantId, role, renamed);
    await this.store.finishRoleRename(
      tenantId,
      key,
      renamed,
      this.entry('role.rename', { role: { from: role.name, to: tidy }, movedUsers, movedMappings }),
    );
    return { role: renamed, from: role.name, movedUsers, movedMappings };
  }

  // Users

  /** A user by id, or by email (the userName first, then a single user with that email address). */
  async findUser(tenantId: string, idOrEmail: string): Promise<UserRecord> {
    const byId = await this.store.users.get(tenantId, idOrEmail);
    if (byId) return byId;
    const key = foldCase(idOrEmail.trim());
    const [byUserName] = await this.store.users.findByKeys(tenantId, [{ kind: 'userName', value: key }]);
    if (byUserName) return byUserName;
    const byEmail = await this.store.users.findByKeys(tenantId, [{ kind: 'email', value: key }]);
    if (byEmail.length > 1) {
      throw new Refusal('ambiguous-user', { user: idOrEmail, userIds: byEmail.map((user) => user.id) });
    }
    const [only] = byEmail;
    if (!only) throw new Refusal('unknown-user', { tenantId, user: idOrEmail });
    return only;
  }

  /** Creates an ordinary user through the SCIM core, so SCIM sees exactly what it would have created. */
  async createUser(
    tenantId: string,
    profile: { email: string; givenName?: string; familyName?: string },
  ): Promise<UserRecord> {
    const name = {
      ...(profile.givenName ? { givenName: profile.givenName } : {}),
      ...(profile.familyName ? { familyName: profile.familyName } : {}),
    };
    const store = this.store.recordingUsers((record) => ({
      at: record.created,
      actor: this.actor,
      action: 'user.create',
      userId: record.id,
      details: { userName: record.attributes.userName, role: record.access.role, brands: brandsText(record.access) },
    }));
    return createUser(
      { store, tenantId, now: this.now },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: profile.email,
        ...(Object.keys(name).length > 0 ? { name } : {}),
        emails: [{ value: profile.email, type: 'work', primary: true }],
        active: true,
      },
    );
  }

  /**
   * Gives a user a role, named in any letter case. Demoting the tenant's last admin is refused: the change is
   * written together with a check that another user still holds `admin`, so two admins demoting each other
   * at once cannot both win.
   */
  async setRole(tenantId: string, userId: string, roleName: string, reason?: string): Promise<UserRecord> {
    const role = await this.findRole(tenantId, roleName);
    if (role.name !== ADMIN_ROLE) await this.refuseInGroupsMode(tenantId);
    const record = await this.changeAccess(tenantId, userId, async (access) => {
      const conditions: AccessCondition[] = [];
      const failures: (Refusal | undefined)[] = [];
      if (!role.builtIn) {
        conditions.push({ kind: 'role-usable', roleKey: role.key });
        failures.push(new Refusal('unknown-role', { tenantId, role: role.name }));
      }
      if (access.role === ADMIN_ROLE && role.name !== ADMIN_ROLE) {
        const otherAdmin = (await this.store.usersWithRole(tenantId, ADMIN_ROLE)).find((admin) => admin.id !== userId);
        if (!otherAdmin) throw new Refusal('last-admin', { tenantId });
        conditions.push({ kind: 'holds-role', userId: otherAdmin.id, role: ADMIN_ROLE });
        failures.push(undefined);
      }
      // A role given here is a direct one (no group gave it): in `groups` mode, a direct admin is kept.
      return {
        access: { role: role.name, allBrands: access.allBrands, brands: access.brands },
        action: 'user.role',
        conditions,
        failures,
        details: reason ? { reason } : {},
      };
    });
    return record ?? this.findUser(tenantId, userId);
  }

  async setBrands(tenantId: string, userId: string, brands: readonly string[] | 'all'): Promise<UserRecord> {
    await this.refuseInGroupsMode(tenantId);
    const record = await this.changeAccess(tenantId, userId, (access) => {
      const next = withBrands(access, brands);
      return {
        access: next,
        action: 'user.brands',
        conditions: next.brands.map((brandId) => ({ kind: 'brand-usable', brandId }) as const),
        failures: next.brands.map((brandId) => new Refusal('unknown-brand', { tenantId, brandId })),
      };
    });
    return record ?? this.findUser(tenantId, userId);
  }

  /**
   * Sets the given and family name of a user (other parts of `name` are kept), so that what SCIM lists for
   * the user has them (Okta's first check reads `name.givenName` and `name.familyName` of the first user).
   */
  async setName(
    tenantId: string,
    userId: string,
    names: { readonly givenName: string; readonly familyName: string },
  ): Promise<UserRecord> {
    checkText('givenName', names.givenName, MAX_NAME_LENGTH);
    checkText('familyName', names.familyName, MAX_NAME_LENGTH);
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.store.users.get(tenantId, userId);
      if (!current) throw new Refusal('unknown-user', { tenantId, user: userId });
      const before = isPlainObject(current.attributes.name) ? current.attributes.name : {};
      if (before.givenName === names.givenName && before.familyName === names.familyName) return current;
      const at = this.timestamp();
      const next: UserRecord = {
        ...current,
        version: current.version + 1,
        lastModified: at,
        attributes: { ...current.attributes, name: { ...before, ...names } },
      };
      const audit: AuditEntry = {
        at,
        actor: this.actor,
        action: 'user.name',
        userId,
        details: {
          name: {
            from: { givenName: before.givenName ?? null, familyName: before.familyName ?? null },
            to: { ...names },
          },
        },
      };
      if ((await this.store.writeProfile(tenantId, current, next, audit)).written) return next;
      await pause(attempt);
    }
    throw new Refusal('concurrent-change', { tenantId, user: userId });
  }

  /** The user's latest recorded changes, newest first. */
  recentChanges(tenantId: string, userId: string, limit = RECENT_CHANGES): Promise<AuditEntry[]> {
    return this.store.changes(tenantId, userId, limit);
  }

  /** The tenant's brand and role changes, newest first. */
  tenantChanges(tenantId: string, limit = RECENT_CHANGES): Promise<AuditEntry[]> {
    return this.store.changes(tenantId, undefined, limit);
  }

  /** An entry of the audit trail made now by this service's actor. */
  entry(action: AuditAction, details: Record<string, unknown>, userId?: string): AuditEntry {
    return {
      at: this.timestamp(),
      actor: this.actor,
      action,
      ...(userId !== undefined ? { userId } : {}),
      details,
    };
  }

  /**
   * Read, change and write one user's access conditionally on the version read, retried on a fresh read
   * when another write came first. Returns the written record, or undefined when nothing changed (nothing is
   * written or recorded then).
   */
  private async changeAccess(
    tenantId: string,
    userId: string,
    decide: (access: UserRecord['access']) => AccessDecision | Promise<AccessDecision>,
  ): Promise<UserRecord | undefined> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.store.users.get(tenantId, userId);
      if (!current) throw new Refusal('unknown-user', { tenantId, user: userId });
      const decision = await decide(current.access);
      if (sameAccess(decision.access, current.access)) return undefined;
      const at = this.timestamp();
      const next: UserRecord = { ...current, version: current.version + 1, lastModified: at, access: decision.access };
      const audit: AuditEntry = {
        at,
        actor: this.actor,
        action: decision.action,
        userId,
        details: { ...accessChange(current.access, decision.access), ...decision.details },
      };
      const outcome: ConditionalWrite = await this.store.writeAccess(
        tenantId,
        current,
        next,
        decision.conditions ?? [],
        audit,
      );
      if (outcome.written) return next;
      if (outcome.conflict === 'condition') {
        const failure = decision.failures?.[outcome.index];
        if (failure) throw failure;
      }
      await pause(attempt);
    }
    throw new Refusal('concurrent-change', { tenantId, user: userId });
  }

  /** In `groups` mode roles (but a direct admin) and brands come from group mappings, not from admins. */
  private async refuseInGroupsMode(tenantId: string): Promise<void> {
    if ((await this.groupAccess?.settings(tenantId))?.source === 'groups') {
      throw new Refusal('access-from-groups', { tenantId });
    }
  }

  /** Unmarks a role marked for `action` and refuses while group mappings give it. */
  private async refuseWhileMapped(tenantId: string, role: RoleRecord, action: 'delete'): Promise<void> {
    const mapped = (await this.groupAccess?.mappings(tenantId))?.filter(
      (mapping) => mapping.role !== undefined && roleKey(mapping.role.name) === role.key,
    );
    if (!mapped || mapped.length === 0) return;
    await this.store.unmarkRoleDeleting(tenantId, role.key);
    throw new Refusal('role-mapped', { role: role.name, groups: mapped.map((mapping) => mapping.groupId), action });
  }

  /** Unmarks a role marked for `action` and refuses while users hold it, naming how many and some of them. */
  private async refuseWhileHeld(tenantId: string, role: RoleRecord, action: 'delete'): Promise<void> {
    const holders = await this.store.usersWithRole(tenantId, role.name);
    if (holders.length === 0) return;
    await this.store.unmarkRoleDeleting(tenantId, role.key);
    throw new Refusal('role-in-use', {
      role: role.name,
      holders: holders.length,
      examples: holders.slice(0, 3).map((holder) => holder.userName),
      action,
    });
  }

  /** The group mappings that give `from` give `to` instead (priorities kept); how many. */
  private async moveRoleInMappings(tenantId: string, from: RoleRecord, to: RoleRecord): Promise<number> {
    if (!this.groupAccess) return 0;
    let moved = 0;
    for (const mapping of await this.groupAccess.mappings(tenantId)) {
      if (!mapping.role || roleKey(mapping.role.name) !== from.key || mapping.role.name === to.name) continue;
      await this.groupAccess.putMapping(
        tenantId,
        { ...mapping, role: { name: to.name, priority: mapping.role.priority }, updatedAt: this.timestamp() },
        this.entry('group.map', {
          groupId: mapping.groupId,
          role: { from: from.name, to: to.name },
          reason: `role ${from.name} renamed to ${to.name}`,
          cause: 'role.rename',
        }),
      );
      moved += 1;
    }
    return moved;
  }

  /**
   * The mappings that give `from`, then the users who hold it, are moved to `to`, and both looked up again
   * until none is left: a `group map` or a group recomputation that read the role or the mappings before they
   * moved may write the old name after the first look.
   */
  private async moveRole(
    tenantId: string,
    from: RoleRecord,
    to: RoleRecord,
  ): Promise<{ movedUsers: number; movedMappings: number }> {
    let movedUsers = 0;
    let movedMappings = 0;
    for (let pass = 1; pass <= WRITE_ATTEMPTS; pass += 1) {
      const mappings = await this.moveRoleInMappings(tenantId, from, to);
      const holders = await this.store.usersWithRole(tenantId, from.name);
      if (mappings === 0 && holders.length === 0) return { movedUsers, movedMappings };
      movedMappings += mappings;
      movedUsers += await this.moveEach(tenantId, holders, from, to);
    }
    throw new Refusal('concurrent-change', { tenantId, role: from.name });
  }

  private async moveEach(
    tenantId: string,
    holders: readonly { id: string }[],
    from: RoleRecord,
    to: RoleRecord,
  ): Promise<number> {
    let moved = 0;
    for (const holder of holders) {
      try {
        const changed = await this.changeAccess(tenantId, holder.id, (access) => ({
          // A user given another role meanwhile keeps it.
          access: access.role === from.name ? { ...access, role: to.name } : access,
          action: 'user.role',
          // The new role must still be there (a change of letter case keeps the one role, marked meanwhile).
          conditions: to.key === from.key ? [] : [{ kind: 'role-usable', roleKey: to.key }],
          failures: [new Refusal('concurrent-change', { tenantId, role: from.name })],
          details: { reason: `role ${from.name} renamed to ${to.name}`, cause: 'role.rename' },
        }));
        if (changed) moved += 1;
      } catch (error) {
        // A user deleted meanwhile holds nothing any more.
        if (!(error instanceof Refusal && error.code === 'unknown-user')) throw error;
      }
    }
    return moved;
  }

  /** A deleted brand leaves the group mappings that list it (before the users, so no recomputation gives it back). */
  private async removeBrandFromMappings(tenantId: string, brand: BrandRecord): Promise<void> {
    if (!this.groupAccess) return;
    for (const mapping of await this.groupAccess.mappings(tenantId)) {
      if (!Array.isArray(mapping.brands) || !mapping.brands.includes(brand.brandId)) continue;
      const brands = mapping.brands.filter((brandId) => brandId !== brand.brandId);
      const { brands: _brands, ...rest } = mapping;
      await this.groupAccess.putMapping(
        tenantId,
        { ...rest, ...(brands.length > 0 ? { brands } : {}), updatedAt: this.timestamp() },
        this.entry('group.map', {
          groupId: mapping.groupId,
          brands: { from: [...mapping.brands], to: brands.length > 0 ? brands : null },
          reason: `brand ${brand.brandId} (${brand.name}) deleted`,
        }),
      );
    }
  }

  private async orUnknownTenant(tenantId: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (error instanceof TenantMissingError) throw new Refusal('unknown-tenant', { tenantId });
      throw error;
    }
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

/** Refuses a name or description that could not be shown or stored as it is. */
export function checkText(field: string, value: string, maxLength: number, allowEmpty = false): void {
  if (!isAcceptableText(value, maxLength, allowEmpty)) throw new Refusal('invalid-value', { field, maxLength });
}
