import { pathOf, SCIM_BASE_PATH } from '../../contract/routes';
import { PageError } from '../html/page-error';
import { html, safeUrl } from '../html/template';
import { clientNameProblem, MAX_CLIENT_NAME_LENGTH } from '../oauth/client-registration';
import {
  issueScimToken,
  MAX_ACTIVE_SCIM_TOKENS_PER_TENANT,
  MAX_SCIM_TOKEN_LIFETIME_SECONDS,
  revokeScimToken,
  SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS,
  SCIM_TOKEN_PREFIX,
  SCIM_TOKEN_REVOCATION_BOUND_SECONDS,
  type ScimTokenRecord,
  type ScimTokenStorePort,
  scimTokenIsActive,
} from '../oauth/scim-tokens';
import { APPLICATIONS_SECTION, applicationsAreaPage, copyable } from './applications';
import { putSessionFlash, takeSessionFlash } from './flash';
import { alreadySentPage, type FormIdGuard, firstPostOfForm, formIdField } from './form-once';
import { alertBox, type ConsoleAdmin, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleSessions } from './session';
import type { ConsoleResponse } from './sign-in';
import { instantText, minuteText } from './times';

/**
 * The console's SCIM bearer tokens: the long-lived tokens of Entra's "Secret Token", OneLogin, JumpCloud and
 * the like, issued and revoked by the same core rules as the admin CLI's `token create`, `token list` and
 * `token revoke` (core/oauth/scim-tokens.ts). A token is shown once, after its creation; the list never shows
 * one. Another tenant's token id is a 404, like one that does not exist.
 */
export interface ScimTokenPageDeps {
  readonly tokens: ScimTokenStorePort;
  readonly forms: FormIdGuard;
  readonly sessions: ConsoleSessions;
  readonly issuer: string;
  readonly now: () => Date;
}

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

/** The console offers whole days; the longest is the CLI's (`token create --expires-in`). */
const DAY_SECONDS = 86_400;
export const MAX_SCIM_TOKEN_LIFETIME_DAYS = MAX_SCIM_TOKEN_LIFETIME_SECONDS / DAY_SECONDS;

type Flash =
  | {
      readonly kind: 'scim-token';
      readonly tokenId: string;
      readonly name: string;
      readonly token: string;
      readonly expiresAt?: string;
    }
  | { readonly kind: 'notice'; readonly text: string };

const tokensUrl = (issuer: string) => consoleUrl(issuer, pathOf('ConsoleScimTokens'));

const takeFlash = (deps: ScimTokenPageDeps, admin: SignedIn) =>
  takeSessionFlash<Flash>(deps.sessions, admin.sessionSecret);

const putFlash = (deps: ScimTokenPageDeps, admin: SignedIn, flash: Flash) =>
  putSessionFlash(deps.sessions, admin.sessionSecret, flash);

const statusOf = (token: ScimTokenRecord, nowSeconds: number) =>
  token.status === 'revoked'
    ? `Revoked ${minuteText(token.revokedAt ?? '')}`
    : scimTokenIsActive(token, nowSeconds)
      ? 'Active'
      : 'Expired';

interface TokenForm {
  readonly name: string;
  readonly expiresInDays: string;
}

interface Problems {
  readonly name?: string;
  readonly expiresInDays?: string;
  readonly limit?: string;
}

