import { pathOf, SCIM_BASE_PATH } from '../../contract/routes';
import { Refusal } from '../access/refusal';
import { PageScript } from '../html/page';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import {
  type ClientRemovalStores,
  clientNameProblem,
  DEFAULT_SECRET_OVERLAP_SECONDS,
  deleteClientRevokingGrants,
  rotateClientSecret,
  type SecretRotationStores,
} from '../oauth/client-registration';
import { type ClientRecord, clientAuthenticationOf, type NewPublicClient } from '../oauth/clients';
import type { GrantRecord, RevocationReason } from '../oauth/grants';
import { redirectUriProblem } from '../oauth/redirect-uris';
import type { UserRecord } from '../scim/user-record';
import { putSessionFlash, takeSessionFlash } from './flash';
import {
  alreadySentPage,
  type FormIdGuard,
  firstPostOfForm,
  formIdField,
  formIdOf,
  idOfForm,
  newFormId,
} from './form-once';
import { alertBox, type ConsoleAdmin, consolePage, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleSessions } from './session';
import type { ConsoleResponse } from './sign-in';
import { instantText } from './times';

/**
 * The console's OAuth applications: the tenant's OAuth clients (core/oauth/clients.ts), the same records and
 * rules as the admin CLI's `client` and `grant` commands (core/oauth/client-registration.ts,
 * core/oauth/redirect-uris.ts). Another tenant's application or connection is a 404, like one that does not
 * exist.
 */
export const APPLICATIONS_SECTION = 'Applications';

export interface ApplicationDeps {
  readonly clients: {
    list(tenantId: string): Promise<readonly ClientRecord[]>;
    get(clientId: string): Promise<ClientRecord | undefined>;
    /** `clientId` names the new client, so that a form posted twice fails with the `duplicate-client` refusal. */
    create(
      input: { tenantId: string; name: string; redirectUris: readonly string[] },
      now: Date,
      clientId: string,
    ): Promise<{ client: ClientRecord; clientSecret: string }>;
    createPublic(input: NewPublicClient, now: Date, clientId: string): Promise<{ client: ClientRecord }>;
    delete(clientId: string): Promise<ClientRecord | undefined>;
  } & SecretRotationStores['clients'];
  readonly grants: ClientRemovalStores['grants'] & { get(grantId: string): Promise<GrantRecord | undefined> };
  readonly users: { get(tenantId: string, userId: string): Promise<Pick<UserRecord, 'attributes'> | undefined> };
  readonly sessions: ConsoleSessions;
  /** Where the rotate-secret forms are recorded once (core/console/form-once.ts). */
  readonly forms: FormIdGuard;
  readonly issuer: string;
  readonly now: () => Date;
}

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };

/** What a form post leaves for the page it redirects to: a new secret (shown once), or a sentence. */
type Flash =
  | {
      readonly kind: 'secret';
      readonly clientId: string;
      readonly clientSecret: string;
      readonly previousEndsAt?: number;
    }
  | { readonly kind: 'public-created'; readonly clientId: string }
  | { readonly kind: 'notice'; readonly text: string };

const takeFlash = (deps: ApplicationDeps, admin: SignedIn) =>
  takeSessionFlash<Flash>(deps.sessions, admin.sessionSecret);

const putFlash = (deps: ApplicationDeps, admin: SignedIn, flash: Flash) =>
  putSessionFlash(deps.sessions, admin.sessionSecret, flash);

const notFound = () =>
  new PageError(404, 'Not found', 'There is no such application in your organization. It may have been deleted.');

/** The tenant's client, or a 404 page: another tenant's id is answered as an unknown one. */
async function ownClient(deps: ApplicationDeps, admin: ConsoleAdmin, clientId: string): Promise<ClientRecord> {
  const client = clientId.length <= 256 ? await deps.clients.get(clientId) : undefined;
  if (!client || client.tenantId !== admin.tenantId) throw notFound();
  return client;
}

