import { pathOf } from '../../contract/routes';
import type { AccessService } from '../access/access-service';
import {
  type AccessSource,
  type GroupMapping,
  isPriority,
  MAX_BRANDS_PER_MAPPING,
  MAX_PRIORITY,
  MIN_PRIORITY,
} from '../access/group-access';
import type { GroupAccessService, MappedGroup, RecomputeProgress } from '../access/group-access-service';
import type { RecomputeJob } from '../access/ports';
import type { BrandRecord, RoleRecord } from '../access/records';
import { Refusal } from '../access/refusal';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { USER_ID_PATTERN } from '../scim/ids';
import { foldCase } from '../scim/values';
import { openFlash, sealFlash } from './flash';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleSessions } from './session';
import type { ConsoleResponse } from './sign-in';

/**
 * The console's Groups pages: the groups the identity provider pushed over SCIM, a page at a time (the
 * group store's cursor page in creation order, never a scan), each with its mapping to a role and brands;
 * the tenant's access source with the switch `tenant set-access-source` makes and the continuation of an
 * unfinished recomputation (`tenant recompute-access`); and per group the form of `group map` and
 * `group unmap`. Every change goes through the group access service the admin CLI uses, so the rules are
 * core/access/group-access.ts's. Another tenant's group id is a 404.
 */
export const GROUPS_SECTION = 'Groups';
export const GROUPS_PAGE_SIZE = 50;
/**
 * Pages of users (RECOMPUTE_PAGE each) one console request recomputes after a switch of the source; the
 * rest is left to the Continue button, so a request stays far within its time however large the tenant.
 */
export const RECOMPUTE_PAGES_PER_REQUEST = 10;

export interface GroupsDeps {
  readonly access: AccessService;
  readonly groupAccess: GroupAccessService;
  readonly sessions: ConsoleSessions;
  readonly issuer: string;
}

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

const groupsUrl = (issuer: string, after?: string): string =>
  `${consoleUrl(issuer, pathOf('ConsoleGroups'))}${after ? `?${new URLSearchParams({ after })}` : ''}`;
const groupUrl = (issuer: string, groupId: string) => consoleUrl(issuer, pathOf('ConsoleGroup'), { groupId });

/** The hidden fields that say which form was sent (every form posts to /console/groups), and for which group. */
const actionField = (action: string): SafeHtml => html`<input type="hidden" name="action" value="${action}">`;
const groupField = (groupId: string): SafeHtml => html`<input type="hidden" name="group" value="${groupId}">`;

const SOURCE_LABELS: Readonly<Record<AccessSource, string>> = {
  admins: 'Admins set each user\u2019s role and brands',
  groups: 'Your identity provider\u2019s groups give roles and brands',
};