async function tokensPage(
  deps: ScimTokenPageDeps,
  admin: SignedIn,
  status: number,
  form: TokenForm,
  problems: Problems = {},
): Promise<ConsoleResponse> {
  const [tokens, flash] = await Promise.all([deps.tokens.listForTenant(admin.tenantId), takeFlash(deps, admin)]);
  const nowSeconds = Math.floor(deps.now().getTime() / 1000);
  const active = tokens.filter((token) => scimTokenIsActive(token, nowSeconds)).length;
  const created = flash?.kind === 'scim-token' ? flash : undefined;
  const scimBaseUrl = `${deps.issuer}${SCIM_BASE_PATH}`;
  const rows = [...tokens]
    .reverse()
    .map(
      (token) =>
        html`<tr><td>${token.name}</td><td><code>${token.tokenId}</code></td><td>${statusOf(token, nowSeconds)}</td><td>${minuteText(token.createdAt)}</td><td>${token.validUntil === undefined ? 'Never' : minuteText(instantText(token.validUntil))}</td><td>${token.lastUsedAt === undefined ? 'Never' : minuteText(token.lastUsedAt)}</td><td>${
          token.status === 'active'
            ? html`<a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleScimTokenRevokeConfirm'), { tokenId: token.tokenId }))}" aria-label="${`Revoke ${token.name}`}">Revoke</a>`
            : undefined
        }</td></tr>`,
    );
  const fieldProblems = [problems.name, problems.expiresInDays].filter((p): p is string => p !== undefined);
  const described = (id: string, problem: string | undefined) => (problem ? `${id}-help ${id}-error` : `${id}-help`);
  const fieldError = (id: string, problem: string | undefined) =>
    problem ? html`<p class="alert" id="${id}-error">${problem}</p>` : undefined;
  const body = html`<h1>SCIM bearer tokens</h1>
${noticeBox(flash?.kind === 'notice' ? flash.text : undefined)}
${
  created
    ? html`<section aria-labelledby="new-token">
<h2 id="new-token">Save the token for ${created.name}</h2>
<p class="warning" role="alert"><strong>Save the token now.</strong> It is shown only this once and stored only as a hash: after you leave or reload this page nobody can show it again, and you would have to create another.</p>
<dl>${copyable('scim-base-url', 'SCIM base URL', scimBaseUrl)}${copyable('scim-token', 'Token', created.token)}</dl>
<p class="help">${created.expiresAt ? `The token stops working at ${minuteText(created.expiresAt)}.` : 'The token does not expire; revoke it when the connection ends.'}</p>
</section>`
    : undefined
}
<p>An identity provider that connects with a long-lived bearer token, such as Microsoft Entra ID's Secret Token, OneLogin, JumpCloud or Rippling, sends the token as <code>Authorization: Bearer</code> to the SCIM base URL <code>${scimBaseUrl}</code>. Every token starts with <code>${SCIM_TOKEN_PREFIX}</code>, so secret scanners can recognise a leaked one.</p>
${problems.limit ? alertBox(problems.limit) : undefined}
${fieldProblems.length > 0 ? alertBox(`The token was not created. ${fieldProblems.join('. ')}.`) : undefined}
<h2>Create a token</h2>
<form method="post" action="${safeUrl(tokensUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}${formIdField()}
<div class="field"><label for="name">Name</label>
<input type="text" id="name" name="name" required maxlength="${String(MAX_CLIENT_NAME_LENGTH)}" value="${form.name}" autocomplete="off" aria-describedby="${described('name', problems.name)}" aria-invalid="${problems.name ? 'true' : 'false'}">
<p class="help" id="name-help">Which connection the token is for, e.g. Entra production.</p>
${fieldError('name', problems.name)}</div>
<div class="field"><label for="expires_in_days">Expires after (days)</label>
<input type="number" id="expires_in_days" name="expires_in_days" min="1" max="${String(MAX_SCIM_TOKEN_LIFETIME_DAYS)}" step="1" inputmode="numeric" value="${form.expiresInDays}" aria-describedby="${described('expires_in_days', problems.expiresInDays)}" aria-invalid="${problems.expiresInDays ? 'true' : 'false'}">
<p class="help" id="expires_in_days-help">Leave empty for a token that does not expire, which is what Entra asks for (an expired token stops its provisioning job). At most ${MAX_SCIM_TOKEN_LIFETIME_DAYS} days.</p>
${fieldError('expires_in_days', problems.expiresInDays)}</div>
<div class="actions"><button type="submit">Create token</button></div>
</form>
<h2>Tokens</h2>
${
  tokens.length === 0
    ? html`<p>No SCIM tokens yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${active} of at most ${MAX_ACTIVE_SCIM_TOKENS_PER_TENANT} active tokens; a revoked or expired token stays listed for 90 days</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Token ID</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<p class="help">Last used is when a SCIM request last used the token, to within ${SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS / 60} minutes. Times are UTC.</p>`
}`;
  return applicationsAreaPage(deps.issuer, admin, status, 'SCIM bearer tokens', body);
}

/** GET /console/scim-tokens */
export const listScimTokensPage = (deps: ScimTokenPageDeps, admin: SignedIn): Promise<ConsoleResponse> =>
  tokensPage(deps, admin, 200, { name: '', expiresInDays: '' });

const single = (form: Form, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

/**
 * POST /console/scim-tokens: a new token, shown once on the page the post redirects to (POST → 303 → GET,
 * through the session's sealed flash). Bad input, or a tenant already at its active-token limit, gives the
 * page again with the input kept and nothing written; the same form posted twice creates one token.
 */
export async function createScimTokenFromForm(
  deps: ScimTokenPageDeps,
  admin: SignedIn,
  form: Form,
): Promise<ConsoleResponse> {
  const input: TokenForm = { name: single(form, 'name').trim(), expiresInDays: single(form, 'expires_in_days').trim() };
  const days = input.expiresInDays === '' ? undefined : Number(input.expiresInDays);
  const problems: Problems = {
    name: clientNameProblem(input.name),
    expiresInDays:
      days === undefined || (Number.isInteger(days) && days >= 1 && days <= MAX_SCIM_TOKEN_LIFETIME_DAYS)
        ? undefined
        : `Enter a whole number of days from 1 to ${MAX_SCIM_TOKEN_LIFETIME_DAYS}, or leave Expires after empty`,
  };
  const kept = {
    name: input.name.slice(0, MAX_CLIENT_NAME_LENGTH * 2),
    expiresInDays: input.expiresInDays.slice(0, 20),
  };
  if (problems.name || problems.expiresInDays) return tokensPage(deps, admin, 400, kept, problems);
  const now = deps.now();
  if (!(await firstPostOfForm(deps.forms, admin.sessionSecret, form, now))) {
    return alreadySentPage(
      deps.issuer,
      admin,
      APPLICATIONS_SECTION,
      html`This form was sent before, so no second token was created. The tokens are listed under <a href="${safeUrl(tokensUrl(deps.issuer))}">SCIM bearer tokens</a>; a token is shown only once, right after the post that created it.`,
    );
  }
  const issued = await issueScimToken(
    deps.tokens,
    {
      tenantId: admin.tenantId,
      name: input.name,
      ...(days === undefined ? {} : { lifetimeSeconds: days * DAY_SECONDS }),
    },
    now,
  );
  if (!issued.ok) {
    return tokensPage(deps, admin, 409, kept, {
      limit: `The token was not created: ${admin.tenantName} already has ${issued.limit} active SCIM tokens, the most it may hold. Revoke one first.`,
    });
  }
  await putFlash(deps, admin, {
    kind: 'scim-token',
    tokenId: issued.record.tokenId,
    name: issued.record.name,
    token: issued.token,
    ...(issued.record.validUntil === undefined ? {} : { expiresAt: instantText(issued.record.validUntil) }),
  });
  return { kind: 'redirect', location: tokensUrl(deps.issuer) };
}

const notFound = () =>
  new PageError(404, 'Not found', 'There is no such SCIM token in your organization. It may have been deleted.');

async function ownToken(deps: ScimTokenPageDeps, admin: ConsoleAdmin, tokenId: string): Promise<ScimTokenRecord> {
  const token =
    tokenId.length <= 64
      ? (await deps.tokens.listForTenant(admin.tenantId)).find((candidate) => candidate.tokenId === tokenId)
      : undefined;
  if (!token) throw notFound();
  return token;
}

/** GET /console/scim-tokens/{tokenId}/revoke: what revoking the token does, and the button that does it. */
export async function confirmScimTokenRevocation(
  deps: ScimTokenPageDeps,
  admin: SignedIn,
  tokenId: string,
): Promise<ConsoleResponse> {
  const token = await ownToken(deps, admin, tokenId);
  const title = `Revoke ${token.name}`;
  const body = html`<h1>Revoke the SCIM token ${token.name}?</h1>
${
  token.status === 'revoked'
    ? html`<p>This token was already revoked on ${minuteText(token.revokedAt ?? '')}.</p>`
    : html`<p>The identity provider that uses this token (token ID <code>${token.tokenId}</code>, created ${minuteText(token.createdAt)}) is refused within ${SCIM_TOKEN_REVOCATION_BOUND_SECONDS} seconds, and can no longer create, update or deactivate users until it is given a new token. Revoking cannot be undone.</p>
<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleScimTokenRevoke'), { tokenId: token.tokenId }))}">
${csrfField(admin.csrfToken)}
<div class="actions"><button type="submit" class="danger">Revoke token</button><a href="${safeUrl(tokensUrl(deps.issuer))}">Cancel</a></div>
</form>`
}
<p><a href="${safeUrl(tokensUrl(deps.issuer))}">Back to SCIM bearer tokens</a></p>`;
  return applicationsAreaPage(deps.issuer, admin, 200, title, body);
}

/** POST /console/scim-tokens/{tokenId}/revoke: the CLI's `token revoke`; revoking a revoked token changes nothing. */
export async function revokeScimTokenFromForm(
  deps: ScimTokenPageDeps,
  admin: SignedIn,
  tokenId: string,
): Promise<ConsoleResponse> {
  const token = await ownToken(deps, admin, tokenId);
  const revoked = await revokeScimToken(deps.tokens, admin.tenantId, token.tokenId, deps.now());
  if (!revoked) throw notFound();
  await putFlash(deps, admin, {
    kind: 'notice',
    text: `The token ${revoked.name} was revoked: it is refused within ${SCIM_TOKEN_REVOCATION_BOUND_SECONDS} seconds.`,
  });
  return { kind: 'redirect', location: tokensUrl(deps.issuer) };
}