const applicationUrl = (deps: Pick<ApplicationDeps, 'issuer'>, clientId: string) =>
  consoleUrl(deps.issuer, pathOf('ConsoleApplication'), { clientId });

/** A page of the applications area (OAuth applications, machine clients, SCIM tokens), with the copy buttons. */
export const applicationsAreaPage = (
  issuer: string,
  admin: ConsoleAdmin,
  status: number,
  title: string,
  body: SafeHtml,
) =>
  ({
    kind: 'page',
    status,
    page: consolePage(issuer, admin, { title, body, section: APPLICATIONS_SECTION, script: COPY_SCRIPT }),
  }) as const;

/**
 * What kind of client it is, in the admin's words: how it proves itself at the token endpoint
 * (core/oauth/clients.ts `clientAuthenticationOf`) and which grant it uses.
 */
export function clientKindLabel(client: ClientRecord): string {
  const authentication = clientAuthenticationOf(client);
  if (client.kind === 'client_credentials') {
    if (authentication === 'private_key_jwt') {
      return client.assertionCredential?.kind === 'jwks'
        ? 'Machine, signed JWT (private_key_jwt)'
        : 'Machine, federated credential (private_key_jwt)';
    }
    return 'Machine, client secret';
  }
  return authentication === 'none' ? 'Public, PKCE S256 (no secret)' : 'Confidential, client secret';
}