const single = (form: Form, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

const brandNames = (ids: readonly string[], brands: readonly BrandRecord[]): string =>
  ids.map((id) => brands.find((brand) => brand.brandId === id)?.name ?? id).join(', ');

/** A mapping in words, for the list and the group's page. */
function mappingText(mapping: GroupMapping | undefined, brands: readonly BrandRecord[]): string {
  if (!mapping) return 'Not mapped';
  const parts = [
    ...(mapping.role ? [`role ${mapping.role.name} (priority ${mapping.role.priority})`] : []),
    ...(mapping.brands === undefined
      ? []
      : [mapping.brands === 'all' ? 'all brands' : `brands ${brandNames(mapping.brands, brands) || 'none'}`]),
  ];
  return parts.join(', ');
}

function jobText(job: RecomputeJob): string {
  return `A recomputation of ${job.scope === 'all' ? 'every user\u2019s' : 'one group\u2019s members\u2019'} access (${job.reason}), started ${job.startedAt.replace('T', ' ').slice(0, 19)} UTC by ${job.actor}, has not finished.`;
}

const progressText = (progress: RecomputeProgress | undefined): string =>
  progress === undefined
    ? ''
    : ` ${progress.recomputed} user${progress.recomputed === 1 ? '' : 's'} recomputed, ${progress.changed} changed${
        progress.finished ? '.' : '; not finished yet: continue it below.'
      }`;

async function takeNotice(deps: GroupsDeps, admin: SignedIn): Promise<string | undefined> {
  const flash = await deps.sessions.takeFlash(admin.sessionSecret);
  return flash ? (openFlash(admin.sessionSecret, flash) as { text?: string } | undefined)?.text : undefined;
}

const done = async (deps: GroupsDeps, admin: SignedIn, location: string, text: string): Promise<ConsoleResponse> => {
  await deps.sessions.putFlash(admin.sessionSecret, sealFlash(admin.sessionSecret, { kind: 'notice', text }));
  return { kind: 'redirect', location };
};

const page = (deps: GroupsDeps, admin: ConsoleAdmin, status: number, title: string, body: SafeHtml) =>
  ({ kind: 'page', status, page: consolePage(deps.issuer, admin, { title, body, section: GROUPS_SECTION }) }) as const;

/** GET /console/groups?after=: the access source, then one page of the tenant's groups with their mappings. */
export const listGroupsPage = (deps: GroupsDeps, admin: SignedIn, query: Form): Promise<ConsoleResponse> =>
  groupsPage(deps, admin, query.after?.[0] ?? '');

async function groupsPage(
  deps: GroupsDeps,
  admin: SignedIn,
  after: string,
  sourceProblem?: string,
): Promise<ConsoleResponse> {
  const problem =
    sourceProblem ??
    (after !== '' && !USER_ID_PATTERN.test(after)
      ? 'That page of groups does not exist. Showing the first page instead.'
      : undefined);
  const cursor = after !== '' && !problem ? after : undefined;
  const [settings, { groups, more }, brands, orphans, notice] = await Promise.all([
    deps.groupAccess.settings(admin.tenantId),
    deps.groupAccess.pageGroups(admin.tenantId, cursor, GROUPS_PAGE_SIZE),
    deps.access.listBrands(admin.tenantId),
    cursor ? Promise.resolve([]) : deps.groupAccess.orphanMappings(admin.tenantId),
    takeNotice(deps, admin),
  ]);
  const sourceRadio = (source: AccessSource) =>
    settings.source === source
      ? html`<div class="check"><input type="radio" id="source-${source}" name="source" value="${source}" checked><label for="source-${source}">${SOURCE_LABELS[source]}</label></div>`
      : html`<div class="check"><input type="radio" id="source-${source}" name="source" value="${source}"><label for="source-${source}">${SOURCE_LABELS[source]}</label></div>`;
  const rows = groups.map(
    (entry: MappedGroup) =>
      html`<tr><td><a href="${safeUrl(groupUrl(deps.issuer, entry.groupId))}">${entry.group?.displayName ?? entry.groupId}</a></td><td>${String(entry.group?.memberCount ?? 0)}</td><td>${mappingText(entry.mapping, brands)}</td></tr>`,
  );
  const orphanRows = orphans.map(
    (mapping) =>
      html`<tr><td><a href="${safeUrl(groupUrl(deps.issuer, mapping.groupId))}"><code>${mapping.groupId}</code></a></td><td>${mappingText(mapping, brands)}</td></tr>`,
  );
  const body = html`<h1>Groups</h1>
<p>The groups your identity provider pushed over SCIM, oldest first, and what each gives its members. Open a group to map it to a role and brands.</p>
${noticeBox(notice)}
${alertBox(problem)}
<section aria-labelledby="source-heading">
<h2 id="source-heading">Where roles and brands come from</h2>
${settings.job ? html`<div class="warning" role="status"><p>${jobText(settings.job)}</p><form method="post" action="${safeUrl(groupsUrl(deps.issuer))}">${csrfField(admin.csrfToken)}${actionField('recompute')}<button type="submit">Continue the recomputation</button></form></div>` : undefined}
<form method="post" action="${safeUrl(groupsUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}${actionField('set-source')}
<fieldset><legend>Access source</legend>
${sourceRadio('admins')}${sourceRadio('groups')}
</fieldset>
<p class="help">With groups, a user\u2019s role is the role of the highest-priority mapped group they belong to (otherwise collaborator) and their brands are those of all their mapped groups (otherwise all brands). An admin role given directly on a user\u2019s page is kept. Switching to groups recomputes every user; switching back to admins keeps everyone\u2019s current role and brands.</p>
<div class="actions"><button type="submit">Save access source</button></div>
</form>
</section>
<section aria-labelledby="groups-heading">
<h2 id="groups-heading">Groups</h2>
${
  groups.length === 0
    ? html`<p>${cursor ? 'No more groups.' : 'No groups yet. They appear here once your identity provider pushes them.'}</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${groups.length} group${groups.length === 1 ? '' : 's'}${cursor ? ', next page' : ''}</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">Gives</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
${more ? html`<p><a href="${safeUrl(groupsUrl(deps.issuer, groups.at(-1)?.groupId))}">Next groups</a></p>` : undefined}
${cursor ? html`<p><a href="${safeUrl(groupsUrl(deps.issuer))}">First groups</a></p>` : undefined}
</section>
${
  orphanRows.length === 0
    ? undefined
    : html`<section aria-labelledby="orphans-heading">
<h2 id="orphans-heading">Mappings of deleted groups</h2>
<p>Your identity provider deleted these groups, but their mappings remain. Open one to remove it.</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Group ID</th><th scope="col">Gave</th></tr></thead>
<tbody>${orphanRows}</tbody>
</table></div>
</section>`
}`;
  return page(deps, admin, problem ? 400 : 200, 'Groups', body);
}

/** What the access service says about a job it ran, as the notice after a change. */
function sourceNotice(source: AccessSource, changed: boolean, progress: RecomputeProgress | undefined): string {
  const text = changed
    ? `Roles and brands now come from ${source === 'groups' ? 'your identity provider\u2019s groups' : 'the admins'}.`
    : `Roles and brands already come from ${source === 'groups' ? 'your identity provider\u2019s groups' : 'the admins'}.`;
  return `${text}${progressText(progress)}`;
}

/**
 * POST /console/groups: every form of the Groups pages, by its `action`: the access source, the Continue
 * button of an unfinished recomputation, and a group's mapping form and Remove mapping button (with `group`).
 * Each sets a state rather than adding to it, so the same form posted twice leaves what the first post set
 * (a second Remove mapping is told the group has no mapping any more).
 */
export async function changeGroupsFromForm(deps: GroupsDeps, admin: SignedIn, form: Form): Promise<ConsoleResponse> {
  const action = single(form, 'action');
  if (action === 'recompute') return continueRecompute(deps, admin);
  if (action === 'set-source') return setAccessSource(deps, admin, form);
  if (action === 'map') return mapGroup(deps, admin, single(form, 'group'), form);
  if (action === 'unmap') return unmapGroup(deps, admin, single(form, 'group'));
  throw new PageError(400, 'Invalid request', 'The form was not recognised. Reload the page and try again.');
}

/** `tenant set-access-source`, recomputing a bounded part at once. */
async function setAccessSource(deps: GroupsDeps, admin: SignedIn, form: Form): Promise<ConsoleResponse> {
  const source = single(form, 'source');
  if (source !== 'admins' && source !== 'groups') {
    return groupsPage(deps, admin, '', 'Choose where roles and brands come from: admins or groups.');
  }
  const result = await deps.groupAccess.setSource(admin.tenantId, source, { pages: RECOMPUTE_PAGES_PER_REQUEST });
  return done(deps, admin, groupsUrl(deps.issuer), sourceNotice(source, result.changed, result.progress));
}

/** `tenant recompute-access`, a bounded part of it per request. */
async function continueRecompute(deps: GroupsDeps, admin: SignedIn): Promise<ConsoleResponse> {
  const settings = await deps.groupAccess.settings(admin.tenantId);
  if (!settings.job) return done(deps, admin, groupsUrl(deps.issuer), 'No recomputation is pending.');
  const progress = await deps.groupAccess.continueRecompute(admin.tenantId, { pages: RECOMPUTE_PAGES_PER_REQUEST });
  return done(deps, admin, groupsUrl(deps.issuer), `Recomputation continued.${progressText(progress)}`);
}

const notFound = () =>
  new PageError(404, 'Not found', 'There is no such group in your organization. It may have been deleted.');

/** The tenant's group (or a mapping its deleted group left), or a 404 page: another tenant's id is unknown here. */
async function ownGroup(deps: GroupsDeps, admin: ConsoleAdmin, groupId: string): Promise<MappedGroup> {
  if (!USER_ID_PATTERN.test(groupId)) throw notFound();
  try {
    const found = await deps.groupAccess.findGroup(admin.tenantId, groupId);
    if (found.groupId !== groupId) throw notFound();
    return found;
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unknown-group') throw notFound();
    throw error;
  }
}

/** The mapping form as the admin last sent it (or as stored): `''` means "not given". */
interface MappingForm {
  readonly role: string;
  readonly priority: string;
  readonly brandScope: 'none' | 'all' | 'some';
  readonly brands: readonly string[];
}

const formOf = (mapping: GroupMapping | undefined): MappingForm => ({
  role: mapping?.role?.name ?? '',
  priority: mapping?.role ? String(mapping.role.priority) : '',
  brandScope: mapping?.brands === undefined ? 'none' : mapping.brands === 'all' ? 'all' : 'some',
  brands: Array.isArray(mapping?.brands) ? (mapping?.brands as readonly string[]) : [],
});

type FieldProblems = Partial<Record<'role' | 'priority' | 'brands', string>>;

async function groupPage(
  deps: GroupsDeps,
  admin: SignedIn,
  found: MappedGroup,
  status: number,
  form: MappingForm,
  problems: FieldProblems = {},
  alert?: string,
): Promise<ConsoleResponse> {
  const [roles, brands, notice] = await Promise.all([
    deps.access.listRoles(admin.tenantId),
    deps.access.listBrands(admin.tenantId),
    takeNotice(deps, admin),
  ]);
  const { group, mapping } = found;
  const title = group?.displayName ?? 'Deleted group';
  const error = (field: keyof FieldProblems) =>
    problems[field] ? html`<p class="alert" id="${field}-error">${problems[field]}</p>` : undefined;
  const described = (field: keyof FieldProblems, help: string) => (problems[field] ? `${help} ${field}-error` : help);
  const roleOption = (role: RoleRecord) =>
    foldCase(role.name) === foldCase(form.role)
      ? html`<option value="${role.name}" selected>${role.name}</option>`
      : html`<option value="${role.name}">${role.name}</option>`;
  // What `group map` leaves out keeps its earlier mapping: once a role or brands are mapped, they are
  // changed here, or removed with the whole mapping.
  const noRoleOption = mapping?.role
    ? undefined
    : form.role === ''
      ? html`<option value="" selected>No role (the group gives none)</option>`
      : html`<option value="">No role (the group gives none)</option>`;
  const scopes: { value: MappingForm['brandScope']; label: string }[] = [
    ...(mapping?.brands === undefined ? [{ value: 'none' as const, label: 'No brands (the group gives none)' }] : []),
    { value: 'all', label: 'All brands' },
    { value: 'some', label: 'Only the brands checked below' },
  ];
  const scopeRadios = scopes.map(({ value, label }) =>
    form.brandScope === value
      ? html`<div class="check"><input type="radio" id="scope-${value}" name="brand_scope" value="${value}" checked><label for="scope-${value}">${label}</label></div>`
      : html`<div class="check"><input type="radio" id="scope-${value}" name="brand_scope" value="${value}"><label for="scope-${value}">${label}</label></div>`,
  );
  const brandBoxes = brands.map((brand) =>
    form.brands.includes(brand.brandId)
      ? html`<div class="check"><input type="checkbox" id="brand-${brand.brandId}" name="brand" value="${brand.brandId}" checked><label for="brand-${brand.brandId}">${brand.name}</label></div>`
      : html`<div class="check"><input type="checkbox" id="brand-${brand.brandId}" name="brand" value="${brand.brandId}"><label for="brand-${brand.brandId}">${brand.name}</label></div>`,
  );
  const mapForm = group
    ? html`<h2>Mapping</h2>
<form method="post" action="${safeUrl(groupsUrl(deps.issuer))}" novalidate>
${csrfField(admin.csrfToken)}${actionField('map')}${groupField(found.groupId)}
<div class="field"><label for="role">Role</label>
<select id="role" name="role" aria-describedby="${described('role', 'role-help')}">${noRoleOption}${roles.map(roleOption)}</select>
<p class="help" id="role-help">The role the group gives its members. A member of several mapped groups gets the role of the group with the highest priority.</p>${error('role')}</div>
<div class="field"><label for="priority">Priority</label>
<input type="text" id="priority" name="priority" inputmode="numeric" value="${form.priority}" aria-describedby="${described('priority', 'priority-help')}" autocomplete="off">
<p class="help" id="priority-help">A whole number from ${String(MIN_PRIORITY)} to ${String(MAX_PRIORITY)}; higher wins. Needed with a role.</p>${error('priority')}</div>
<fieldset aria-describedby="${described('brands', 'brands-help')}"><legend>Brands</legend>
${scopeRadios}
${brands.length === 0 ? html`<p class="help">Your organization has no brands yet.</p>` : brandBoxes}
<p class="help" id="brands-help">A member gets the brands of all their mapped groups; at most ${String(MAX_BRANDS_PER_MAPPING)} brands per group.</p>${error('brands')}
</fieldset>
<div class="actions"><button type="submit">Save mapping</button></div>
</form>`
    : html`<p>Your identity provider deleted this group, but its mapping remains. Remove it.</p>`;
  const unmapForm = mapping
    ? html`<h2>Remove the mapping</h2>
<p>The group then gives nothing: its members lose exactly what it gave them.</p>
<form method="post" action="${safeUrl(groupsUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}${actionField('unmap')}${groupField(found.groupId)}
<div class="actions"><button type="submit" class="secondary">Remove mapping</button></div>
</form>`
    : undefined;
  const body = html`<p><a href="${safeUrl(groupsUrl(deps.issuer))}">All groups</a></p>
<h1>${title}</h1>
${noticeBox(notice)}
${alertBox(alert)}
<dl><dt>Group ID</dt><dd><code>${found.groupId}</code></dd>${group?.externalId !== undefined ? html`<dt>External ID</dt><dd><code>${group.externalId}</code></dd>` : undefined}${group ? html`<dt>Members</dt><dd>${String(group.memberCount)}</dd>` : undefined}<dt>Gives</dt><dd>${mappingText(mapping, brands)}</dd></dl>
${mapForm}
${unmapForm}`;
  return page(deps, admin, status, title, body);
}

/** GET /console/groups/{groupId} */
export async function showGroup(deps: GroupsDeps, admin: SignedIn, groupId: string): Promise<ConsoleResponse> {
  const found = await ownGroup(deps, admin, groupId);
  return groupPage(deps, admin, found, 200, formOf(found.mapping));
}

/** The admin's words for a refusal of the group access service. */
function refusalText(refusal: Refusal): string {
  switch (refusal.code) {
    case 'too-many-mappings':
      return `Your organization already maps ${String(refusal.facts.limit ?? '')} groups, the most it can. Remove another group\u2019s mapping first.`;
    case 'unknown-role':
      return 'That role does not exist (any more). Choose one of the list.';
    case 'unknown-brand':
      return 'One of the checked brands does not exist (any more). Check the brands again.';
    case 'concurrent-change':
      return 'Users\u2019 access kept changing while it was recomputed. Save the mapping again.';
    default:
      return 'This change cannot be made.';
  }
}

/**
 * `group map`. The role and brands are checked against the tenant's
 * before anything is written, so a bad form writes nothing and comes back with the input kept.
 */
async function mapGroup(deps: GroupsDeps, admin: SignedIn, groupId: string, form: Form): Promise<ConsoleResponse> {
  const found = await ownGroup(deps, admin, groupId);
  const scope = single(form, 'brand_scope');
  const checked = [...new Set(form.brand ?? [])];
  const input: MappingForm = {
    role: single(form, 'role').trim().slice(0, 200),
    priority: single(form, 'priority').trim().slice(0, 20),
    brandScope: scope === 'all' || scope === 'some' ? scope : 'none',
    brands: checked.slice(0, MAX_BRANDS_PER_MAPPING + 1).map((id) => id.slice(0, 200)),
  };
  if (!found.group) throw notFound();
  const [roles, brands] = await Promise.all([
    deps.access.listRoles(admin.tenantId),
    deps.access.listBrands(admin.tenantId),
  ]);
  const problems: FieldProblems = {};
  const role =
    input.role === '' ? undefined : roles.find((candidate) => foldCase(candidate.name) === foldCase(input.role));
  if (input.role !== '' && !role) problems.role = 'Choose a role of the list.';
  if (input.role === '' && found.mapping?.role) problems.role = 'Choose the role the group gives.';
  const priority = /^\d{1,7}$/.test(input.priority) ? Number(input.priority) : Number.NaN;
  if (role && !isPriority(priority)) {
    problems.priority = `Enter a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}.`;
  } else if (!role && input.priority !== '' && !problems.role) {
    problems.priority = 'A priority goes with a role: choose a role, or leave the priority empty.';
  }
  if (scope !== '' && scope !== 'none' && scope !== 'all' && scope !== 'some') {
    problems.brands = 'Choose which brands the group gives.';
  } else if (input.brandScope === 'none' && found.mapping?.brands !== undefined) {
    problems.brands = 'Choose which brands the group gives.';
  } else if (input.brandScope === 'some' && checked.length === 0) {
    problems.brands = 'Check at least one brand, or choose All brands.';
  } else if (input.brandScope === 'some' && checked.length > MAX_BRANDS_PER_MAPPING) {
    problems.brands = `A group can give at most ${MAX_BRANDS_PER_MAPPING} brands; choose All brands for every brand.`;
  } else if (input.brandScope === 'some' && !checked.every((id) => brands.some((brand) => brand.brandId === id))) {
    problems.brands = refusalText(new Refusal('unknown-brand'));
  }
  if (!problems.role && !problems.brands && !role && input.brandScope === 'none') {
    problems.role = 'Choose a role, brands, or both.';
  }
  if (Object.keys(problems).length > 0) {
    return groupPage(deps, admin, found, 400, input, problems, 'The mapping was not saved. Check the fields below.');
  }
  try {
    const result = await deps.groupAccess.map(admin.tenantId, found.groupId, {
      ...(role ? { role: { name: role.name, priority } } : {}),
      ...(input.brandScope === 'all' ? { brands: 'all' as const } : {}),
      ...(input.brandScope === 'some' ? { brands: checked } : {}),
    });
    return done(
      deps,
      admin,
      groupUrl(deps.issuer, found.groupId),
      `Mapping saved: ${mappingText(result.mapping, brands)}.${progressText(result.progress)}`,
    );
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.code === 'unknown-group') throw notFound();
    return groupPage(deps, admin, found, 409, input, {}, refusalText(error));
  }
}

/** `group unmap`; a second post (another tab, the Back button) says it is done. */
async function unmapGroup(deps: GroupsDeps, admin: SignedIn, groupId: string): Promise<ConsoleResponse> {
  const found = await ownGroup(deps, admin, groupId);
  const location = found.group ? groupUrl(deps.issuer, found.groupId) : groupsUrl(deps.issuer);
  try {
    const result = await deps.groupAccess.unmap(admin.tenantId, found.groupId);
    return done(deps, admin, location, `Mapping removed: the group gives nothing now.${progressText(result.progress)}`);
  } catch (error) {
    if (error instanceof Refusal && error.code === 'unmapped-group') {
      return done(deps, admin, location, 'This group has no mapping (any more).');
    }
    throw error;
  }
}
