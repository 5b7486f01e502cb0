import {
  ADMIN_ROLE,
  type AuditEntry,
  brandsText,
  MAX_BRANDS_PER_USER,
  MAX_DESCRIPTION_LENGTH,
  roleNameProblem,
} from '../../core/access/access-model';
import type { AccessService } from '../../core/access/access-service';
import type { RoleRecord } from '../../core/access/records';
import { ScimError } from '../../core/scim/errors';
import { type CompiledFilter, compileFilter, lookupKeys, matchesFilter } from '../../core/scim/filter';
import { compareIds } from '../../core/scim/sort';
import { emailKeys } from '../../core/scim/user-attributes';
import { type UserRecord, userRepresentation } from '../../core/scim/user-record';
import { CliError } from './cli-error';
import {
  ACTOR_HELP,
  ACTOR_OPTION,
  accessServices,
  actorOf,
  type CommandContext,
  type CommandSpec,
  displayName,
  emailOption,
  required,
  table,
} from './command-support';

/**
 * The access model from the CLI: brands, roles, and users' role and brand scoping — what the seed says an
 * admin of the tenant does in the app after provisioning. Every change is recorded in the audit trail.
 */
async function openTenant(
  context: CommandContext,
): Promise<{ access: AccessService; tenantId: string } & ReturnType<typeof accessServices>> {
  const tenantId = required(context, 'tenant');
  const actor = actorOf(context);
  const services = accessServices(await context.connection(), actor);
  await services.access.requireTenant(tenantId);
  return { ...services, tenantId };
}

/** A role as the CLI shows it: its name as typed, without the key storage uses. */
const roleView = ({ key: _key, ...role }: RoleRecord) => role;

const TENANT = { tenant: { type: 'string' } } as const;

/** A user as the CLI shows it: identity, status and access, without the rest of the SCIM profile. */
export function userView(record: UserRecord) {
  const { attributes, access } = record;
  const name = attributes.name as { givenName?: string; familyName?: string } | undefined;
  return {
    userId: record.id,
    userName: attributes.userName,
    ...(typeof attributes.externalId === 'string' ? { externalId: attributes.externalId } : {}),
    ...(name?.givenName !== undefined ? { givenName: name.givenName } : {}),
    ...(name?.familyName !== undefined ? { familyName: name.familyName } : {}),
    emails: emailKeys(attributes),
    active: attributes.active !== false,
    role: access.role,
    ...(access.roleGroup !== undefined ? { roleGroup: access.roleGroup } : {}),
    allBrands: access.allBrands,
    brands: [...access.brands],
    created: record.created,
    lastModified: record.lastModified,
  };
}

const brandsCell = (user: { allBrands: boolean; brands: readonly string[] }) => {
  const brands = brandsText(user);
  return brands === 'all' ? 'all' : brands.length === 0 ? 'none' : brands.join(' ');
};

const isChange = (value: unknown): value is { from: unknown; to: unknown } =>
  typeof value === 'object' && value !== null && 'from' in value && 'to' in value;

/** One audit entry on one line: the changes (from → to) first, then the other details, each in name order. */
function changeLine(entry: AuditEntry): string {
  const details = Object.entries(entry.details)
    .sort(([a, x], [b, y]) => Number(isChange(y)) - Number(isChange(x)) || a.localeCompare(b))
    .map(([key, value]) => {
      if (isChange(value)) return `${key} ${JSON.stringify(value.from)} → ${JSON.stringify(value.to)}`;
      return `${key} ${JSON.stringify(value)}`;
    })
    .join(', ');
  return `  ${entry.at}  ${entry.actor}  ${entry.action}  ${details}`;
}

/** `--brand` values: one or more ids, at most MAX_BRANDS_PER_USER. */
function brandList(context: CommandContext): readonly string[] | 'all' {
  const brands = ((context.values.brand as string[] | undefined) ?? []).map((brand) => brand.trim());
  const all = context.values.all === true;
  if (all && brands.length > 0) throw new CliError('Give either --all or --brand, not both', 2);
  if (all) return 'all';
  if (brands.length === 0) throw new CliError('Give --all, or one or more --brand <brandId>', 2);
  if (brands.some((brand) => brand === '')) throw new CliError('--brand needs a brand id', 2);
  if (new Set(brands).size > MAX_BRANDS_PER_USER) {
    throw new CliError(`A user can be given at most ${MAX_BRANDS_PER_USER} brands; use --all for every brand`, 2);
  }
  return brands;
}

