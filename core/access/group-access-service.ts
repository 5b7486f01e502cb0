import { displayNameKey } from '../scim/group-attributes';
import type { GroupRecord } from '../scim/group-record';
import type { GroupStore } from '../scim/group-store';
import { isUserId } from '../scim/ids';
import type { UserRecord } from '../scim/user-record';
import { ADMIN_ROLE, type AuditAction, type AuditEntry, accessChange, sameAccess } from './access-model';
import { type AccessSource, type GroupMapping, grantFromGroups, MAX_GROUP_MAPPINGS } from './group-access';
import type { AccessCondition, AccessSettings, AccessWrites, GroupAccessStore, RecomputeJob } from './ports';
import { Refusal } from './refusal';

const WRITE_ATTEMPTS = 10;
/** Users recomputed at once, and between two saves of a job's progress. */
const PARALLEL_RECOMPUTES = 8;
export const RECOMPUTE_PAGE = 100;
/** A skipped-members audit entry keeps at most this many ids (the count is always complete). */
export const RECORDED_SKIPPED_IDS = 20;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));

/** Why a user's access is recomputed, as the audit trail records it. */
export interface AccessCause {
  readonly reason: string;
  readonly group?: { readonly id: string; readonly displayName?: string };
  /** The SCIM request that changed the membership, and the OAuth client that sent it. */
  readonly request?: string;
  readonly client?: string;
}

/** A group with its mapping, as `group list` shows it; a mapping whose group was deleted has no `group`. */
export interface MappedGroup {
  readonly groupId: string;
  readonly group?: GroupRecord;
  readonly mapping?: GroupMapping;
}

export interface RecomputeProgress {
  readonly recomputed: number;
  readonly changed: number;
  readonly finished: boolean;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Roles and brands that follow the identity provider's groups: the tenant's access source, the group
 * mappings, and the recomputation of users' access (see group-access.ts for the rule). A recomputation always
 * starts from what is stored (the user at a version, then its memberships, then the mappings) and writes
 * conditionally on that version, so two membership changes racing on one user can never leave the result of
 * the older view: the later write fails and is recomputed.
 */
export class GroupAccessService {
  constructor(
    private readonly deps: {
      readonly writes: AccessWrites;
      /** Only reads of the groups (a recomputation never writes one). */
      readonly groups: Pick<
        GroupStore,
        'get' | 'members' | 'groupIdsOf' | 'findByKeys' | 'readAll' | 'pageAfter' | 'getMany'
      >;
      readonly settings: GroupAccessStore;
    },
    /** Who makes the changes, as the audit trail records it. */
    readonly actor: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async source(tenantId: string): Promise<AccessSource> {
    return (await this.deps.settings.settings(tenantId)).source;
  }

  /** The tenant's access source and its pending recomputation, if one did not finish. */
  async settings(tenantId: string): Promise<AccessSettings> {
    return this.deps.settings.settings(tenantId);
  }

  /**
   * One page of the tenant's groups in creation order, each with its mapping (the store's cursor page, never
   * a scan), and whether more follow.
   */
  async pageGroups(
    tenantId: string,
    afterId: string | undefined,
    count: number,
  ): Promise<{ groups: MappedGroup[]; more: boolean }> {
    const [page, mappings] = await Promise.all([
      this.deps.groups.pageAfter(tenantId, afterId, count),
      this.deps.settings.mappings(tenantId),
    ]);
    const byGroup = new Map(mappings.map((mapping) => [mapping.groupId, mapping]));
    return {
      groups: page.records.map((group) => {
        const mapping = byGroup.get(group.id);
        return { groupId: group.id, group, ...(mapping ? { mapping } : {}) };
      }),
      more: page.more,
    };
  }

  /** Mappings whose group was deleted (an interrupted group deletion leaves them): at most MAX_GROUP_MAPPINGS. */
  async orphanMappings(tenantId: string): Promise<GroupMapping[]> {
    const mappings = await this.deps.settings.mappings(tenantId);
    if (mappings.length === 0) return [];
    const existing = new Set(
      (
        await this.deps.groups.getMany(
          tenantId,
          mappings.map((mapping) => mapping.groupId),
        )
      ).map((group) => group.id),
    );
    return mappings.filter((mapping) => !existing.has(mapping.groupId));
  }

  /** The tenant's groups with their mappings (by displayName), then mappings whose group is gone. */
  async listGroups(tenantId: string): Promise<MappedGroup[]> {
    const [groups, mappings] = await Promise.all([
      this.deps.groups.readAll(tenantId),
      this.deps.settings.mappings(tenantId),
    ]);
    const byGroup = new Map(mappings.map((mapping) => [mapping.groupId, mapping]));
    const listed: MappedGroup[] = groups
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id))
      .map((group) => {
        const mapping = byGroup.get(group.id);
        byGroup.delete(group.id);
        return { groupId: group.id, group, ...(mapping ? { mapping } : {}) };
      });
    return [...listed, ...[...byGroup.values()].map((mapping) => ({ groupId: mapping.groupId, mapping }))];
  }

