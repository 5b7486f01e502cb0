import { pathOf } from '../../contract/routes';
import type { AuditEntry } from '../access/access-model';
import { ADMIN_ROLE, MAX_BRANDS_PER_USER } from '../access/access-model';
import type { AccessService } from '../access/access-service';
import { holdsDirectAdmin } from '../access/group-access';
import type { GroupAccessService } from '../access/group-access-service';
import type { BrandRecord, RoleRecord } from '../access/records';
import { Refusal } from '../access/refusal';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import type { UserRecord } from '../scim/user-record';
import { foldCase } from '../scim/values';
import { openFlash, sealFlash } from './flash';
import type { FormIdGuard } from './form-once';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleSessions } from './session';
import type { ConsoleResponse } from './sign-in';

/**
 * The console's Users pages: the tenant's users a page at a time (cursor paging in creation order, the
 * store's `pageAfter`, never a scan), an exact search by userName or email (the store's lookup keys), and
 * per user the role and brands the admin sets, through the access service the admin CLI uses, so the rules
 * (the last admin, brands of this tenant) are the CLI's. Another tenant's user id is a 404.
 */
export const USERS_SECTION = 'Users';
export const USERS_PAGE_SIZE = 50;
const MAX_SEARCH_CHARS = 256;
const MAX_CURSOR_CHARS = 256;

export interface UsersDeps {
  readonly access: AccessService;
  /** The tenant's access source: in `groups` mode the user's page shows what the groups give instead of the form. */
  readonly groupAccess: Pick<GroupAccessService, 'source' | 'findGroup' | 'releaseDirectAdmin'>;
  readonly sessions: ConsoleSessions;
  /** Where the Roles page's create forms are recorded once (core/console/form-once.ts). */
  readonly forms: FormIdGuard;
  readonly issuer: string;
  readonly now: () => Date;
}

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Query = Readonly<Record<string, readonly string[]>>;

const first = (query: Query, name: string): string | undefined => query[name]?.[0];

const usersUrl = (issuer: string, params: Readonly<Record<string, string>> = {}): string => {
  const search = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== '')).toString();
  return `${consoleUrl(issuer, pathOf('ConsoleUsers'))}${search ? `?${search}` : ''}`;
};
const userUrl = (issuer: string, userId: string) => consoleUrl(issuer, pathOf('ConsoleUser'), { userId });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const userNameOf = (user: UserRecord): string => text(user.attributes.userName);
const emailsOf = (user: UserRecord): string[] =>
  (Array.isArray(user.attributes.emails) ? (user.attributes.emails as { value?: unknown }[]) : []).map((email) =>
    text(email?.value),
  );
const primaryEmail = (user: UserRecord): string => emailsOf(user)[0] ?? '';
const brandsLabel = (user: UserRecord, brands: readonly BrandRecord[]): string =>
  user.access.allBrands
    ? 'All brands'
    : user.access.brands.map((id) => brands.find((brand) => brand.brandId === id)?.name ?? id).join(', ') || 'None';

const page = (deps: UsersDeps, admin: ConsoleAdmin, status: number, title: string, body: SafeHtml) =>
  ({ kind: 'page', status, page: consolePage(deps.issuer, admin, { title, body, section: USERS_SECTION }) }) as const;

