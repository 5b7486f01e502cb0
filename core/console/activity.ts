import { routeById } from '../../contract/routes';
import {
  ACTIVITY_LIMITS,
  ACTIVITY_STATUSES,
  type ActivityEntry,
  type ActivityReader,
  type ActivityStatus,
  InvalidActivityCursor,
} from '../activity/activity-entry';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl } from './layout';
import type { ConsoleResponse } from './sign-in';

/**
 * The console's Activity page: the tenant's provisioning log (core/activity), newest first, filtered by
 * status and user, one page at a time, so that the admin can answer "why did Okta's task fail" alone. The
 * filters are a GET form: nothing changes, so a link to a filtered page can be shared and the Back button
 * works. Only the signed-in admin's tenant is ever read.
 */
export const ACTIVITY_SECTION = 'Activity';
export const ACTIVITY_PAGE_SIZE = 50;
const MAX_USER_FILTER_CHARS = ACTIVITY_LIMITS.userNameChars;

export interface ActivityPageDeps {
  readonly log: ActivityReader;
  readonly issuer: string;
  readonly now: () => Date;
}

interface Filters {
  readonly status: string;
  readonly user: string;
  readonly cursor: string | undefined;
}

const first = (query: Readonly<Record<string, readonly string[]>>, name: string): string | undefined =>
  query[name]?.[0];

/** GET /console/activity?status=&user=&cursor= */
export async function activityPage(
  deps: ActivityPageDeps,
  admin: ConsoleAdmin,
  query: Readonly<Record<string, readonly string[]>>,
): Promise<ConsoleResponse> {
  const filters: Filters = {
    status: first(query, 'status') ?? '',
    user: (first(query, 'user') ?? '').trim(),
    cursor: first(query, 'cursor') || undefined,
  };
  const problem = filterProblem(filters);
  if (problem) return render(deps, admin, filters, { entries: [] }, problem, 400);
  try {
    const page = await deps.log.page(
      {
        tenantId: admin.tenantId,
        ...(filters.status ? { status: filters.status as ActivityStatus } : {}),
        ...(filters.user ? { user: filters.user } : {}),
        limit: ACTIVITY_PAGE_SIZE,
        ...(filters.cursor ? { cursor: filters.cursor } : {}),
      },
      deps.now(),
    );
    return render(deps, admin, filters, page, undefined, 200);
  } catch (error) {
    if (!(error instanceof InvalidActivityCursor)) throw error;
    const problem = 'That page of the activity log no longer exists. Showing the newest entries instead.';
    return activityPageAfterProblem(deps, admin, { ...filters, cursor: undefined }, problem);
  }
}

async function activityPageAfterProblem(
  deps: ActivityPageDeps,
  admin: ConsoleAdmin,
  filters: Filters,
  problem: string,
): Promise<ConsoleResponse> {
  const page = await deps.log.page(
    {
      tenantId: admin.tenantId,
      ...(filters.status ? { status: filters.status as ActivityStatus } : {}),
      ...(filters.user ? { user: filters.user } : {}),
      limit: ACTIVITY_PAGE_SIZE,
    },
    deps.now(),
  );
  return render(deps, admin, filters, page, problem, 400);
}

function filterProblem(filters: Filters): string | undefined {
  if (filters.status !== '' && !(ACTIVITY_STATUSES as readonly string[]).includes(filters.status)) {
    return 'Choose a status: all, success or failure.';
  }
  if ([...filters.user].length > MAX_USER_FILTER_CHARS || /\p{Cc}/u.test(filters.user)) {
    return `The user must be a user ID or a userName of at most ${MAX_USER_FILTER_CHARS} characters.`;
  }
  if (filters.cursor !== undefined && filters.cursor.length > 400) {
    return 'That page of the activity log does not exist.';
  }
  return undefined;
}

/** The manifest's method and path of the route an entry was: what the IdP called. */
function operationLabel(operation: string): string {
  const route = routeById(operation);
  return route ? `${route.method} ${route.path}` : operation;
}

const errorText = (entry: ActivityEntry): string =>
  entry.error ? [entry.error.type, entry.error.detail].filter(Boolean).join(': ') : '';

function activityUrl(issuer: string, filters: { status: string; user: string; cursor?: string }): string {
  const route = routeById('ConsoleActivity');
  if (!route) throw new Error('The route manifest has no ConsoleActivity route');
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.user) params.set('user', filters.user);
  if (filters.cursor) params.set('cursor', filters.cursor);
  const search = params.toString();
  return `${consoleUrl(issuer, route.path)}${search ? `?${search}` : ''}`;
}

function render(
  deps: ActivityPageDeps,
  admin: ConsoleAdmin,
  filters: Filters,
  page: { entries: readonly ActivityEntry[]; next?: string },
  problem: string | undefined,
  status: number,
): ConsoleResponse {
  const option = (value: string, label: string): SafeHtml =>
    filters.status === value
      ? html`<option value="${value}" selected>${label}</option>`
      : html`<option value="${value}">${label}</option>`;
  const rows = page.entries.map(
    (entry) =>
      html`<tr><td><time datetime="${entry.at}">${entry.at.replace('T', ' ').slice(0, 19)} UTC</time></td><td><code>${entry.clientId ?? ''}</code></td><td>${operationLabel(entry.operation)}</td><td>${entry.userName ?? ''}${entry.userName && entry.userId ? html`<br>` : undefined}${entry.userId ? html`<code>${entry.userId}</code>` : undefined}</td><td>${entry.status === 'failure' ? html`<strong>Failure</strong>` : 'Success'} ${entry.httpStatus}</td><td>${errorText(entry)}</td></tr>`,
  );
  const filtered = filters.status !== '' || filters.user !== '';
  const body = html`<h1>Activity</h1>
<p>Every SCIM and token request of your identity provider in the last 30 days, newest first: who called, what it did, for which user, and for a failure the error it received. Requests appear here a few seconds after they are answered.</p>
${alertBox(problem)}
<form method="get" action="${safeUrl(activityUrl(deps.issuer, { status: '', user: '' }))}" class="filters">
<div class="field"><label for="status">Status</label>
<select id="status" name="status">${option('', 'All')}${option('success', 'Success')}${option('failure', 'Failure')}</select></div>
<div class="field"><label for="user">User</label>
<input type="text" id="user" name="user" value="${filters.user}" aria-describedby="user-help" autocomplete="off">
<p class="help" id="user-help">A user ID, or a userName in any letter case.</p></div>
<div class="actions"><button type="submit">Show</button>${filtered ? html`<a href="${safeUrl(activityUrl(deps.issuer, { status: '', user: '' }))}">Clear the filters</a>` : undefined}</div>
</form>
${
  page.entries.length === 0
    ? html`<p>${filtered ? 'No activity matches these filters.' : 'No activity in the last 30 days.'}</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${page.entries.length} request${page.entries.length === 1 ? '' : 's'}${filters.cursor ? ', older page' : ''}</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Client ID</th><th scope="col">Operation</th><th scope="col">User</th><th scope="col">Status</th><th scope="col">Error</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
${page.next ? html`<p><a href="${safeUrl(activityUrl(deps.issuer, { ...filters, cursor: page.next }))}">Older entries</a></p>` : undefined}`;
  return {
    kind: 'page',
    status,
    page: consolePage(deps.issuer, admin, { title: 'Activity', body, section: ACTIVITY_SECTION }),
  };
}
