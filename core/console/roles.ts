import { pathOf } from '../../contract/routes';
import { MAX_DESCRIPTION_LENGTH, MAX_ROLE_NAME_LENGTH } from '../access/access-model';
import type { RoleRecord } from '../access/records';
import { Refusal } from '../access/refusal';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { openFlash, sealFlash } from './flash';
import { alreadySentPage, firstPostOfForm, formIdField } from './form-once';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleResponse } from './sign-in';
import type { UsersDeps } from './users';

/**
 * The console's Roles page: the built-in roles and the tenant's own, created, renamed and deleted through the
 * access service the admin CLI uses (`role create`, `role rename`, `role delete`), with its refusals: a role
 * that users hold or group mappings give is not deleted (a rename moves them), built-in roles are neither. How
 * many users hold each role is not shown: counting takes a read of every user, too much for a page view.
 */
export const ROLES_SECTION = 'Roles';

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

/** A role in a form: the base64url of its key, so that any character a role name may hold is safe in a URL. */
export const roleSlug = (role: Pick<RoleRecord, 'key'>): string => Buffer.from(role.key, 'utf8').toString('base64url');

/** Longer slugs name no role (a key has at most MAX_ROLE_NAME_LENGTH characters of up to 4 bytes). */
const MAX_SLUG_LENGTH = Math.ceil((MAX_ROLE_NAME_LENGTH * 4 * 4) / 3);

const rolesUrl = (issuer: string) => consoleUrl(issuer, pathOf('ConsoleRoles'));

const NAME_PROBLEM = `Enter a role name of 1 to ${MAX_ROLE_NAME_LENGTH} characters, without control characters.`;
const DESCRIPTION_PROBLEM = `Enter a description of at most ${MAX_DESCRIPTION_LENGTH} characters, without control characters.`;