/** GET /console/users?q=&after=: one page of the tenant's users, or the users a search names exactly. */
export async function listUsers(deps: UsersDeps, admin: ConsoleAdmin, query: Query): Promise<ConsoleResponse> {
  const search = (first(query, 'q') ?? '').trim();
  const after = first(query, 'after') ?? '';
  let problem: string | undefined;
  if ([...search].length > MAX_SEARCH_CHARS || /\p{Cc}/u.test(search)) {
    problem = `Search for a userName or an email address of at most ${MAX_SEARCH_CHARS} characters.`;
  } else if (after.length > MAX_CURSOR_CHARS) {
    problem = 'That page of users does not exist. Showing the first page instead.';
  }
  let users: UserRecord[];
  let next: string | undefined;
  if (search && !problem) {
    const key = foldCase(search);
    const found = await deps.access.users.findByKeys(admin.tenantId, [
      { kind: 'userName', value: key },
      { kind: 'email', value: key },
    ]);
    const unique = new Map(found.map((user) => [user.id, user]));
    users = [...unique.values()].filter(
      (user) => foldCase(userNameOf(user)) === key || emailsOf(user).some((email) => foldCase(email) === key),
    );
  } else {
    const result = await deps.access.users.pageAfter(
      admin.tenantId,
      problem || !after ? undefined : after,
      USERS_PAGE_SIZE,
    );
    users = result.records;
    next = result.more ? users.at(-1)?.id : undefined;
  }
  const brands = await deps.access.listBrands(admin.tenantId);
  const rows = users.map(
    (user) =>
      html`<tr><td><a href="${safeUrl(userUrl(deps.issuer, user.id))}">${userNameOf(user)}</a></td><td>${primaryEmail(user)}</td><td>${user.access.role}</td><td>${brandsLabel(user, brands)}</td><td>${user.attributes.active === false ? 'Inactive' : 'Active'}</td></tr>`,
  );
  const body = html`<h1>Users</h1>
<p>The users of your organization, as your identity provider pushed them over SCIM, oldest first. Open a user to set their role and brands.</p>
${alertBox(problem)}
<form method="get" action="${safeUrl(usersUrl(deps.issuer))}" class="filters" role="search">
<div class="field"><label for="q">Search</label>
<input type="search" id="q" name="q" value="${search}" aria-describedby="q-help" autocomplete="off" spellcheck="false">
<p class="help" id="q-help">A userName or an email address, exactly (in any letter case).</p></div>
<div class="actions"><button type="submit">Search</button>${search ? html`<a href="${safeUrl(usersUrl(deps.issuer))}">All users</a>` : undefined}</div>
</form>
${
  users.length === 0
    ? html`<p>${search ? 'No user has this userName or email address.' : 'No users yet. They appear here once your identity provider pushes them.'}</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${users.length} user${users.length === 1 ? '' : 's'}${after && !problem ? ', next page' : ''}</caption>
<thead><tr><th scope="col">userName</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Brands</th><th scope="col">Status</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
${next ? html`<p><a href="${safeUrl(usersUrl(deps.issuer, { after: next }))}">Next users</a></p>` : undefined}`;
  return page(deps, admin, problem ? 400 : 200, 'Users', body);
}

const notFound = () =>
  new PageError(404, 'Not found', 'There is no such user in your organization. They may have been deleted.');

/** The tenant's user, or a 404 page: another tenant's id is answered as an unknown one. */
async function ownUser(deps: UsersDeps, admin: ConsoleAdmin, userId: string): Promise<UserRecord> {
  const user = userId.length <= MAX_CURSOR_CHARS ? await deps.access.users.get(admin.tenantId, userId) : undefined;
  if (!user) throw notFound();
  return user;
}

interface AccessForm {
  readonly role: string;
  readonly allBrands: boolean;
  readonly brands: readonly string[];
}

const ACTION_LABELS: Readonly<Record<string, string>> = {
  'user.create': 'Created',
  'user.role': 'Role changed',
  'user.brands': 'Brands changed',
  'user.name': 'Name changed',
  'user.access': 'Access from groups',
};

/** Why access was recomputed from groups, as the group access service records it (core/access). */
interface RecordedCause {
  readonly reason?: unknown;
  readonly group?: { readonly displayName?: unknown };
}

/** A change's details in words: `from → to` for a change, brand ids by their names. */
function changeText(entry: AuditEntry, brands: readonly BrandRecord[]): string {
  const valueText = (value: unknown): string => {
    if (value === 'all') return 'all brands';
    if (Array.isArray(value)) {
      return value.map((id) => brands.find((brand) => brand.brandId === id)?.name ?? String(id)).join(', ') || 'none';
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  // A recomputation from groups records what gave the access and why; the page says why in words.
  const {
    grantedBy: _grantedBy,
    cause,
    ...details
  } = entry.details as { cause?: RecordedCause } & Record<string, unknown>;
  const because =
    typeof cause?.reason === 'string'
      ? [
          `because: ${cause.reason}${typeof cause.group?.displayName === 'string' ? ` (group ${cause.group.displayName})` : ''}`,
        ]
      : [];
  return Object.entries(entry.action === 'user.access' ? details : entry.details)
    .map(([name, value]) => {
      const change = value as { from?: unknown; to?: unknown } | null;
      return change && typeof change === 'object' && 'to' in change
        ? `${name}: ${valueText(change.from)} \u2192 ${valueText(change.to)}`
        : `${name}: ${valueText(value)}`;
    })
    .concat(entry.action === 'user.access' ? because : [])
    .join('; ');
}

async function userPage(
  deps: UsersDeps,
  admin: SignedIn,
  user: UserRecord,
  status: number,
  form: AccessForm,
  alert?: string,
): Promise<ConsoleResponse> {
  const [roles, brands, changes, flash, source] = await Promise.all([
    deps.access.listRoles(admin.tenantId),
    deps.access.listBrands(admin.tenantId),
    deps.access.recentChanges(admin.tenantId, user.id),
    deps.sessions.takeFlash(admin.sessionSecret),
    deps.groupAccess.source(admin.tenantId),
  ]);
  const notice = flash ? (openFlash(admin.sessionSecret, flash) as { text?: string } | undefined)?.text : undefined;
  const roleOption = (role: RoleRecord) =>
    foldCase(role.name) === foldCase(form.role)
      ? html`<option value="${role.name}" selected>${role.name}</option>`
      : html`<option value="${role.name}">${role.name}</option>`;
  const radio = (value: 'all' | 'some', label: string) =>
    (form.allBrands ? value === 'all' : value === 'some')
      ? html`<div class="check"><input type="radio" id="brands-${value}" name="brand_scope" value="${value}" checked><label for="brands-${value}">${label}</label></div>`
      : html`<div class="check"><input type="radio" id="brands-${value}" name="brand_scope" value="${value}"><label for="brands-${value}">${label}</label></div>`;
  const brandBoxes = brands.map((brand) =>
    form.brands.includes(brand.brandId)
      ? html`<div class="check"><input type="checkbox" id="brand-${brand.brandId}" name="brand" value="${brand.brandId}" checked><label for="brand-${brand.brandId}">${brand.name}</label></div>`
      : html`<div class="check"><input type="checkbox" id="brand-${brand.brandId}" name="brand" value="${brand.brandId}"><label for="brand-${brand.brandId}">${brand.name}</label></div>`,
  );
  const history = changes.map(
    (entry) =>
      html`<tr><td><time datetime="${entry.at}">${entry.at.replace('T', ' ').slice(0, 19)} UTC</time></td><td>${ACTION_LABELS[entry.action] ?? entry.action}</td><td>${entry.actor}</td><td>${changeText(entry, brands)}</td></tr>`,
  );
  const body = html`<p><a href="${safeUrl(usersUrl(deps.issuer))}">All users</a></p>
<h1>${userNameOf(user)}</h1>
${noticeBox(notice)}
${alertBox(alert)}
<dl><dt>Email</dt><dd>${primaryEmail(user)}</dd><dt>User ID</dt><dd><code>${user.id}</code></dd><dt>Status</dt><dd>${user.attributes.active === false ? 'Inactive' : 'Active'}</dd></dl>
<h2>Access</h2>
${
  source === 'groups'
    ? await accessFromGroups(deps, admin, user, brands)
    : html`<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleUserAccess'), { userId: user.id }))}">
${csrfField(admin.csrfToken)}
<div class="field"><label for="role">Role</label>
<select id="role" name="role">${roles.map(roleOption)}</select></div>
<fieldset><legend>Brands</legend>
${radio('all', 'All brands')}${radio('some', 'Only the brands checked below')}
${brands.length === 0 ? html`<p class="help">Your organization has no brands yet.</p>` : brandBoxes}
</fieldset>
<div class="actions"><button type="submit">Save access</button></div>
</form>`
}
<h2>History</h2>
${
  history.length === 0
    ? html`<p>No recorded changes.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">The latest ${history.length} change${history.length === 1 ? '' : 's'}, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Details</th></tr></thead>
<tbody>${history}</tbody>
</table></div>`
}`;
  return page(deps, admin, status, userNameOf(user) || 'User', body);
}

/**
 * In `groups` mode: the user's role and brands as their groups give them, the group the role comes from
 * (as `user show` names it), and what an admin may still do here: give the admin role directly (break-glass,
 * which groups never take away) or release it to the groups again (`user set-role --from-groups`).
 */
async function accessFromGroups(
  deps: UsersDeps,
  admin: SignedIn,
  user: UserRecord,
  brands: readonly BrandRecord[],
): Promise<SafeHtml> {
  const groupsLink = html`<a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleGroups')))}">Groups</a>`;
  const { roleGroup } = user.access;
  let roleOrigin: SafeHtml;
  if (roleGroup !== undefined) {
    const group = await deps.groupAccess.findGroup(admin.tenantId, roleGroup).then(
      (found) => found.group,
      (error: unknown) => {
        if (error instanceof Refusal) return undefined;
        throw error;
      },
    );
    roleOrigin = html`from the group <a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleGroup'), { groupId: roleGroup }))}">${group?.displayName ?? roleGroup}</a>`;
  } else if (holdsDirectAdmin(user.access)) {
    roleOrigin = html`given directly by an admin (kept whatever the groups give)`;
  } else {
    roleOrigin = html`the default: no mapped group of this user gives a role`;
  }
  const action = (value: 'give' | 'release', label: string, help: string) =>
    html`<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleUserAccess'), { userId: user.id }))}">
${csrfField(admin.csrfToken)}<input type="hidden" name="direct_admin" value="${value}">
<p class="help">${help}</p>
<div class="actions"><button type="submit" class="secondary">${label}</button></div>
</form>`;
  return html`<p class="notice">Your organization takes roles and brands from your identity provider’s groups, so they are not set here: map this user’s groups on the ${groupsLink} page, or switch the access source back to admins there.</p>
<dl><dt>Role</dt><dd>${user.access.role}, ${roleOrigin}</dd><dt>Brands</dt><dd>${brandsLabel(user, brands)}, from the mappings of this user’s groups${user.access.allBrands ? ' (all brands when none gives brands)' : ''}</dd></dl>
${
  holdsDirectAdmin(user.access)
    ? action(
        'release',
        'Let the groups decide the role',
        'Releases the admin role given directly: the role then follows this user’s groups. Refused for your organization’s last admin.',
      )
    : action(
        'give',
        'Give the admin role directly',
        'A break-glass admin role, kept whatever the groups give, until it is released here.',
      )
}`;
}