/** GET /console/applications: the tenant's applications, newest first. */
export async function listApplications(deps: ApplicationDeps, admin: SignedIn): Promise<ConsoleResponse> {
  const flash = await takeFlash(deps, admin);
  const clients = [...(await deps.clients.list(admin.tenantId))].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const rows = clients.map(
    (client) =>
      html`<tr><td><a href="${safeUrl(applicationUrl(deps, client.clientId))}">${client.name}</a></td><td>${clientKindLabel(client)}</td><td><code>${client.clientId}</code></td><td>${client.createdAt.slice(0, 10)}</td></tr>`,
  );
  const body = html`<h1>OAuth applications</h1>
${noticeBox(flash?.kind === 'notice' ? flash.text : undefined)}
<p>An OAuth application is how an identity provider such as Okta connects to ${admin.tenantName}: it uses the application's Client ID and Client Secret, and an administrator approves the connection once.</p>
<p><a class="button" href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationNew')))}">Create new OAuth application</a></p>
<p>Identity providers that connect without a consent page: <a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleMachineClients')))}">Machine clients</a> (Microsoft Entra ID, client credentials) and <a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleScimTokens')))}">SCIM bearer tokens</a> (Entra's Secret Token, OneLogin, JumpCloud, …).</p>
${
  clients.length === 0
    ? html`<p>There are no OAuth applications yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${clients.length} application${clients.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Client ID</th><th scope="col">Created</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}`;
  return applicationsAreaPage(deps.issuer, admin, 200, 'OAuth applications', body);
}

interface ApplicationForm {
  readonly name: string;
  readonly redirectUri: string;
  readonly confidential: boolean;
  /** The form's one-time id (core/console/form-once.ts): the new client's id is derived from it. */
  readonly formId: string;
}

/**
 * The client id a Create form registers, derived from the tenant and the form's one-time id (`idOfForm`). The
 * client store writes a client only if its id is new, in the same conditional write that registers it, so a
 * form posted twice registers one application, and the second post is told so instead of getting a second
 * secret.
 */
export const clientIdOfForm = (tenantId: string, formId: string): string =>
  idOfForm('console-create-application', tenantId, formId);

const OKTA_CALLBACK_HELP = html`<p class="help" id="redirect-help">For Okta: <code>https://system-admin.okta.com/admin/app/cpc/&lt;okta_instance&gt;_&lt;okta_app_name&gt;/oauth/callback</code>. <code>&lt;okta_instance&gt;</code> is your Okta organization's name, the first part of your Okta address (<code>acme</code> in <code>acme.okta.com</code>); <code>&lt;okta_app_name&gt;</code> is the app's name in Okta, the part after the last slash of the app's address in Okta's Admin Console (Applications › your app, e.g. <code>scimapp_1</code>). If your Okta address ends in okta-emea.com or oktapreview.com, use that domain instead of okta.com. The URI must match exactly.</p>`;

function applicationFormPage(
  deps: ApplicationDeps,
  admin: ConsoleAdmin,
  status: number,
  form: ApplicationForm,
  problems: { readonly name?: string; readonly redirectUri?: string } = {},
): ConsoleResponse {
  const problemList = Object.values(problems).filter((problem): problem is string => problem !== undefined);
  const described = (id: string, problem: string | undefined) => (problem ? `${id} ${id}-error` : id);
  const fieldError = (id: string, problem: string | undefined) =>
    problem ? html`<p class="alert" id="${id}-error">${problem}</p>` : undefined;
  const body = html`<h1>Create new OAuth application</h1>
${problemList.length > 0 ? alertBox(`The application was not created. ${problemList.join('. ')}.`) : undefined}
<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationCreate')))}">
${csrfField(admin.csrfToken)}
${formIdField(form.formId)}
<div class="field">
<label for="name">Name</label>
<input id="name" name="name" type="text" required maxlength="200" aria-describedby="${described('name-help', problems.name)}" aria-invalid="${problems.name ? 'true' : 'false'}" value="${form.name}">
<p class="help" id="name-help">Shown on the consent page and in this list, e.g. User Provisioning.</p>
${fieldError('name', problems.name)}
</div>
<div class="field">
<label for="redirect_uri">Redirect URI</label>
<input id="redirect_uri" name="redirect_uri" type="url" required spellcheck="false" aria-describedby="${described('redirect-help', problems.redirectUri)}" aria-invalid="${problems.redirectUri ? 'true' : 'false'}" value="${form.redirectUri}">
${OKTA_CALLBACK_HELP}
${fieldError('redirect_uri', problems.redirectUri)}
</div>
<div class="field">
<label class="check" for="confidential">${form.confidential ? html`<input id="confidential" name="confidential" type="checkbox" value="yes" aria-describedby="confidential-help" checked>` : html`<input id="confidential" name="confidential" type="checkbox" value="yes" aria-describedby="confidential-help">`} Confidential</label>
<p class="help" id="confidential-help">Check it for Okta: a confidential application gets a Client Secret, which Okta keeps on its server. Leave it unchecked for a public application, one that cannot keep a secret (an app on a device or in a browser): it gets no secret and must use PKCE with S256 on every sign-in.</p>
</div>
<div class="actions"><button type="submit">Create</button><a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplications')))}">Cancel</a></div>
</form>`;
  return applicationsAreaPage(deps.issuer, admin, status, 'Create new OAuth application', body);
}

/** GET /console/applications/new: the form. */
export async function newApplication(deps: ApplicationDeps, admin: ConsoleAdmin): Promise<ConsoleResponse> {
  return applicationFormPage(deps, admin, 200, {
    name: '',
    redirectUri: '',
    confidential: false,
    formId: newFormId(),
  });
}

const single = (form: Readonly<Record<string, readonly string[]>>, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

/**
 * POST /console/applications: checks every field as the CLI's `client create` does, and shows the form again
 * with every problem and the input kept; nothing is written unless all are good. Checked Confidential registers
 * a confidential client with a secret, unchecked a public client (PKCE S256, no secret), like `client create
 * --public`. The new secret goes to the next page through the session's sealed flash (POST → 303 → GET), so
 * reloading that page never shows it again; the form's one-time id makes a second post of the same form register
 * nothing (`clientIdOfForm`).
 */
export async function createApplication(
  deps: ApplicationDeps,
  admin: SignedIn,
  form: Readonly<Record<string, readonly string[]>>,
): Promise<ConsoleResponse> {
  const formId = formIdOf(form);
  const input: ApplicationForm = {
    name: single(form, 'name').trim(),
    redirectUri: single(form, 'redirect_uri').trim(),
    confidential: single(form, 'confidential') === 'yes',
    formId,
  };
  const problems = { name: clientNameProblem(input.name), redirectUri: redirectUriProblem(input.redirectUri) };
  if (problems.name || problems.redirectUri) {
    return applicationFormPage(
      deps,
      admin,
      400,
      { ...input, name: input.name.slice(0, 400), redirectUri: input.redirectUri.slice(0, 4000) },
      problems,
    );
  }
  const clientId = clientIdOfForm(admin.tenantId, formId);
  const settings = { tenantId: admin.tenantId, name: input.name, redirectUris: [input.redirectUri] };
  try {
    if (input.confidential) {
      const { clientSecret } = await deps.clients.create(settings, deps.now(), clientId);
      await putFlash(deps, admin, { kind: 'secret', clientId, clientSecret });
    } else {
      await deps.clients.createPublic(settings, deps.now(), clientId);
      await putFlash(deps, admin, { kind: 'public-created', clientId });
    }
  } catch (error) {
    if (error instanceof Refusal && error.code === 'duplicate-client') return alreadyCreatedPage(deps, admin, clientId);
    throw error;
  }
  return { kind: 'redirect', location: applicationUrl(deps, clientId) };
}

/** The answer to a Create form sent a second time: what the first post created, never a second secret. */
async function alreadyCreatedPage(deps: ApplicationDeps, admin: SignedIn, clientId: string): Promise<ConsoleResponse> {
  const existing = await deps.clients.get(clientId);
  const back = html`<p><a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplications')))}">Back to OAuth applications</a></p>`;
  return existing && existing.tenantId === admin.tenantId
    ? alreadySentPage(
        deps.issuer,
        admin,
        APPLICATIONS_SECTION,
        html`The application <a href="${safeUrl(applicationUrl(deps, existing.clientId))}">${existing.name}</a> was created when this form was first sent, so nothing new was created.`,
        html`${clientAuthenticationOf(existing) === 'client_secret' ? html`<p>Its Client Secret is shown only once: open the application to see it if you have not yet; if it is no longer shown and you did not save it, rotate the secret there.</p>` : undefined}
${back}`,
      )
    : alreadySentPage(
        deps.issuer,
        admin,
        APPLICATIONS_SECTION,
        html`The application this form created has since been deleted, so nothing was created. To create another, open <a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationNew')))}">Create new OAuth application</a> again.`,
      );
}

/** The copy buttons: hidden without JavaScript, where the values can be selected and copied by hand. */
export const COPY_SCRIPT = new PageScript(
  "document.querySelectorAll('button[data-copy]').forEach(function(b){b.hidden=false;b.addEventListener('click',function(){var v=document.getElementById(b.getAttribute('data-copy'));if(!v||!navigator.clipboard)return;navigator.clipboard.writeText(v.textContent).then(function(){b.textContent='Copied';});});});",
);

export const copyable = (id: string, label: string, value: string) =>
  html`<dt>${label}</dt><dd class="copy"><span class="value" id="${id}">${value}</span><button type="button" class="secondary" data-copy="${id}" aria-label="${`Copy ${label}`}" hidden>Copy</button></dd>`;

async function approverName(deps: ApplicationDeps, tenantId: string, subject: string): Promise<string> {
  const userName = (await deps.users.get(tenantId, subject))?.attributes.userName;
  return typeof userName === 'string' ? userName : subject;
}

/**
 * GET /console/applications/{clientId}: the application, its Okta values, its secrets (described, never
 * shown), its connections, and once after creation or rotation the new secret.
 */
export async function showApplication(
  deps: ApplicationDeps,
  admin: SignedIn,
  clientId: string,
): Promise<ConsoleResponse> {
  const client = await ownClient(deps, admin, clientId);
  const flash = await takeFlash(deps, admin);
  const secret = flash?.kind === 'secret' && flash.clientId === client.clientId ? flash : undefined;
  const createdPublic = flash?.kind === 'public-created' && flash.clientId === client.clientId;
  const authentication = clientAuthenticationOf(client);
  const grants = (await deps.grants.list(admin.tenantId))
    .filter((grant) => grant.clientId === client.clientId)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const nowSeconds = Math.floor(deps.now().getTime() / 1000);
  const connectionRows: SafeHtml[] = [];
  for (const grant of grants) {
    const active = grant.status === 'active' && (grant.expiresAt === undefined || grant.expiresAt > nowSeconds);
    connectionRows.push(
      html`<tr><td>${await approverName(deps, admin.tenantId, grant.subject)}</td><td>${grant.createdAt.replace(/\.\d+Z$/, 'Z')}</td><td>${grant.lastUsedAt === undefined ? 'Not since approval' : instantText(grant.lastUsedAt)}</td><td>${active ? 'Active' : grant.status === 'revoked' ? `Revoked ${grant.revokedAt?.slice(0, 10) ?? ''}` : 'Expired'}</td><td>${
        active
          ? html`<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleConnectionRevoke'), { clientId: client.clientId, grantId: grant.grantId }))}">${csrfField(admin.csrfToken)}<button type="submit" class="secondary" aria-label="${`Revoke the connection approved by ${await approverName(deps, admin.tenantId, grant.subject)} on ${grant.createdAt.slice(0, 10)}`}">Revoke</button></form>`
          : undefined
      }</td></tr>`,
    );
  }
  const secrets = client.secrets.map(
    (info) =>
      html`<li>${info.expiresAt === undefined ? `Current secret, created ${info.createdAt.slice(0, 10)}` : `Previous secret, works until ${instantText(info.expiresAt)}`}</li>`,
  );
  const body = html`<h1>${client.name}</h1>
${noticeBox(flash?.kind === 'notice' ? flash.text : undefined)}
${
  secret
    ? html`<section aria-labelledby="credentials">
<h2 id="credentials">Save the Client ID and Client Secret</h2>
<p class="warning" role="alert"><strong>Save the Client Secret now.</strong> It is shown only this once and stored only as a hash: after you leave or reload this page nobody can show it again, and you would have to rotate it.${secret.previousEndsAt ? ` The previous secret keeps working until ${instantText(secret.previousEndsAt)}; update Okta before then.` : ''}</p>
<dl>${copyable('client-id', 'Client ID', client.clientId)}${copyable('client-secret', 'Client Secret', secret.clientSecret)}</dl>
</section>`
    : undefined
}
${
  createdPublic
    ? html`<section aria-labelledby="credentials">
<h2 id="credentials">Save the Client ID</h2>
<p class="notice" role="status">This is a public application: it has <strong>no Client Secret</strong>. It sends only its Client ID to the token endpoint, and must use <strong>PKCE with S256</strong> on every authorization request; a request without it, or with the plain method, is refused.</p>
<dl>${copyable('client-id', 'Client ID', client.clientId)}</dl>
</section>`
    : undefined
}
<section aria-labelledby="okta-values">
<h2 id="okta-values">The values Okta's Provisioning tab asks for</h2>
<dl>
${copyable('scim-base-url', 'SCIM connector base URL', `${deps.issuer}${SCIM_BASE_PATH}`)}
${copyable('authorization-endpoint', 'Authorization endpoint', `${deps.issuer}${pathOf('OAuthAuthorize')}`)}
${copyable('token-endpoint', 'Token endpoint', `${deps.issuer}${pathOf('OAuthToken')}`)}
${secret || createdPublic ? undefined : copyable('client-id', 'Client ID', client.clientId)}
</dl>
</section>
<section aria-labelledby="details">
<h2 id="details">Details</h2>
<dl>
<dt>Kind</dt><dd>${clientKindLabel(client)}</dd>
${client.redirectUris.length > 0 ? html`<dt>Redirect URI</dt><dd>${client.redirectUris.map((uri) => html`<span class="value">${uri}</span><br>`)}</dd>` : undefined}
${authentication === 'client_secret' ? html`<dt>Client secrets</dt><dd><ul>${secrets}</ul></dd>` : undefined}
</dl>
${credentialsSection(deps, admin, client)}
</section>
<section aria-labelledby="connections">
<h2 id="connections">Connections</h2>
${
  grants.length === 0
    ? html`<p>No connection yet: one is made when an administrator approves the application on the consent page.</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Approved by</th><th scope="col">Approved at</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${connectionRows}</tbody>
</table></div>`
}
</section>
<section aria-labelledby="delete">
<h2 id="delete">Delete</h2>
<p class="help">Deleting the application ends its credentials at once and revokes all its connections. You are asked to confirm first.</p>
<p><a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationDeleteConfirm'), { clientId: client.clientId }))}">Delete this application…</a></p>
</section>`;
  return applicationsAreaPage(deps.issuer, admin, 200, client.name, body);
}

/**
 * What can be done about the client's credentials: a secret is rotated here (with the CLI's overlap); a public
 * client has none; a client that signs JWTs has its keys rotated where they are kept (its JWKS, or the issuer
 * of its federated credential), so there is nothing to rotate here.
 */
function credentialsSection(deps: ApplicationDeps, admin: ConsoleAdmin, client: ClientRecord): SafeHtml {
  switch (clientAuthenticationOf(client)) {
    case 'client_secret':
      return html`<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationRotateSecret'), { clientId: client.clientId }))}">${csrfField(admin.csrfToken)}${formIdField()}
<p class="help">Rotating gives a new Client Secret; the current one keeps working for ${DEFAULT_SECRET_OVERLAP_SECONDS / 3600} hours, time to paste the new one into Okta.</p>
<div class="actions"><button type="submit" class="secondary">Rotate secret</button></div>
</form>`;
    case 'none':
      return html`<p class="help">A public application has no secret, so there is nothing to rotate: it proves each authorization with PKCE (S256) instead.</p>`;
    case 'private_key_jwt':
      return html`<p class="help">This application has no secret: it signs a JWT with its own keys (private_key_jwt). Its keys are rotated where they are kept, at its identity provider or in its key set, not here.</p>`;
  }
}

/** GET /console/applications/{clientId}/delete: what deleting revokes, and the button that does it. */
export async function confirmDeleteApplication(
  deps: ApplicationDeps,
  admin: SignedIn,
  clientId: string,
): Promise<ConsoleResponse> {
  const client = await ownClient(deps, admin, clientId);
  const nowSeconds = Math.floor(deps.now().getTime() / 1000);
  const active = (await deps.grants.list(admin.tenantId)).filter(
    (grant) =>
      grant.clientId === client.clientId &&
      grant.status === 'active' &&
      (grant.expiresAt === undefined || grant.expiresAt > nowSeconds),
  ).length;
  const credentials =
    clientAuthenticationOf(client) === 'client_secret'
      ? 'Its Client Secret stops working at once'
      : 'It can no longer get tokens';
  const body = html`<h1>Delete ${client.name}?</h1>
<p class="warning">${credentials}, and its ${active === 1 ? '1 active connection is' : `${active} active connections are`} revoked: the identity provider using it (such as Okta) can no longer provision users with it, and would need a new application and a new approval. This cannot be undone.</p>
<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleApplicationDelete'), { clientId: client.clientId }))}">${csrfField(admin.csrfToken)}
<div class="actions"><button type="submit" class="danger">Delete application</button><a href="${safeUrl(applicationUrl(deps, client.clientId))}">Cancel</a></div>
</form>`;
  return applicationsAreaPage(deps.issuer, admin, 200, `Delete ${client.name}?`, body);
}

const nothingToRotate = (client: ClientRecord) =>
  new PageError(
    409,
    'Nothing to rotate',
    clientAuthenticationOf(client) === 'none'
      ? 'This is a public application: it has no secret to rotate.'
      : 'This application signs a JWT with its own keys instead of a secret: rotate its keys where they are kept.',
  );

/**
 * POST /console/applications/{clientId}/rotate-secret: a new secret, the current one kept for the overlap. A
 * second rotation would end the overlap of the first one's secret, so the form's one-time id is recorded once:
 * the same form posted twice rotates once.
 */
export async function rotateApplicationSecret(
  deps: ApplicationDeps,
  admin: SignedIn,
  clientId: string,
  form: Readonly<Record<string, readonly string[]>>,
): Promise<ConsoleResponse> {
  const client = await ownClient(deps, admin, clientId);
  if (clientAuthenticationOf(client) !== 'client_secret') throw nothingToRotate(client);
  const now = deps.now();
  if (!(await firstPostOfForm(deps.forms, admin.sessionSecret, form, now))) {
    return alreadySentPage(
      deps.issuer,
      admin,
      APPLICATIONS_SECTION,
      html`The secret of <a href="${safeUrl(applicationUrl(deps, client.clientId))}">${client.name}</a> was rotated when this form was first sent, so it was not rotated again. The new secret was shown once after that first rotation; if you did not save it, rotate again from the application's page.`,
    );
  }
  const rotated = await rotateClientSecret(deps, client.clientId, DEFAULT_SECRET_OVERLAP_SECONDS, now);
  if (rotated === 'no-secret') throw nothingToRotate(client);
  const stillValid = rotated.previousSecretExpiresAt > Math.floor(now.getTime() / 1000);
  await putFlash(deps, admin, {
    kind: 'secret',
    clientId: client.clientId,
    clientSecret: rotated.clientSecret,
    ...(stillValid ? { previousEndsAt: rotated.previousSecretExpiresAt } : {}),
  });
  return { kind: 'redirect', location: applicationUrl(deps, client.clientId) };
}

/**
 * POST /console/applications/{clientId}/delete: the CLI's `client delete`, its connections revoked. Posted
 * twice, the second finds no application and gets the 404 page, which says it may have been deleted.
 */
export async function deleteApplication(
  deps: ApplicationDeps,
  admin: SignedIn,
  clientId: string,
): Promise<ConsoleResponse> {
  const client = await ownClient(deps, admin, clientId);
  const deleted = await deleteClientRevokingGrants(deps, client.clientId);
  if (!deleted) throw notFound();
  await putFlash(deps, admin, {
    kind: 'notice',
    text: `${client.name} was deleted; ${deleted.revokedGrants} connection${deleted.revokedGrants === 1 ? '' : 's'} revoked.`,
  });
  return { kind: 'redirect', location: consoleUrl(deps.issuer, pathOf('ConsoleApplications')) };
}

const ADMIN_REVOCATION: RevocationReason = 'admin';

/** POST /console/applications/{clientId}/connections/{grantId}/revoke: ends one connection; posted again, it stays revoked. */
export async function revokeConnection(
  deps: ApplicationDeps,
  admin: SignedIn,
  clientId: string,
  grantId: string,
): Promise<ConsoleResponse> {
  const client = await ownClient(deps, admin, clientId);
  const grant = grantId.length <= 256 ? await deps.grants.get(grantId) : undefined;
  if (!grant || grant.tenantId !== admin.tenantId || grant.clientId !== client.clientId) {
    throw new PageError(404, 'Not found', 'There is no such connection for this application.');
  }
  await deps.grants.revokeIfExists(grant.grantId, deps.now().toISOString(), ADMIN_REVOCATION);
  await putFlash(deps, admin, { kind: 'notice', text: 'The connection was revoked: Okta must be authorized again.' });
  return { kind: 'redirect', location: applicationUrl(deps, client.clientId) };
}
