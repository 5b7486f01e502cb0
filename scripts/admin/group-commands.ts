import {
  ACCESS_SOURCES,
  type AccessSource,
  type GroupMapping,
  isPriority,
  MAX_BRANDS_PER_MAPPING,
  MAX_PRIORITY,
  MIN_PRIORITY,
} from '../../core/access/group-access';
import type { MappedGroup, RecomputeProgress } from '../../core/access/group-access-service';
import { Refusal } from '../../core/access/refusal';
import { CliError } from './cli-error';
import {
  ACTOR_HELP,
  ACTOR_OPTION,
  accessServices,
  actorOf,
  type CommandContext,
  type CommandSpec,
  required,
  table,
} from './command-support';

/**
 * Roles and brands from the identity provider's groups: the groups SCIM pushed, their mappings to roles and
 * brands, and the tenant's access source. The rules are core/access/group-access.ts's.
 */
async function openTenant(context: CommandContext) {
  const tenantId = required(context, 'tenant');
  const services = accessServices(await context.connection(), actorOf(context));
  await services.access.requireTenant(tenantId);
  return { ...services, tenantId };
}

const TENANT = { tenant: { type: 'string' } } as const;

const RESUME_HELP =
  'Recomputing a large tenant takes a while; if the command is interrupted, run `tenant recompute-access` (or the same command again): it continues after the last user it saved.';

/** A mapping as the CLI shows it. */
const mappingView = (mapping: GroupMapping | undefined) =>
  mapping
    ? {
        role: mapping.role?.name ?? null,
        priority: mapping.role?.priority ?? null,
        brands: mapping.brands === undefined ? null : mapping.brands === 'all' ? 'all' : [...mapping.brands],
        updatedAt: mapping.updatedAt,
      }
    : null;

const groupView = (entry: MappedGroup) => ({
  groupId: entry.groupId,
  displayName: entry.group?.displayName ?? null,
  ...(entry.group?.externalId !== undefined ? { externalId: entry.group.externalId } : {}),
  members: entry.group?.memberCount ?? 0,
  deleted: entry.group === undefined,
  mapping: mappingView(entry.mapping),
});

const mappingText = (mapping: ReturnType<typeof mappingView>): string => {
  if (!mapping) return 'not mapped';
  const parts = [
    ...(mapping.role !== null ? [`role ${mapping.role} (priority ${mapping.priority})`] : []),
    ...(mapping.brands !== null
      ? [`brands ${mapping.brands === 'all' ? 'all' : (mapping.brands as string[]).join(' ')}`]
      : []),
  ];
  return parts.join(', ');
};

const progressText = (progress: RecomputeProgress | undefined): string =>
  progress === undefined
    ? ''
    : ` Recomputed ${progress.recomputed} user(s), ${progress.changed} changed${
        progress.finished ? '.' : '; not finished: run tenant recompute-access to continue.'
      }`;

/** `--priority`: a whole number in range; required with --role. */
function priorityOption(context: CommandContext): number {
  const text = required(context, 'priority').trim();
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!isPriority(value)) {
    throw new CliError(`--priority must be a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`, 2);
  }
  return value;
}

function mappingBrands(context: CommandContext): readonly string[] | 'all' | undefined {
  const brands = ((context.values.brand as string[] | undefined) ?? []).map((brand) => brand.trim());
  const all = context.values['all-brands'] === true;
  if (all && brands.length > 0) throw new CliError('Give either --all-brands or --brand, not both', 2);
  if (all) return 'all';
  if (brands.length === 0) return undefined;
  if (brands.some((brand) => brand === '')) throw new CliError('--brand needs a brand id', 2);
  if (new Set(brands).size > MAX_BRANDS_PER_MAPPING) {
    throw new CliError(
      `A group can be mapped to at most ${MAX_BRANDS_PER_MAPPING} brands; use --all-brands for every brand`,
      2,
    );
  }
  return brands;
}