  /** A group by id or by displayName (in any letter case); a mapping left by a deleted group by its id. */
  async findGroup(tenantId: string, idOrName: string): Promise<MappedGroup> {
    const text = idOrName.trim();
    const byId = isUserId(text) ? await this.deps.groups.get(tenantId, text) : undefined;
    const group =
      byId ??
      (await this.deps.groups.findByKeys(tenantId, [{ kind: 'displayName', value: displayNameKey(text) }])).find(
        (candidate) => displayNameKey(candidate.displayName) === displayNameKey(text),
      );
    if (group) {
      const mapping = await this.deps.settings.mapping(tenantId, group.id);
      return { groupId: group.id, group, ...(mapping ? { mapping } : {}) };
    }
    const orphan = isUserId(text) ? await this.deps.settings.mapping(tenantId, text) : undefined;
    if (orphan) return { groupId: text, mapping: orphan };
    throw new Refusal('unknown-group', { tenantId, group: text });
  }

  /**
   * Maps a group to a role (with a priority) and/or brands; what is not given keeps its earlier mapping. The
   * role and brands must have been checked to exist by the caller (they live with the tenant's roles and
   * brands). In `groups` mode the group's members are recomputed (see `continueRecompute`).
   */
  async map(
    tenantId: string,
    groupIdOrName: string,
    change: { readonly role?: { name: string; priority: number }; readonly brands?: readonly string[] | 'all' },
  ): Promise<{ mapping: GroupMapping; group: GroupRecord; progress?: RecomputeProgress }> {
    const found = await this.findGroup(tenantId, groupIdOrName);
    if (!found.group) throw new Refusal('unknown-group', { tenantId, group: groupIdOrName });
    if (!found.mapping && (await this.deps.settings.mappings(tenantId)).length >= MAX_GROUP_MAPPINGS) {
      throw new Refusal('too-many-mappings', { tenantId, limit: MAX_GROUP_MAPPINGS });
    }
    const before = found.mapping;
    const role = change.role ?? before?.role;
    const brands = change.brands ?? before?.brands;
    const mapping: GroupMapping = {
      groupId: found.groupId,
      ...(role ? { role } : {}),
      ...(brands !== undefined ? { brands: brands === 'all' ? 'all' : [...new Set(brands)] } : {}),
      updatedAt: this.timestamp(),
    };
    await this.deps.settings.putMapping(
      tenantId,
      mapping,
      this.entry('group.map', {
        groupId: found.groupId,
        displayName: found.group.displayName,
        ...mappingChange(before, mapping),
      }),
    );
    const progress = await this.afterMappingChange(
      tenantId,
      found.groupId,
      `mapping of group ${found.groupId} changed`,
    );
    return { mapping, group: found.group, ...(progress ? { progress } : {}) };
  }