const single = (form: Form, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

const NO_SUCH_ROLE = () =>
  new PageError(404, 'Not found', 'There is no such role in your organization. It may have been renamed or deleted.');

/** What a refusal of the access service says next to the field it is about. */
interface Problems {
  readonly name?: string;
  readonly description?: string;
  /** About the role as a whole (in use, mapped, changed meanwhile). */
  readonly role?: string;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The refusals a rename or deletion can meet, in the console's words; undefined for any other. */
function refusalProblems(error: unknown, verb: 'created' | 'renamed' | 'deleted'): Problems | undefined {
  if (!(error instanceof Refusal)) return undefined;
  const { facts } = error;
  const list = (name: string) => (Array.isArray(facts[name]) ? (facts[name] as readonly string[]) : []);
  switch (error.code) {
    case 'role-in-use': {
      const holders = Number(facts.holders);
      const examples = list('examples');
      const named = `${examples.join(', ')}${holders > examples.length ? ', …' : ''}`;
      return {
        role: `Role ${String(facts.role)} cannot be ${verb}: ${plural(holders, 'user holds', 'users hold')} it (${named}). Give them another role on their pages under Users first.`,
      };
    }
    case 'role-mapped': {
      const groups = list('groups');
      return {
        role: `Role ${String(facts.role)} cannot be ${verb}: the mapping of ${plural(groups.length, 'group', 'groups')} (${groups.join(', ')}) gives it. Change or remove those mappings first.`,
      };
    }
    case 'role-renaming':
      return {
        role: `Role ${String(facts.role)} is being renamed to ${String(facts.to)}. Rename it to ${String(facts.to)} again to finish that first.`,
      };
    case 'duplicate-role':
      return {
        name: `There already is a role named ${String(facts.role)} (role names are compared in any letter case).`,
      };
    case 'built-in-role':
      return { name: `${String(facts.role)} is a built-in role; choose another name.` };
    case 'invalid-role-name':
      return { name: NAME_PROBLEM };
    case 'invalid-value':
      return facts.field === 'description' ? { description: DESCRIPTION_PROBLEM } : { name: NAME_PROBLEM };
    case 'concurrent-change':
      return { role: `The role changed while it was being ${verb}. Look at it again and retry.` };
    default:
      return undefined;
  }
}

/** Bad input is the admin's to fix (400); a role in use or changed meanwhile is a conflict with its state (409). */
const statusOf = (problems: Problems): number => (problems.role ? 409 : 400);

const describedBy = (help: string, id: string, problem: string | undefined) => (problem ? `${help} ${id}-error` : help);
const fieldError = (id: string, problem: string | undefined): SafeHtml | undefined =>
  problem ? html`<p class="alert" id="${id}-error">${problem}</p>` : undefined;

const page = (deps: UsersDeps, admin: ConsoleAdmin, status: number, title: string, body: SafeHtml) =>
  ({ kind: 'page', status, page: consolePage(deps.issuer, admin, { title, body, section: ROLES_SECTION }) }) as const;

/** What the page shows again after a refused post: the create form's input, or a rename's. */
interface PageState {
  readonly create: { readonly name: string; readonly description: string };
  readonly createProblems?: Problems;
  /** The role whose rename was refused, the name typed, and why. */
  readonly rename?: { readonly slug: string; readonly name: string; readonly problem?: string };
  /** About a role as a whole (in use, mapped, changed meanwhile). */
  readonly alert?: string;
}

const rolesAction = (deps: UsersDeps) => safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleRoleChange')));

/** A custom role's rename (behind a disclosure, open when its rename was refused) and delete forms. */
function roleActions(deps: UsersDeps, admin: SignedIn, role: RoleRecord, state: PageState): SafeHtml {
  const slug = roleSlug(role);
  const refused = state.rename?.slug === slug ? state.rename : undefined;
  const id = `rename-${slug}`;
  const problem = refused?.problem;
  const renameForm = html`<form method="post" action="${rolesAction(deps)}">${csrfField(admin.csrfToken)}<input type="hidden" name="intent" value="rename"><input type="hidden" name="role" value="${slug}">
<div class="field"><label for="${id}">New name for ${role.name}</label>
<input type="text" id="${id}" name="name" required maxlength="${String(MAX_ROLE_NAME_LENGTH)}" value="${refused ? refused.name : role.name}" autocomplete="off" aria-invalid="${problem ? 'true' : 'false'}" aria-describedby="${problem ? `${id}-error` : ''}">
${fieldError(id, problem)}</div>
<button type="submit" class="secondary">Rename</button></form>`;
  return html`${refused ? html`<details open><summary>Rename</summary>${renameForm}</details>` : html`<details><summary>Rename</summary>${renameForm}</details>`}
<form method="post" action="${rolesAction(deps)}">${csrfField(admin.csrfToken)}<input type="hidden" name="intent" value="delete"><input type="hidden" name="role" value="${slug}"><button type="submit" class="secondary" aria-label="Delete ${role.name}">Delete</button></form>`;
}

async function rolesPage(deps: UsersDeps, admin: SignedIn, status: number, state: PageState): Promise<ConsoleResponse> {
  const [roles, flash] = await Promise.all([
    deps.access.listRoles(admin.tenantId),
    deps.sessions.takeFlash(admin.sessionSecret),
  ]);
  const notice = flash ? (openFlash(admin.sessionSecret, flash) as { text?: string } | undefined)?.text : undefined;
  const problems = state.createProblems ?? {};
  const about = (role: RoleRecord) =>
    html`<p class="help">${role.builtIn ? 'Built in' : 'Custom'}${role.description === '' ? '' : ` · ${role.description}`}</p>`;
  const rows = roles.map((role) =>
    role.builtIn
      ? html`<tr><td><strong>${role.name}</strong>${about(role)}</td><td><span class="muted">Cannot be changed</span></td></tr>`
      : html`<tr><td><strong>${role.name}</strong>${about(role)}</td><td>${roleActions(deps, admin, role, state)}</td></tr>`,
  );
  const creating = problems.name !== undefined || problems.description !== undefined;
  const body = html`<h1>Roles</h1>
<p>Every user holds one role, set on their page under Users. <strong>admin</strong> and <strong>collaborator</strong> are built in; the roles you create are what the app shows as the user's role. Renaming a role moves every user who holds it, and every group mapping that gives it, to the new name. A role that users hold, or that a group mapping gives, cannot be deleted.</p>
${noticeBox(notice)}
${alertBox(state.alert)}
${state.rename?.problem ? alertBox('The role was not renamed.') : undefined}
${creating ? alertBox('The role was not created.') : undefined}
<h2>Create a role</h2>
<form method="post" action="${rolesAction(deps)}">
${csrfField(admin.csrfToken)}${formIdField()}<input type="hidden" name="intent" value="create">
<div class="field"><label for="name">Role name</label>
<input type="text" id="name" name="name" required maxlength="${String(MAX_ROLE_NAME_LENGTH)}" value="${state.create.name}" autocomplete="off" aria-describedby="${describedBy('name-help', 'name', problems.name)}" aria-invalid="${problems.name ? 'true' : 'false'}">
<p class="help" id="name-help">As people say it, e.g. Email Creator. Unique in your organization in any letter case.</p>
${fieldError('name', problems.name)}</div>
<div class="field"><label for="description">Description</label>
<input type="text" id="description" name="description" maxlength="${String(MAX_DESCRIPTION_LENGTH)}" value="${state.create.description}" autocomplete="off" aria-describedby="${describedBy('description-help', 'description', problems.description)}" aria-invalid="${problems.description ? 'true' : 'false'}">
<p class="help" id="description-help">Optional: what the role may do in the app.</p>
${fieldError('description', problems.description)}</div>
<div class="actions"><button type="submit">Create role</button></div>
</form>
<h2>The roles</h2>
<div class="table-wrap"><table>
<caption class="muted">${plural(roles.length, 'role', 'roles')}</caption>
<thead><tr><th scope="col">Role</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
  return page(deps, admin, status, 'Roles', body);
}

const EMPTY_STATE: PageState = { create: { name: '', description: '' } };

/** GET /console/roles */
export const listRolesPage = (deps: UsersDeps, admin: SignedIn): Promise<ConsoleResponse> =>
  rolesPage(deps, admin, 200, EMPTY_STATE);

const done = async (deps: UsersDeps, admin: SignedIn, text: string): Promise<ConsoleResponse> => {
  await deps.sessions.putFlash(admin.sessionSecret, sealFlash(admin.sessionSecret, { kind: 'notice', text }));
  return { kind: 'redirect', location: rolesUrl(deps.issuer) };
};

/**
 * POST /console/roles: the page's forms, by their `intent`: `create`, `rename` or `delete` (one function for
 * the three keeps the stack within CloudFormation's resource limit). Each goes through the access service;
 * a refusal gives the page again with the input kept and the message next to the field, or at the top for a
 * role in use. A role is keyed by its name, so a create form's one-time id is recorded once
 * (core/console/form-once.ts): its second post creates nothing and is told so, even with the name edited
 * meanwhile. A refused create shows the form again with a new id. A rename or delete posted twice meets the
 * role gone under its old name: the 404 page says it may have been renamed or deleted.
 */
export async function roleFormPost(deps: UsersDeps, admin: SignedIn, form: Form): Promise<ConsoleResponse> {
  const intent = single(form, 'intent');
  if (intent === 'rename') return renameRole(deps, admin, single(form, 'role'), single(form, 'name').trim());
  if (intent === 'delete') return deleteRole(deps, admin, single(form, 'role'));
  if (intent !== 'create') throw new PageError(400, 'Invalid request', 'The form was sent without a known action.');
  const name = single(form, 'name').trim();
  const description = single(form, 'description').trim();
  if (!(await firstPostOfForm(deps.forms, admin.sessionSecret, form, deps.now()))) {
    return alreadyCreated(deps, admin, name);
  }
  try {
    const role = await deps.access.createRole(admin.tenantId, name, description);
    return done(deps, admin, `Role ${role.name} created.`);
  } catch (error) {
    const problems = refusalProblems(error, 'created');
    if (!problems) throw error;
    const create = {
      name: name.slice(0, MAX_ROLE_NAME_LENGTH * 2),
      description: description.slice(0, MAX_DESCRIPTION_LENGTH * 2),
    };
    return rolesPage(deps, admin, statusOf(problems), { create, createProblems: problems, alert: problems.role });
  }
}

/** The answer to a create form sent a second time: nothing new, and the role of the name it sent, if any. */
async function alreadyCreated(deps: UsersDeps, admin: SignedIn, name: string): Promise<ConsoleResponse> {
  const role =
    name === '' || [...name].length > MAX_ROLE_NAME_LENGTH
      ? undefined
      : await deps.access.findRole(admin.tenantId, name).catch((error: unknown) => {
          if (error instanceof Refusal) return undefined;
          throw error;
        });
  const list = html`<a href="${safeUrl(rolesUrl(deps.issuer))}">Roles</a>`;
  return alreadySentPage(
    deps.issuer,
    admin,
    ROLES_SECTION,
    role
      ? html`This form was sent before, so nothing new was created. The role ${role.name} exists: it is listed under ${list}.`
      : html`This form was sent before, so nothing new was created. The roles are listed under ${list}.`,
  );
}

/** The tenant's custom role a form names; a built-in role, or another tenant's, is a 404. */
async function ownCustomRole(deps: UsersDeps, admin: SignedIn, slug: string): Promise<RoleRecord> {
  if (slug === '' || slug.length > MAX_SLUG_LENGTH || !/^[A-Za-z0-9_-]+$/.test(slug)) throw NO_SUCH_ROLE();
  const key = Buffer.from(slug, 'base64url').toString('utf8');
  const role = await deps.access.findRole(admin.tenantId, key).catch((error: unknown) => {
    if (error instanceof Refusal && error.code === 'unknown-role') return undefined;
    throw error;
  });
  if (!role || role.builtIn || role.key !== key) throw NO_SUCH_ROLE();
  return role;
}

async function renameRole(deps: UsersDeps, admin: SignedIn, slug: string, name: string): Promise<ConsoleResponse> {
  const role = await ownCustomRole(deps, admin, slug);
  try {
    const {
      role: renamed,
      from,
      movedUsers,
      movedMappings,
    } = await deps.access.renameRole(admin.tenantId, role.name, name);
    return done(
      deps,
      admin,
      from === renamed.name
        ? `Role ${from} kept its name.`
        : `Role ${from} renamed to ${renamed.name}; ${plural(movedUsers, 'user', 'users')} and ${plural(movedMappings, 'group mapping', 'group mappings')} moved to it.`,
    );
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-role') throw NO_SUCH_ROLE();
    const problems = refusalProblems(error, 'renamed');
    if (!problems) throw error;
    const kept = name.slice(0, MAX_ROLE_NAME_LENGTH * 2);
    return rolesPage(deps, admin, statusOf(problems), {
      create: EMPTY_STATE.create,
      rename: { slug, name: kept, ...(problems.name ? { problem: problems.name } : {}) },
      alert: problems.role,
    });
  }
}

async function deleteRole(deps: UsersDeps, admin: SignedIn, slug: string): Promise<ConsoleResponse> {
  const role = await ownCustomRole(deps, admin, slug);
  try {
    const deleted = await deps.access.deleteRole(admin.tenantId, role.name);
    return done(deps, admin, `Role ${deleted.name} deleted.`);
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-role') throw NO_SUCH_ROLE();
    const problems = refusalProblems(error, 'deleted');
    if (!problems) throw error;
    return rolesPage(deps, admin, statusOf(problems), { ...EMPTY_STATE, alert: problems.role });
  }
}