function sourceOption(context: CommandContext): AccessSource {
  const source = required(context, 'source').trim();
  if (!(ACCESS_SOURCES as readonly string[]).includes(source)) {
    throw new CliError(`--source must be ${ACCESS_SOURCES.join(' or ')}`, 2);
  }
  return source as AccessSource;
}

export const groupCommands: readonly CommandSpec[] = [
  {
    group: 'group',
    action: 'list',
    summary: "list a tenant's groups and their mappings",
    usage: 'group list --tenant <tenantId> [--json]',
    details: [
      'The groups the identity provider pushed over SCIM, by displayName, with what each is mapped to; then',
      'mappings whose group was deleted (remove them with group unmap). Also prints the access source.',
      'With --json: {"accessSource": "admins"|"groups", "groups": [{"groupId", "displayName", "externalId"?,',
      '"members", "deleted", "mapping": {"role", "priority", "brands", "updatedAt"} or null}, ...]}.',
    ],
    options: { ...TENANT },
    run: async (context) => {
      const { groupAccess, tenantId } = await openTenant(context);
      const [accessSource, listed] = await Promise.all([
        groupAccess.source(tenantId),
        groupAccess.listGroups(tenantId),
      ]);
      const groups = listed.map(groupView);
      return {
        json: { accessSource, groups },
        text: [
          `Access source: ${accessSource}`,
          groups.length === 0
            ? 'No groups.'
            : table([
                ['GROUP ID', 'DISPLAY NAME', 'MEMBERS', 'MAPPING'],
                ...groups.map((g) => [
                  g.groupId,
                  g.displayName ?? '(group deleted)',
                  String(g.members),
                  mappingText(g.mapping),
                ]),
              ]),
        ].join('\n'),
      };
    },
  },
  {
    group: 'group',
    action: 'map',
    summary: 'map a group to a role and/or brands',
    usage:
      'group map --tenant <tenantId> --group <id or displayName> [--role <name> --priority <n>] [--brand <brandId> [--brand …] | --all-brands] [--actor <name>] [--json]',
    details: [
      'When the tenant takes access from groups (tenant set-access-source --source groups), a user’s role is',
      'the role of the highest-priority mapped group it belongs to (equal priorities: the smaller group id),',
      'else collaborator; its brands are the union of its mapped groups’ brands, else all brands. A direct',
      'admin role (given with user set-role) is kept whatever the groups say; the last admin is never demoted.',
      `--priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}, higher wins. What is not given keeps`,
      'its earlier mapping (map --role alone keeps the brands). In groups mode the group’s members are',
      'recomputed at once.',
      RESUME_HELP,
      ACTOR_HELP,
      'With --json: {"groupId", "displayName", "mapping": {...}, "recomputed"?: {"recomputed", "changed", "finished"}}.',
    ],
    options: {
      ...TENANT,
      group: { type: 'string' },
      role: { type: 'string' },
      priority: { type: 'string' },
      brand: { type: 'string', multiple: true },
      'all-brands': { type: 'boolean' },
      ...ACTOR_OPTION,
    },
    run: async (context) => {
      const group = required(context, 'group');
      const roleName = context.values.role === undefined ? undefined : required(context, 'role');
      if (roleName === undefined && context.values.priority !== undefined) {
        throw new CliError('--priority goes with --role', 2);
      }
      const priority = roleName === undefined ? undefined : priorityOption(context);
      const brands = mappingBrands(context);
      if (roleName === undefined && brands === undefined) {
        throw new CliError('Give --role with --priority, and/or --brand or --all-brands', 2);
      }
      const { access, groupAccess, tenantId } = await openTenant(context);
      const role = roleName === undefined ? undefined : await access.findRole(tenantId, roleName);
      if (Array.isArray(brands)) {
        const known = new Set((await access.listBrands(tenantId)).map((brand) => brand.brandId));
        const unknown = brands.find((brand) => !known.has(brand));
        if (unknown !== undefined) throw new Refusal('unknown-brand', { tenantId, brandId: unknown });
      }
      const result = await groupAccess.map(tenantId, group, {
        ...(role && priority !== undefined ? { role: { name: role.name, priority } } : {}),
        ...(brands !== undefined ? { brands } : {}),
      });
      const mapping = mappingView(result.mapping);
      return {
        json: {
          groupId: result.group.id,
          displayName: result.group.displayName,
          mapping,
          ...(result.progress ? { recomputed: result.progress } : {}),
        },
        text: `Group ${result.group.displayName} (${result.group.id}) mapped: ${mappingText(mapping)}.${progressText(result.progress)}`,
      };
    },
  },
  {
    group: 'group',
    action: 'unmap',
    summary: "remove a group's mapping",
    usage: 'group unmap --tenant <tenantId> --group <id or displayName> [--actor <name>] [--json]',
    details: [
      'The group then gives nothing; in groups mode its members lose exactly what it gave (recomputed at once).',
      'Also removes the mapping left by a deleted group (name it by id).',
      RESUME_HELP,
      ACTOR_HELP,
      'With --json: {"groupId", "unmapped": true, "recomputed"?: {...}}.',
    ],
    options: { ...TENANT, group: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const group = required(context, 'group');
      const { groupAccess, tenantId } = await openTenant(context);
      const result = await groupAccess.unmap(tenantId, group);
      return {
        json: { groupId: result.groupId, unmapped: true, ...(result.progress ? { recomputed: result.progress } : {}) },
        text: `Group ${result.groupId} unmapped.${progressText(result.progress)}`,
      };
    },
  },
  {
    group: 'tenant',
    action: 'set-access-source',
    summary: "choose where users' roles and brands come from",
    usage: 'tenant set-access-source --tenant <tenantId> --source admins|groups [--actor <name>] [--json]',
    details: [
      'admins (the default): admins set each user’s role and brands (user set-role, user set-brands); groups',
      'grant nothing. groups: the mapped groups do (see group map); admins can still give the admin role',
      'directly (break-glass), but no other role and no brands. Switching to groups recomputes every user;',
      'switching to admins keeps everyone’s current role and brands.',
      RESUME_HELP,
      ACTOR_HELP,
      'With --json: {"tenantId", "accessSource", "changed", "recomputed"?: {"recomputed", "changed", "finished"}}.',
    ],
    options: { ...TENANT, source: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const source = sourceOption(context);
      const { groupAccess, tenantId } = await openTenant(context);
      const result = await groupAccess.setSource(tenantId, source);
      return {
        json: {
          tenantId,
          accessSource: source,
          changed: result.changed,
          ...(result.progress ? { recomputed: result.progress } : {}),
        },
        text: `${result.changed ? 'Tenant now takes' : 'Tenant already takes'} access from ${source}.${progressText(result.progress)}`,
      };
    },
  },
  {
    group: 'tenant',
    action: 'recompute-access',
    summary: "recompute users' access from their groups (continues an interrupted run)",
    usage: 'tenant recompute-access --tenant <tenantId> [--actor <name>] [--json]',
    details: [
      'In groups mode: carries on the recomputation a switch of the source or a mapping change left',
      'unfinished, from the last user it saved; with none pending, recomputes every user of the tenant (use it',
      'after an interrupted deletion of a mapped group). Safe to run at any time. Does nothing in admins mode.',
      ACTOR_HELP,
      'With --json: {"tenantId", "recomputed", "changed", "finished": true}.',
    ],
    options: { ...TENANT, ...ACTOR_OPTION },
    run: async (context) => {
      const { groupAccess, tenantId } = await openTenant(context);
      const progress = await groupAccess.continueRecompute(tenantId);
      return {
        json: { tenantId, ...progress },
        text: `Recomputed ${progress.recomputed} user(s), ${progress.changed} changed.`,
      };
    },
  },
];