const formOf = (user: UserRecord): AccessForm => ({
  role: user.access.role,
  allBrands: user.access.allBrands,
  brands: user.access.brands,
});

/** GET /console/users/{userId}: the user, their access form and their history. */
export async function showUser(deps: UsersDeps, admin: SignedIn, userId: string): Promise<ConsoleResponse> {
  const user = await ownUser(deps, admin, userId);
  return userPage(deps, admin, user, 200, formOf(user));
}

const single = (form: Query, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

/** The admin's words for a refusal of the access service. */
function refusalText(refusal: Refusal): string {
  switch (refusal.code) {
    case 'last-admin':
      return 'This user is the organization\u2019s last admin: give another user the admin role first.';
    case 'unknown-role':
      return 'That role does not exist (any more). Choose one of the list.';
    case 'unknown-brand':
      return 'One of the checked brands does not exist (any more). Check the brands again.';
    case 'concurrent-change':
      return 'Someone changed this user at the same moment. Check their access and save again.';
    case 'access-from-groups':
      return 'Your organization now takes roles and brands from its groups, so they are not set here: map the user’s groups on the Groups page instead.';
    default:
      return 'This change cannot be made.';
  }
}

/**
 * POST /console/users/{userId}/access: the role, then the brands, each through the access service. Both
 * are checked against the tenant's roles and brands before anything is written, so a bad form writes
 * nothing; after the change, the page again (POST → 303 → GET) with a notice.
 */
export async function setUserAccess(
  deps: UsersDeps,
  admin: SignedIn,
  userId: string,
  form: Query,
): Promise<ConsoleResponse> {
  const user = await ownUser(deps, admin, userId);
  const directAdmin = single(form, 'direct_admin');
  if (directAdmin !== '') return setDirectAdmin(deps, admin, user, directAdmin);
  const scope = single(form, 'brand_scope');
  const checked = [...new Set(form.brand ?? [])];
  const input: AccessForm = {
    role: single(form, 'role').trim().slice(0, 200),
    allBrands: scope !== 'some',
    brands: checked.slice(0, MAX_BRANDS_PER_USER + 1).map((id) => id.slice(0, 200)),
  };
  const again = (status: number, problem: string) => userPage(deps, admin, user, status, input, problem);
  // A page opened before the switch to groups: nothing of the form is written (not even a direct admin role).
  if ((await deps.groupAccess.source(admin.tenantId)) === 'groups') {
    return again(409, refusalText(new Refusal('access-from-groups')));
  }
  if (scope !== 'all' && scope !== 'some') return again(400, 'Choose All brands or Only the brands checked below.');
  if (!input.allBrands && checked.length > MAX_BRANDS_PER_USER) {
    return again(400, `A user can be given at most ${MAX_BRANDS_PER_USER} brands.`);
  }
  const [roles, brands] = await Promise.all([
    deps.access.listRoles(admin.tenantId),
    deps.access.listBrands(admin.tenantId),
  ]);
  if (!roles.some((role) => foldCase(role.name) === foldCase(input.role))) {
    return again(400, 'Choose a role of the list.');
  }
  if (!input.allBrands && !checked.every((id) => brands.some((brand) => brand.brandId === id))) {
    return again(400, refusalText(new Refusal('unknown-brand')));
  }
  try {
    await deps.access.setRole(admin.tenantId, user.id, input.role);
    await deps.access.setBrands(admin.tenantId, user.id, input.allBrands ? 'all' : checked);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.code === 'unknown-user') throw notFound();
    return again(409, refusalText(error));
  }
  await deps.sessions.putFlash(
    admin.sessionSecret,
    sealFlash(admin.sessionSecret, { kind: 'notice', text: 'Access saved.' }),
  );
  return { kind: 'redirect', location: userUrl(deps.issuer, user.id) };
}