  /** Removes a group's mapping; in `groups` mode its members lose what it gave. */
  async unmap(tenantId: string, groupIdOrName: string): Promise<{ groupId: string; progress?: RecomputeProgress }> {
    const found = await this.findGroup(tenantId, groupIdOrName);
    if (!found.mapping) throw new Refusal('unmapped-group', { tenantId, group: groupIdOrName });
    const removed = await this.deps.settings.removeMapping(
      tenantId,
      found.groupId,
      this.entry('group.unmap', {
        groupId: found.groupId,
        ...(found.group ? { displayName: found.group.displayName } : {}),
        ...mappingChange(found.mapping, undefined),
      }),
    );
    if (!removed) throw new Refusal('unmapped-group', { tenantId, group: groupIdOrName });
    const progress = await this.afterMappingChange(tenantId, found.groupId, `group ${found.groupId} unmapped`);
    return { groupId: found.groupId, ...(progress ? { progress } : {}) };
  }

  /**
   * Chooses where access comes from. Switching to `groups` recomputes every user of the tenant (a job that
   * `continueRecompute` carries on after an interruption); switching to `admins` keeps everyone's current role
   * and brands, which from then on only admins change.
   */
  async setSource(
    tenantId: string,
    source: AccessSource,
    options: { readonly pages?: number } = {},
  ): Promise<{ changed: boolean; progress?: RecomputeProgress }> {
    const current = await this.deps.settings.settings(tenantId);
    if (current.source === source) {
      const progress = current.job ? await this.continueRecompute(tenantId, options) : undefined;
      return { changed: false, ...(progress ? { progress } : {}) };
    }
    const job: RecomputeJob | undefined =
      source === 'groups' ? this.newJob('all', undefined, 'access source switched to groups') : undefined;
    await this.deps.settings.writeSettings(
      tenantId,
      { source, ...(job ? { job } : {}) },
      this.entry('tenant.access-source', { source: { from: current.source, to: source } }),
    );
    const progress = job ? await this.continueRecompute(tenantId, options) : undefined;
    return { changed: true, ...(progress ? { progress } : {}) };
  }

  /**
   * Carries on the tenant's pending recomputation from the last user it saved, page by page, saving its
   * progress after each page; without a pending one, recomputes every user (in `groups` mode). Safe to run
   * again at any time: a recomputation of a user that is already right writes nothing but its version.
   */
  async continueRecompute(tenantId: string, options: { readonly pages?: number } = {}): Promise<RecomputeProgress> {
    let settings = await this.deps.settings.settings(tenantId);
    if (settings.source !== 'groups') return { recomputed: 0, changed: 0, finished: true };
    if (!settings.job) {
      settings = { ...settings, job: this.newJob('all', undefined, 'recomputation asked for') };
      await this.deps.settings.writeSettings(tenantId, settings);
    }
    let job = settings.job as RecomputeJob;
    const cause: AccessCause = {
      reason: job.reason,
      ...(job.groupId ? { group: { id: job.groupId } } : {}),
    };
    let recomputed = 0;
    let changed = 0;
    for (let page = 0; options.pages === undefined || page < options.pages; page += 1) {
      const { userIds, more } = await this.jobPage(tenantId, job);
      await inParallel(userIds, PARALLEL_RECOMPUTES, async (userId) => {
        if (await this.recomputeUser(tenantId, userId, cause)) changed += 1;
        recomputed += 1;
      });
      const last = userIds.at(-1);
      if (!more || last === undefined) {
        await this.deps.settings.writeSettings(tenantId, { source: settings.source });
        return { recomputed, changed, finished: true };
      }
      job = { ...job, after: last };
      await this.deps.settings.writeSettings(tenantId, { source: settings.source, job });
    }
    return { recomputed, changed, finished: false };
  }

  /**
   * After SCIM changed the memberships of these users in the group: in `groups` mode, if the group is mapped,
   * their access is recomputed with this cause. Returns how many users' access changed.
   */
  async membershipsChanged(
    tenantId: string,
    groupId: string,
    userIds: readonly string[],
    cause: AccessCause,
  ): Promise<number> {
    if (userIds.length === 0 || !(await this.follows(tenantId, groupId))) return 0;
    let changed = 0;
    await inParallel(userIds, PARALLEL_RECOMPUTES, async (userId) => {
      if (await this.recomputeUser(tenantId, userId, cause)) changed += 1;
    });
    return changed;
  }