function filterOption(text: string): CompiledFilter {
  try {
    return compileFilter(text);
  } catch (error) {
    if (error instanceof ScimError) throw new CliError(`--filter is not a valid SCIM filter: ${error.detail}`, 2);
    throw error;
  }
}

function optionalName(context: CommandContext, name: string): string | undefined {
  return context.values[name] === undefined ? undefined : displayName(context, name);
}

export const accessCommands: readonly CommandSpec[] = [
  {
    group: 'brand',
    action: 'create',
    summary: 'create a brand of a tenant',
    usage: 'brand create --tenant <tenantId> --name <name> [--actor <name>] [--json]',
    details: [
      'Users with all brands (the default) get the new brand at once. Brands are identified by their id.',
      ACTOR_HELP,
      'With --json: {"brandId": "..."}.',
    ],
    options: { ...TENANT, name: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const name = displayName(context, 'name');
      const { access, tenantId } = await openTenant(context);
      const brand = await access.createBrand(tenantId, name);
      return { json: { brandId: brand.brandId }, text: `Brand "${brand.name}" created: ${brand.brandId}` };
    },
  },
  {
    group: 'brand',
    action: 'list',
    summary: "list a tenant's brands",
    usage: 'brand list --tenant <tenantId> [--json]',
    details: ['With --json: {"brands": [{"brandId", "name", "createdAt"}, ...]}, oldest first.'],
    options: { ...TENANT },
    run: async (context) => {
      const { access, tenantId } = await openTenant(context);
      const brands = await access.listBrands(tenantId);
      return {
        json: { brands },
        text:
          brands.length === 0
            ? 'No brands.'
            : table([['BRAND ID', 'NAME', 'CREATED'], ...brands.map((b) => [b.brandId, b.name, b.createdAt])]),
      };
    },
  },
  {
    group: 'brand',
    action: 'rename',
    summary: 'give a brand a new name',
    usage: 'brand rename --tenant <tenantId> --brand <brandId> --name <name> [--actor <name>] [--json]',
    details: [
      'The brand keeps its id, so users and group mappings that list it keep it. The name follows the rules of',
      'brand create. Renaming to the current name changes nothing.',
      ACTOR_HELP,
      'With --json: {"brandId", "name", "previousName"}.',
    ],
    options: { ...TENANT, brand: { type: 'string' }, name: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const brandId = required(context, 'brand').trim();
      const name = displayName(context, 'name');
      const { access, tenantId } = await openTenant(context);
      const { brand, from } = await access.renameBrand(tenantId, brandId, name);
      return {
        json: { brandId, name: brand.name, previousName: from },
        text:
          from === brand.name
            ? `Brand ${brandId} is already named "${brand.name}"; nothing changed.`
            : `Brand ${brandId} renamed from "${from}" to "${brand.name}".`,
      };
    },
  },
  {
    group: 'brand',
    action: 'delete',
    summary: "delete a brand and remove it from every user's list",
    usage: 'brand delete --tenant <tenantId> --brand <brandId> [--actor <name>] [--json]',
    details: [
      'Users with all brands keep all brands. A user whose only listed brand this was is left with no brand',
      'until given one (user set-brands). If the command is interrupted, run it again: it finishes the job.',
      ACTOR_HELP,
      'With --json: {"brandId", "deleted": true, "removedFromUsers": <count>}.',
    ],
    options: { ...TENANT, brand: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const brandId = required(context, 'brand').trim();
      const { access, tenantId } = await openTenant(context);
      const { brand, removedFromUsers } = await access.deleteBrand(tenantId, brandId);
      return {
        json: { brandId, deleted: true, removedFromUsers },
        text: `Brand "${brand.name}" (${brandId}) deleted; removed from ${removedFromUsers} user(s).`,
      };
    },
  },
  {
    group: 'role',
    action: 'create',
    summary: 'create a custom role of a tenant',
    usage: 'role create --tenant <tenantId> --name <name> [--description <text>] [--actor <name>] [--json]',
    details: [
      'The name is written as people say it (e.g. "Email Creator", quoted in the shell), 1 to 64 characters;',
      'it is unique in the tenant compared case-insensitively, and every command takes it in any letter case.',
      'admin and collaborator are built in. The name is what the SCIM extension shows as the user’s role.',
      ACTOR_HELP,
      'With --json: {"role": {"name", "description", "builtIn": false, "createdAt"}}.',
    ],
    options: { ...TENANT, name: { type: 'string' }, description: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const name = required(context, 'name').trim();
      const problem = roleNameProblem(name);
      if (problem === 'built-in') throw new CliError(`${name} is a built-in role`, 2);
      if (problem) throw new CliError(`--name must be 1 to 64 characters, without control characters`, 2);
      const description = typeof context.values.description === 'string' ? context.values.description.trim() : '';
      if (description.length > MAX_DESCRIPTION_LENGTH || /\p{Cc}/u.test(description)) {
        throw new CliError(
          `--description must be at most ${MAX_DESCRIPTION_LENGTH} characters, without control characters`,
          2,
        );
      }
      const { access, tenantId } = await openTenant(context);
      const role = roleView(await access.createRole(tenantId, name, description));
      return { json: { role }, text: `Role ${role.name} created for tenant ${tenantId}.` };
    },
  },
  {
    group: 'role',
    action: 'list',
    summary: "list a tenant's roles, built-in and custom",
    usage: 'role list --tenant <tenantId> [--json]',
    details: ['With --json: {"roles": [{"name", "description", "builtIn", "createdAt"?}, ...]}, built-in first.'],
    options: { ...TENANT },
    run: async (context) => {
      const { access, tenantId } = await openTenant(context);
      const roles = (await access.listRoles(tenantId)).map(roleView);
      return {
        json: { roles },
        text: table([
          ['ROLE', 'KIND', 'DESCRIPTION'],
          ...roles.map((r) => [r.name, r.builtIn ? 'built-in' : 'custom', r.description]),
        ]),
      };
    },
  },
  {
    group: 'role',
    action: 'rename',
    summary: 'give a custom role a new name, moving its users and group mappings to it',
    usage: 'role rename --tenant <tenantId> --role <name> --name <new name> [--actor <name>] [--json]',
    details: [
      '--role is the role’s name in any letter case; --name follows the rules of role create (a change of',
      'letter case only is a rename too). Users hold a role by its name, so the rename moves every group',
      'mapping that gives the role, then every user who holds it, to the new name (each user in a write of its',
      'own, recorded in the user’s history with cause role.rename), and removes the old name last. From its',
      'start until it ends the old name cannot be given to anyone, and a rename of it to another name is',
      'refused; users not yet moved keep the old name, which stays a valid role until then. If it is',
      'interrupted, run it again with the same --role and --name: it carries on. Built-in roles cannot be renamed.',
      ACTOR_HELP,
      'With --json: {"role": {"name", "description", "builtIn": false, "createdAt"}, "previousName",',
      '"movedUsers", "movedMappings"}.',
    ],
    options: { ...TENANT, role: { type: 'string' }, name: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const current = required(context, 'role');
      const name = required(context, 'name').trim();
      const problem = roleNameProblem(name);
      if (problem === 'built-in') throw new CliError(`${name} is a built-in role`, 2);
      if (problem) throw new CliError(`--name must be 1 to 64 characters, without control characters`, 2);
      const { access, tenantId } = await openTenant(context);
      const { role, from, movedUsers, movedMappings } = await access.renameRole(tenantId, current, name);
      const view = roleView(role);
      return {
        json: { role: view, previousName: from, movedUsers, movedMappings },
        text:
          from === view.name
            ? `Role ${from} is already named so; nothing changed.`
            : `Role ${from} renamed to ${view.name}; ${movedUsers} user(s) and ${movedMappings} group mapping(s) moved to it.`,
      };
    },
  },
  {
    group: 'role',
    action: 'delete',
    summary: 'delete a custom role that no user holds',
    usage: 'role delete --tenant <tenantId> --role <name> [--actor <name>] [--json]',
    details: [
      '--role is the role’s name in any letter case. Refused while any user holds the role (the message names',
      'some of them); built-in roles cannot be deleted.',
      ACTOR_HELP,
      'With --json: {"role", "deleted": true}.',
    ],
    options: { ...TENANT, role: { type: 'string' }, ...ACTOR_OPTION },
    run: async (context) => {
      const { access, tenantId } = await openTenant(context);
      const { name } = await access.deleteRole(tenantId, required(context, 'role'));
      return { json: { role: name, deleted: true }, text: `Role ${name} deleted.` };
    },
  },
  {
    group: 'user',
    action: 'create',
    summary: 'create a user before any identity provider is connected',
    usage:
      'user create --tenant <tenantId> --email <email> [--given-name <g>] [--family-name <f>] [--actor <name>] [--json]',
    details: [
      'An ordinary user, visible over SCIM: userName and the primary work email are the email, the role is',
      'collaborator with all brands. When Okta is connected later, its import and its `userName eq` lookup',
      'find this user by email (in any letter case) and link it instead of creating a duplicate; Okta then adds',
      'its externalId. Refused when the tenant already has a user with that userName.',
      ACTOR_HELP,
      'With --json: {"userId": "..."}.',
    ],
    options: {
      ...TENANT,
      email: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      ...ACTOR_OPTION,
    },
    run: async (context) => {
      const email = emailOption(context);
      const givenName = optionalName(context, 'given-name');
      const familyName = optionalName(context, 'family-name');
      const { access, tenantId } = await openTenant(context);
      const user = await access.createUser(tenantId, { email, givenName, familyName });
      return { json: { userId: user.id }, text: `User ${email} created for tenant ${tenantId}: ${user.id}` };
    },
  },
  {
    group: 'user',
    action: 'list',
    summary: "list a tenant's users with their role and brands",
    usage: 'user list --tenant <tenantId> [--filter <scim filter>] [--json]',
    details: [
      '--filter takes a SCIM filter (RFC 7644 §3.4.2.2), e.g. \'userName eq "ann@acme.example"\' or',
      `'urn:ietf:params:scim:schemas:extension:scim-provisioning:2.0:User:role eq "admin"'.`,
      'With --json: {"users": [{"userId", "userName", "externalId"?, "givenName"?, "familyName"?, "emails",',
      '"active", "role", "allBrands", "brands", "created", "lastModified"}, ...]}, oldest first.',
    ],
    options: { ...TENANT, filter: { type: 'string' } },
    run: async (context) => {
      const filterText = context.values.filter as string | undefined;
      const filter = filterText === undefined ? undefined : filterOption(filterText);
      const { access, tenantId } = await openTenant(context);
      const keys = filter ? lookupKeys(filter) : undefined;
      const records = keys ? await access.users.findByKeys(tenantId, keys) : await access.users.readAll(tenantId);
      const users = [...new Map(records.map((record) => [record.id, record])).values()]
        .filter((record) => !filter || matchesFilter(filter, userRepresentation(record, '')))
        .sort((a, b) => compareIds(a.id, b.id))
        .map(userView);
      return {
        json: { users },
        text:
          users.length === 0
            ? 'No users.'
            : table([
                ['USER ID', 'USER NAME', 'ACTIVE', 'ROLE', 'BRANDS'],
                ...users.map((u) => [u.userId, u.userName, u.active ? 'yes' : 'no', u.role, brandsCell(u)]),
              ]),
      };
    },
  },
  {
    group: 'user',
    action: 'show',
    summary: "show a user's access and its latest recorded changes",
    usage: 'user show --tenant <tenantId> --user <id or email> [--json]',
    details: [
      '--user is the user id, or an email: the userName, or else the only user with that email address.',
      'With --json: {"user": {...}, "adminAccount": <email or null>, "recentChanges": [{"at", "actor", "action",',
      '"details"}, ...]} (the 10 latest, newest first).',
    ],
    options: { ...TENANT, user: { type: 'string' } },
    run: async (context) => {
      const idOrEmail = required(context, 'user');
      const { access, tenants, tenantId, groupAccess } = await openTenant(context);
      const record = await access.findUser(tenantId, idOrEmail);
      const [changes, admins, accessSource] = await Promise.all([
        access.recentChanges(tenantId, record.id),
        tenants.listAdmins(tenantId),
        groupAccess.source(tenantId),
      ]);
      const user = userView(record);
      const adminAccount = admins.find((admin) => admin.userId === record.id)?.email ?? null;
      const roleOrigin = user.roleGroup
        ? ` (from group ${user.roleGroup})`
        : accessSource === 'groups'
          ? user.role === ADMIN_ROLE
            ? ' (given directly)'
            : ' (default: no mapped group gives a role)'
          : '';
      return {
        json: { user, adminAccount, accessSource, recentChanges: changes },
        text: [
          `User ${user.userName} (${user.userId})${user.externalId ? `, externalId ${user.externalId}` : ''}`,
          `  Active         ${user.active ? 'yes' : 'no'}`,
          `  Role           ${user.role}${roleOrigin}`,
          `  Brands         ${brandsCell(user)}`,
          `  Admin account  ${adminAccount ?? 'none'}`,
          `  Access from    ${accessSource}`,
          'Latest changes (newest first):',
          ...(changes.length === 0 ? ['  none recorded'] : changes.map(changeLine)),
        ].join('\n'),
      };
    },
  },
  {
    group: 'user',
    action: 'set-role',
    summary: "change a user's role",
    usage:
      'user set-role --tenant <tenantId> --user <id or email> (--role <role> | --from-groups) [--actor <name>] [--json]',
    details: [
      'The role is admin, collaborator or one of the tenant’s custom roles, by name in any letter case (quote',
      'names with spaces: --role "Email Creator"). Demoting the tenant’s last admin is',
      'refused. A user who loses admin can no longer approve OAuth connections; the grants they approved keep',
      'working (they belong to the tenant: revoke them with grant revoke if needed).',
      'When the tenant takes access from groups, only --role admin is accepted: a direct admin role',
      '(break-glass) that groups never take away. --from-groups releases it: the user’s role follows its',
      'groups again (refused for the last admin).',
      ACTOR_HELP,
      'With --json: {"user": {...}} as user show prints it.',
    ],
    options: {
      ...TENANT,
      user: { type: 'string' },
      role: { type: 'string' },
      'from-groups': { type: 'boolean' },
      ...ACTOR_OPTION,
    },
    run: async (context) => {
      const idOrEmail = required(context, 'user');
      const fromGroups = context.values['from-groups'] === true;
      if (fromGroups && context.values.role !== undefined) {
        throw new CliError('Give either --role or --from-groups, not both', 2);
      }
      if (fromGroups) {
        const { access, groupAccess, tenantId } = await openTenant(context);
        const found = await access.findUser(tenantId, idOrEmail);
        if ((await groupAccess.source(tenantId)) !== 'groups') {
          throw new CliError(
            '--from-groups needs a tenant that takes access from groups (tenant set-access-source)',
            2,
          );
        }
        const user = userView(await groupAccess.releaseDirectAdmin(tenantId, found.id));
        return { json: { user }, text: `User ${user.userName} now has the role ${user.role}, from its groups.` };
      }
      const role = required(context, 'role');
      const { access, tenantId } = await openTenant(context);
      const found = await access.findUser(tenantId, idOrEmail);
      const user = userView(await access.setRole(tenantId, found.id, role));
      return { json: { user }, text: `User ${user.userName} now has the role ${user.role}.` };
    },
  },
  {
    group: 'user',
    action: 'set-brands',
    summary: 'give a user all brands, or a listed set',
    usage:
      'user set-brands --tenant <tenantId> --user <id or email> (--all | --brand <brandId> [--brand …]) [--actor <name>] [--json]',
    details: [
      `--all gives every brand, including brands created later; --brand (repeatable, at most ${MAX_BRANDS_PER_USER})`,
      'gives exactly those brands of the tenant, replacing the previous list.',
      ACTOR_HELP,
      'With --json: {"user": {...}} as user show prints it.',
    ],
    options: {
      ...TENANT,
      user: { type: 'string' },
      all: { type: 'boolean' },
      brand: { type: 'string', multiple: true },
      ...ACTOR_OPTION,
    },
    run: async (context) => {
      const idOrEmail = required(context, 'user');
      const brands = brandList(context);
      const { access, tenantId } = await openTenant(context);
      const found = await access.findUser(tenantId, idOrEmail);
      const user = userView(await access.setBrands(tenantId, found.id, brands));
      return { json: { user }, text: `User ${user.userName} now has brands: ${brandsCell(user)}.` };
    },
  },
];