/**
 * In `groups` mode, the only change of a user's access the core allows here: the admin role given directly
 * (`user set-role --role admin`), or released to the groups (`user set-role --from-groups`).
 */
async function setDirectAdmin(
  deps: UsersDeps,
  admin: SignedIn,
  user: UserRecord,
  directAdmin: string,
): Promise<ConsoleResponse> {
  const again = (status: number, problem: string) => userPage(deps, admin, user, status, formOf(user), problem);
  if (directAdmin !== 'give' && directAdmin !== 'release') return again(400, 'This change cannot be made.');
  if ((await deps.groupAccess.source(admin.tenantId)) !== 'groups') {
    return again(
      409,
      'Your organization now has its admins set roles and brands: set this user’s role and brands below.',
    );
  }
  let text: string;
  try {
    if (directAdmin === 'give') {
      await deps.access.setRole(admin.tenantId, user.id, ADMIN_ROLE);
      text = 'The admin role was given directly; the groups no longer decide this user’s role.';
    } else {
      const released = await deps.groupAccess.releaseDirectAdmin(admin.tenantId, user.id);
      text = `The role now follows this user’s groups: ${released.access.role}.`;
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.code === 'unknown-user') throw notFound();
    return again(409, refusalText(error));
  }
  await deps.sessions.putFlash(admin.sessionSecret, sealFlash(admin.sessionSecret, { kind: 'notice', text }));
  return { kind: 'redirect', location: userUrl(deps.issuer, user.id) };
}
