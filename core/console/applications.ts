import { html } from '../html/template';
import type { ClientRecord } from '../oauth/clients';
import type { ConsoleAdmin } from './layout';
import { consolePage } from './layout';
import type { ConsoleResponse } from './sign-in';

/**
 * The console's OAuth applications: the tenant's OAuth clients (core/oauth/clients.ts), the same records the
 * admin CLI's `client` commands manage.
 */
export const APPLICATIONS_SECTION = 'Applications';

export interface ApplicationDeps {
  readonly clients: { list(tenantId: string): Promise<readonly ClientRecord[]> };
  readonly issuer: string;
}

/** GET /console/applications: the tenant's applications, newest first. */
export async function listApplications(deps: ApplicationDeps, admin: ConsoleAdmin): Promise<ConsoleResponse> {
  const clients = [...(await deps.clients.list(admin.tenantId))].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const rows = clients.map(
    (client) =>
      html`<tr><td>${client.name}</td><td><code>${client.clientId}</code></td><td>${client.redirectUris.map((uri) => html`<span class="value">${uri}</span><br>`)}</td><td>${client.createdAt.slice(0, 10)}</td></tr>`,
  );
  const body = html`<h1>OAuth applications</h1>
<p>An OAuth application is how an identity provider such as Okta connects to ${admin.tenantName}: it signs in with the application's Client ID and Client Secret, and an administrator approves the connection once.</p>
${
  clients.length === 0
    ? html`<p>There are no OAuth applications yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${clients.length} application${clients.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Redirect URIs</th><th scope="col">Created</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`;
  return {
    kind: 'page',
    status: 200,
    page: consolePage(deps.issuer, admin, { title: 'OAuth applications', body, section: APPLICATIONS_SECTION }),
  };
}
