import type { PageOptions } from '../html/page';
import { html, type SafeHtml, safeUrl } from '../html/template';
import { GRANT_ABSOLUTE_LIFETIME_SECONDS, REFRESH_TOKEN_IDLE_SECONDS } from './refresh-tokens';

/**
 * The pages of the authorization endpoint: sign-in, consent, refusal and errors. Every value shown (client
 * name, tenant name, email, scope descriptions) comes from storage or the request and is escaped by the
 * template; none of them is trusted markup.
 */
export interface FlowNames {
  readonly clientName: string;
  readonly tenantName: string;
  /** Shown in the small print: two tenants may share a name. */
  readonly tenantId: string;
}

/**
 * The sign-in page names the organization when the request does; for a multi-tenant client without a tenant
 * hint it asks for the organization's ID instead (core/oauth/authorization-tenant.ts).
 */
export interface LoginPageInput extends Pick<FlowNames, 'clientName'>, Partial<Omit<FlowNames, 'clientName'>> {
  /** The organization ID as typed, kept when the page is shown again. */
  readonly organization?: string;
  readonly formAction: string;
  readonly csrfToken: string;
  /** The origin of the client's redirect URI, which the form's redirect may go to (CSP form-action). */
  readonly redirectOrigin: string;
  readonly email?: string;
  readonly alert?: string;
}

export interface ConsentPageInput extends FlowNames {
  readonly formAction: string;
  readonly csrfToken: string;
  readonly redirectOrigin: string;
  readonly redirectHost: string;
  readonly adminEmail: string;
  /** Plain sentences, one per granted scope. */
  readonly permissions: readonly string[];
}

export const LOGIN_STEP = 'login';
export const CONSENT_STEP = 'consent';

const DAY_SECONDS = 24 * 3600;

/** How long an approved connection lasts, from the refresh tokens' real lifetimes (refresh-tokens.ts). */
export const CONNECTION_LIFETIME_TEXT = `The connection ends ${GRANT_ABSOLUTE_LIFETIME_SECONDS / DAY_SECONDS} days after you allow it, after ${REFRESH_TOKEN_IDLE_SECONDS / DAY_SECONDS} days in which the application does not use it, or when an administrator revokes it, whichever comes first.`;

const organizationPrint = (input: Pick<FlowNames, 'tenantId'>): SafeHtml =>
  html`<p class="muted">Organization ID: ${input.tenantId}</p>`;

const alertBox = (alert: string | undefined): SafeHtml | undefined =>
  alert === undefined ? undefined : html`<p class="alert" role="alert">${alert}</p>`;

const organizationField = (input: LoginPageInput): SafeHtml | undefined =>
  input.tenantId !== undefined
    ? undefined
    : html`<label for="organization">Organization ID</label>
<input id="organization" name="organization" type="text" autocomplete="off" spellcheck="false" required aria-describedby="organization-help" value="${input.organization ?? ''}">
<p id="organization-help" class="muted">The ID of your organization in this service, shown at the bottom of its sign-in and consent pages.</p>
`;

function loginForm(input: LoginPageInput, submitLabel: string): SafeHtml {
  return html`<form method="post" action="${safeUrl(input.formAction)}">
<input type="hidden" name="step" value="${LOGIN_STEP}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
${organizationField(input)}<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">${submitLabel}</button></div>
</form>`;
}

export function loginPage(input: LoginPageInput): PageOptions {
  const { tenantName, tenantId } = input;
  const request =
    tenantName === undefined || tenantId === undefined
      ? html`<p><strong>${input.clientName}</strong> is asking to connect to your organization. Sign in with an administrator account of your organization to review the request.</p>`
      : html`<p><strong>${input.clientName}</strong> is asking to connect to <strong>${tenantName}</strong>. Sign in with an administrator account of ${tenantName} to review the request.</p>`;
  return {
    title: 'Sign in',
    formTargets: [input.redirectOrigin],
    body: html`<h1>Sign in to review a connection</h1>
${request}
${alertBox(input.alert)}
${loginForm(input, 'Sign in')}
${tenantId === undefined ? undefined : organizationPrint({ tenantId })}`,
  };
}

export function consentPage(input: ConsentPageInput): PageOptions {
  const permissions = input.permissions.map((permission) => html`<li>${permission}</li>`);
  return {
    title: 'Allow access',
    formTargets: [input.redirectOrigin],
    body: html`<h1>Allow ${input.clientName} to connect?</h1>
<p class="muted">Signed in as ${input.adminEmail}, administrator of ${input.tenantName}.</p>
<dl>
<dt>Application</dt><dd>${input.clientName}</dd>
<dt>Organization</dt><dd>${input.tenantName}</dd>
<dt>Returns to</dt><dd>${input.redirectHost}</dd>
</dl>
<p>If you allow it, ${input.clientName} will be able to:</p>
<ul>${permissions}</ul>
<form method="post" action="${safeUrl(input.formAction)}">
<input type="hidden" name="step" value="${CONSENT_STEP}">
<input type="hidden" name="csrf_token" value="${input.csrfToken}">
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>
<p class="muted">${CONNECTION_LIFETIME_TEXT}</p>
${organizationPrint(input)}`,
  };
}