  /** Whether membership changes of the group change anyone's access: `groups` mode and a mapped group. */
  async follows(tenantId: string, groupId: string): Promise<boolean> {
    const [settings, mapping] = await Promise.all([
      this.deps.settings.settings(tenantId),
      this.deps.settings.mapping(tenantId, groupId),
    ]);
    return settings.source === 'groups' && mapping !== undefined;
  }

  /** After a mapped group was deleted (its members already recomputed): its mapping goes too. */
  async groupDeleted(tenantId: string, group: GroupRecord): Promise<void> {
    const mapping = await this.deps.settings.mapping(tenantId, group.id);
    if (!mapping) return;
    await this.deps.settings.removeMapping(
      tenantId,
      group.id,
      this.entry('group.unmap', {
        groupId: group.id,
        displayName: group.displayName,
        reason: 'group deleted',
        ...mappingChange(mapping, undefined),
      }),
    );
  }

  /** Keeps the member ids a group write skipped in the tenant's audit trail (bounded), with the request. */
  async recordSkippedMembers(
    tenantId: string,
    group: { readonly id: string; readonly displayName?: string } | undefined,
    skipped: readonly string[],
    cause: Omit<AccessCause, 'reason' | 'group'>,
  ): Promise<void> {
    if (skipped.length === 0) return;
    await this.deps.writes.record(
      tenantId,
      this.entry('group.members-skipped', {
        ...(group ? { groupId: group.id, ...(group.displayName ? { displayName: group.displayName } : {}) } : {}),
        skippedMembers: skipped.length,
        skippedMemberIds: skipped.slice(0, RECORDED_SKIPPED_IDS).map((id) => id.slice(0, 256)),
        ...cause,
      }),
    );
  }

  /**
   * Recomputes one user's access from its stored memberships; whether it changed. A user that is gone has
   * nothing to recompute. The write is conditional on the version read before the memberships, and made even
   * when nothing changed (the version alone), so that a recomputation that read older memberships cannot
   * overwrite a newer one afterwards.
   */
  async recomputeUser(tenantId: string, userId: string, cause: AccessCause): Promise<boolean> {
    const outcome = await this.recompute(tenantId, userId, cause, 'keep-direct-admin');
    return outcome?.changed === true;
  }

  /**
   * Makes a user's access follow its groups again, dropping a direct `admin` role (break-glass); refused for
   * the tenant's last admin when the groups would not keep it admin.
   */
  async releaseDirectAdmin(tenantId: string, userId: string): Promise<UserRecord> {
    const outcome = await this.recompute(
      tenantId,
      userId,
      { reason: 'direct admin role released to the groups' },
      'release-direct-admin',
    );
    if (!outcome) throw new Refusal('unknown-user', { tenantId, user: userId });
    return outcome.record;
  }

  private async recompute(
    tenantId: string,
    userId: string,
    cause: AccessCause,
    mode: 'keep-direct-admin' | 'release-direct-admin',
  ): Promise<{ record: UserRecord; changed: boolean } | undefined> {
    const { writes, groups, settings } = this.deps;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt += 1) {
      const current = await writes.users.get(tenantId, userId);
      if (!current) return undefined;
      const [groupIds, mappings] = await Promise.all([
        groups.groupIdsOf(tenantId, userId),
        settings.mappings(tenantId),
      ]);
      const grant = grantFromGroups(current.access, new Set(groupIds), mappings, {
        keepDirectAdmin: mode === 'keep-direct-admin',
      });
      let access = grant.access;
      const conditions: AccessCondition[] = [];
      const details: Record<string, unknown> = {};
      if (current.access.role === ADMIN_ROLE && access.role !== ADMIN_ROLE) {
        const other = (await writes.usersWithRole(tenantId, ADMIN_ROLE)).find((admin) => admin.id !== userId);
        if (other) {
          conditions.push({ kind: 'holds-role', userId: other.id, role: ADMIN_ROLE });
        } else if (mode === 'release-direct-admin') {
          throw new Refusal('last-admin', { tenantId });
        } else {
          // The last admin keeps the role, from now on as a direct one that an admin can release later.
          access = { role: ADMIN_ROLE, allBrands: access.allBrands, brands: access.brands };
          details.keptAdmin = 'last admin of the tenant';
        }
      }
      const changed = !sameAccess(access, current.access);
      const at = this.timestamp();
      const next: UserRecord = {
        ...current,
        version: current.version + 1,
        lastModified: changed ? at : current.lastModified,
        access,
      };
      const direct = access.role === ADMIN_ROLE && access.roleGroup === undefined;
      const audit: AuditEntry | undefined = changed
        ? {
            at,
            actor: this.actor,
            action: 'user.access',
            userId,
            details: {
              ...accessChange(current.access, access),
              ...details,
              grantedBy: {
                role: access.roleGroup ?? (direct ? 'direct' : 'default'),
                brands: grant.brandGroups.length > 0 ? [...grant.brandGroups] : 'default',
              },
              cause: { ...cause },
            },
          }
        : undefined;
      const outcome = await writes.writeAccess(tenantId, current, next, conditions, audit);
      if (outcome.written) return { record: next, changed };
      await pause(attempt);
    }
    throw new Refusal('concurrent-change', { tenantId, user: userId });
  }

  private async afterMappingChange(
    tenantId: string,
    groupId: string,
    reason: string,
  ): Promise<RecomputeProgress | undefined> {
    const settings = await this.deps.settings.settings(tenantId);
    if (settings.source !== 'groups') return undefined;
    // One job at a time: a second one while another is pending becomes a recomputation of everyone.
    const job = settings.job
      ? this.newJob('all', undefined, `${settings.job.reason}; ${reason}`)
      : this.newJob('group', groupId, reason);
    await this.deps.settings.writeSettings(tenantId, { source: settings.source, job });
    return this.continueRecompute(tenantId);
  }

  private async jobPage(tenantId: string, job: RecomputeJob): Promise<{ userIds: string[]; more: boolean }> {
    if (job.scope === 'all') {
      const page = await this.deps.writes.users.pageAfter(tenantId, job.after, RECOMPUTE_PAGE);
      return { userIds: page.records.map((record) => record.id), more: page.more };
    }
    // Members come in user-id order; a group holds at most MAX_GROUP_MEMBERS.
    const members = (await this.deps.groups.members(tenantId, job.groupId as string))
      .map((member) => member.userId)
      .filter((userId) => job.after === undefined || userId > job.after);
    return { userIds: members.slice(0, RECOMPUTE_PAGE), more: members.length > RECOMPUTE_PAGE };
  }

  private newJob(scope: 'all' | 'group', groupId: string | undefined, reason: string): RecomputeJob {
    return {
      scope,
      ...(groupId ? { groupId } : {}),
      reason: reason.slice(0, 500),
      actor: this.actor,
      startedAt: this.timestamp(),
    };
  }

  private entry(action: AuditAction, details: Record<string, unknown>): AuditEntry {
    return { at: this.timestamp(), actor: this.actor, action, details };
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

function mappingView(mapping: GroupMapping | undefined): Record<string, unknown> {
  if (!mapping) return { role: null, priority: null, brands: null };
  return {
    role: mapping.role?.name ?? null,
    priority: mapping.role?.priority ?? null,
    brands: mapping.brands === undefined ? null : mapping.brands === 'all' ? 'all' : [...mapping.brands],
  };
}

/** The before and after of a mapping, as the audit trail records it. */
function mappingChange(before: GroupMapping | undefined, after: GroupMapping | undefined): Record<string, unknown> {
  const from = mappingView(before);
  const to = mappingView(after);
  const change: Record<string, unknown> = {};
  for (const key of Object.keys(to)) {
    if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) change[key] = { from: from[key], to: to[key] };
  }
  return change;
}
