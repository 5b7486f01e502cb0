import { pathOf, SCIM_BASE_PATH } from '../../contract/routes';
import { PageError } from '../html/page-error';
import { html, type SafeHtml, safeUrl } from '../html/template';
import {
  FEDERATED_FIELDS,
  type FederatedField,
  federatedCredentialOf,
  KeySetProblem,
  MAX_FEDERATED_VALUE_LENGTH,
  MAX_REGISTERED_JWKS_BYTES,
  MAX_REGISTERED_KEYS,
  mayHoldSecretKeyMaterial,
  parseRegisteredJwks,
} from '../oauth/assertion-keys';
import type { AssertionCredential } from '../oauth/client-assertion';
import {
  type ClientRemovalStores,
  clientNameProblem,
  DEFAULT_SECRET_OVERLAP_SECONDS,
  deleteClientRevokingGrants,
  MAX_CLIENT_NAME_LENGTH,
  rotateClientSecret,
  type SecretRotationStores,
} from '../oauth/client-registration';
import {
  type ClientRecord,
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
  MAX_SECRET_LIFETIME_SECONDS,
  MIN_ACCESS_TOKEN_LIFETIME_SECONDS,
  MIN_SECRET_LIFETIME_SECONDS,
  type NewAssertionClient,
  type NewClient,
  newClientProblem,
} from '../oauth/clients';
import { GRANT_STATUS_CACHE_MS } from '../oauth/grant-status';
import { APPLICATIONS_SECTION, applicationsAreaPage, copyable } from './applications';
import { putSessionFlash, takeSessionFlash } from './flash';
import { alreadySentPage, type FormIdGuard, firstPostOfForm, formIdField } from './form-once';
import { alertBox, type ConsoleAdmin, consoleUrl, csrfField, noticeBox } from './layout';
import type { ConsoleSessions } from './session';
import type { ConsoleResponse } from './sign-in';
import { instantText, minuteText } from './times';

/**
 * The console's machine clients: the `client_credentials` clients (RFC 6749 §4.4) through which Microsoft
 * Entra ID provisions, with the same records and rules as the admin CLI's `client create --grant
 * client_credentials` (with a secret, `--jwks-file` or a federated credential), `client rotate-secret` and
 * `client delete` (core/oauth/clients.ts, core/oauth/client-registration.ts, core/oauth/assertion-keys.ts).
 * Another tenant's client is a 404.
 */
export interface MachineClientDeps {
  readonly clients: {
    list(tenantId: string): Promise<readonly ClientRecord[]>;
    get(clientId: string): Promise<ClientRecord | undefined>;
    create(client: NewClient): Promise<{ client: ClientRecord; clientSecret: string }>;
    createWithAssertionKeys(client: NewAssertionClient): Promise<{ client: ClientRecord }>;
  } & SecretRotationStores['clients'] &
    ClientRemovalStores['clients'];
  readonly grants: ClientRemovalStores['grants'];
  readonly forms: FormIdGuard;
  readonly sessions: ConsoleSessions;
  readonly issuer: string;
  readonly now: () => Date;
}

type SignedIn = ConsoleAdmin & { readonly sessionSecret: string };
type Form = Readonly<Record<string, readonly string[]>>;

const MINUTE = 60;
const DAY = 86_400;
/** The console's units for the CLI's bounds (`--token-lifetime 60m to 6h`, `--secret-expires-in 1d to 3y`). */
const TOKEN_LIFETIME_MINUTES = {
  min: MIN_ACCESS_TOKEN_LIFETIME_SECONDS / MINUTE,
  max: MAX_ACCESS_TOKEN_LIFETIME_SECONDS / MINUTE,
  default: DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS / MINUTE,
};
const SECRET_LIFETIME_DAYS = { min: MIN_SECRET_LIFETIME_SECONDS / DAY, max: MAX_SECRET_LIFETIME_SECONDS / DAY };

type Flash =
  | {
      readonly kind: 'machine-secret';
      readonly clientId: string;
      readonly clientSecret: string;
      readonly secretExpiresAt?: number;
      readonly previousEndsAt?: number;
    }
  | { readonly kind: 'machine-assertion'; readonly clientId: string }
  | { readonly kind: 'notice'; readonly text: string };

const clientsUrl = (issuer: string) => consoleUrl(issuer, pathOf('ConsoleMachineClients'));

const takeFlash = (deps: MachineClientDeps, admin: SignedIn) =>
  takeSessionFlash<Flash>(deps.sessions, admin.sessionSecret);

const putFlash = (deps: MachineClientDeps, admin: SignedIn, flash: Flash) =>
  putSessionFlash(deps.sessions, admin.sessionSecret, flash);

const isMachineClient = (client: ClientRecord, tenantId: string) =>
  client.kind === 'client_credentials' && client.tenantId === tenantId;

const authenticationOf = (client: ClientRecord): string =>
  client.assertionCredential === undefined
    ? 'Client secret'
    : client.assertionCredential.kind === 'jwks'
      ? 'Signed JWT (private_key_jwt, registered keys)'
      : `Signed JWT (federated credential from ${client.assertionCredential.issuer})`;

function secretsOf(client: ClientRecord): string {
  if (client.assertionCredential !== undefined) return 'None';
  return client.secrets
    .map((secret) =>
      secret.expiresAt === undefined
        ? `Created ${secret.createdAt.slice(0, 10)}`
        : `Created ${secret.createdAt.slice(0, 10)}, works until ${minuteText(instantText(secret.expiresAt))}`,
    )
    .join('; ');
}

/** How a new client authenticates at the token endpoint: the CLI's default, `--jwks-file`, or `--federated-issuer …`. */
const AUTHENTICATION_KINDS = ['secret', 'jwks', 'federated'] as const;
type AuthenticationKind = (typeof AUTHENTICATION_KINDS)[number];
const AUTHENTICATION_LABELS: Record<AuthenticationKind, string> = {
  secret: 'Client secret',
  jwks: 'Public keys (JWK set)',
  federated: 'Federated credential',
};

/** The federated credential's fields: form name, label, and what Entra calls the value. */
const FEDERATED_INPUTS: Record<FederatedField, { readonly id: string; readonly label: string; readonly help: string }> =
  {
    issuer: {
      id: 'federated_issuer',
      label: 'Issuer',
      help: 'The iss of the tokens the client sends. For Entra: https://login.microsoftonline.com/<Entra tenant id>/v2.0.',
    },
    subject: {
      id: 'federated_subject',
      label: 'Subject',
      help: 'Their sub. For Entra: the object id of the provisioning app’s service principal.',
    },
    audience: {
      id: 'federated_audience',
      label: 'Audience',
      help: 'Their aud. For Entra: the audience Entra puts in the token for your app, e.g. api://<application id>.',
    },
    jwksUri: {
      id: 'jwks_uri',
      label: 'JWKS URL',
      help: 'Where the issuer publishes its public keys, an https URL. For Entra: https://login.microsoftonline.com/<Entra tenant id>/discovery/v2.0/keys.',
    },
  };

interface ClientForm {
  readonly name: string;
  readonly tokenLifetimeMinutes: string;
  readonly authentication: AuthenticationKind;
  readonly secretExpiresInDays: string;
  readonly jwks: string;
  readonly federated: Readonly<Record<FederatedField, string>>;
}

interface Problems {
  readonly name?: string;
  readonly tokenLifetimeMinutes?: string;
  readonly secretExpiresInDays?: string;
  readonly jwks?: string;
  readonly federated?: Readonly<Partial<Record<FederatedField, string>>>;
}

const EMPTY_FEDERATED: Record<FederatedField, string> = { issuer: '', subject: '', audience: '', jwksUri: '' };

const problemList = (problems: Problems): string[] =>
  [
    problems.name,
    problems.tokenLifetimeMinutes,
    problems.secretExpiresInDays,
    problems.jwks,
    ...FEDERATED_FIELDS.map((field) => problems.federated?.[field]),
  ].filter((problem): problem is string => problem !== undefined);

/** The values Entra's federated credential holds, and a private_key_jwt client's JWT claims, after a create. */
function assertionValues(issuer: string, client: ClientRecord, credential: AssertionCredential): SafeHtml {
  const tokenEndpoint = `${issuer}${pathOf('OAuthToken')}`;
  if (credential.kind === 'jwks') {
    return html`<p>The client has no secret: it authenticates with a JWT signed by one of its registered keys (private_key_jwt), sent as <code>client_assertion</code>, with <code>iss</code> and <code>sub</code> the Client Identifier and <code>aud</code> the Token Endpoint.</p>`;
  }
  return html`<p>The client has no secret: it authenticates with a token of the issuer below (Entra’s workload identity federation). In Entra, the provisioning app’s federated credential must issue tokens with exactly these values:</p>
<dl>${copyable('federated-issuer', 'Issuer', credential.issuer)}${copyable('federated-subject', 'Subject identifier', credential.subject)}${copyable('federated-audience', 'Audience', credential.audience)}${copyable('federated-jwks-uri', 'JWKS URL', credential.jwksUri)}</dl>
<p class="help">Entra sends its token as <code>client_assertion</code> to ${tokenEndpoint} with the Client Identifier ${client.clientId}.</p>`;
}

async function clientsPage(
  deps: MachineClientDeps,
  admin: SignedIn,
  status: number,
  form: ClientForm,
  problems: Problems = {},
): Promise<ConsoleResponse> {
  const [all, flash] = await Promise.all([deps.clients.list(admin.tenantId), takeFlash(deps, admin)]);
  const clients = all
    .filter((client) => isMachineClient(client, admin.tenantId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const secret = flash?.kind === 'machine-secret' ? flash : undefined;
  const shown = secret ? clients.find((client) => client.clientId === secret.clientId) : undefined;
  const keyed = flash?.kind === 'machine-assertion' ? flash : undefined;
  const keyedClient = keyed ? clients.find((client) => client.clientId === keyed.clientId) : undefined;
  const rows = clients.map(
    (client) =>
      html`<tr><td>${client.name}</td><td><code>${client.clientId}</code></td><td>${authenticationOf(client)}</td><td>${String((client.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS) / MINUTE)} minutes</td><td>${secretsOf(client)}</td><td>${client.createdAt.slice(0, 10)}</td><td>${
        client.assertionCredential === undefined
          ? html`<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleMachineClientRotateSecret'), { clientId: client.clientId }))}">${csrfField(admin.csrfToken)}${formIdField()}<button type="submit" class="secondary" aria-label="${`Rotate secret of ${client.name}`}">Rotate secret</button></form>`
          : undefined
      }<a href="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleMachineClientDeleteConfirm'), { clientId: client.clientId }))}" aria-label="${`Delete ${client.name}`}">Delete</a></td></tr>`,
  );
  const fieldProblems = problemList(problems);
  const described = (id: string, problem: string | undefined) => (problem ? `${id}-help ${id}-error` : `${id}-help`);
  const invalid = (problem: string | undefined) => (problem ? 'true' : 'false');
  const fieldError = (id: string, problem: string | undefined) =>
    problem ? html`<p class="alert" id="${id}-error">${problem}</p>` : undefined;
  const body = html`<h1>Machine clients</h1>
${noticeBox(flash?.kind === 'notice' ? flash.text : undefined)}
${
  secret && shown
    ? html`<section aria-labelledby="credentials">
<h2 id="credentials">Save the values for ${shown.name}</h2>
<p class="warning" role="alert"><strong>Save the Client Secret now.</strong> It is shown only this once and stored only as a hash: after you leave or reload this page nobody can show it again, and you would have to rotate it.${secret.previousEndsAt ? ` The previous secret keeps working until ${minuteText(instantText(secret.previousEndsAt))} UTC; update Entra before then.` : ''}</p>
<p>In Microsoft Entra ID: the enterprise application › Provisioning › Admin Credentials, Authentication Method "OAuth2 client credentials grant".</p>
<dl>${copyable('tenant-url', 'Tenant URL', `${deps.issuer}${SCIM_BASE_PATH}`)}${copyable('token-endpoint', 'Token Endpoint', `${deps.issuer}${pathOf('OAuthToken')}`)}${copyable('client-id', 'Client Identifier', shown.clientId)}${copyable('client-secret', 'Client Secret', secret.clientSecret)}</dl>
${secret.secretExpiresAt ? html`<p class="help">The secret stops working at ${minuteText(instantText(secret.secretExpiresAt))} UTC; rotate it before then.</p>` : undefined}
</section>`
    : undefined
}
${
  keyedClient?.assertionCredential
    ? html`<section aria-labelledby="credentials">
<h2 id="credentials">The values for ${keyedClient.name}</h2>
<p>In Microsoft Entra ID: the enterprise application › Provisioning › Admin Credentials.</p>
<dl>${copyable('tenant-url', 'Tenant URL', `${deps.issuer}${SCIM_BASE_PATH}`)}${copyable('token-endpoint', 'Token Endpoint', `${deps.issuer}${pathOf('OAuthToken')}`)}${copyable('client-id', 'Client Identifier', keyedClient.clientId)}</dl>
${assertionValues(deps.issuer, keyedClient, keyedClient.assertionCredential)}
</section>`
    : undefined
}
<p>A machine client is how Microsoft Entra ID connects with the OAuth 2.0 client credentials grant: it asks the token endpoint for an access token with the Client Identifier and a Client Secret, or a JWT signed with its own keys or by Entra (a federated credential), with no consent page, since creating the client here is the approval.</p>
${fieldProblems.length > 0 ? alertBox(`The client was not created. ${fieldProblems.join('. ')}.`) : undefined}
<h2>Create a machine client</h2>
<form method="post" action="${safeUrl(clientsUrl(deps.issuer))}">
${csrfField(admin.csrfToken)}${formIdField()}
<div class="field"><label for="name">Name</label>
<input type="text" id="name" name="name" required maxlength="${String(MAX_CLIENT_NAME_LENGTH)}" value="${form.name}" autocomplete="off" aria-describedby="${described('name', problems.name)}" aria-invalid="${invalid(problems.name)}">
<p class="help" id="name-help">Which connection the client is for, e.g. Entra ID.</p>
${fieldError('name', problems.name)}</div>
<div class="field"><label for="token_lifetime_minutes">Access token lifetime (minutes)</label>
<input type="number" id="token_lifetime_minutes" name="token_lifetime_minutes" required min="${String(TOKEN_LIFETIME_MINUTES.min)}" max="${String(TOKEN_LIFETIME_MINUTES.max)}" step="1" inputmode="numeric" value="${form.tokenLifetimeMinutes}" aria-describedby="${described('token_lifetime_minutes', problems.tokenLifetimeMinutes)}" aria-invalid="${invalid(problems.tokenLifetimeMinutes)}">
<p class="help" id="token_lifetime_minutes-help">How long each access token Entra gets lives: ${TOKEN_LIFETIME_MINUTES.min} to ${TOKEN_LIFETIME_MINUTES.max} minutes.</p>
${fieldError('token_lifetime_minutes', problems.tokenLifetimeMinutes)}</div>
<fieldset><legend>How it authenticates</legend>
${AUTHENTICATION_KINDS.map((kind) => authenticationChoice(kind, form.authentication))}
<p class="help">Only the fields of the chosen way below are read.</p>
</fieldset>
<fieldset><legend>${AUTHENTICATION_LABELS.secret}</legend>
<div class="field"><label for="secret_expires_in_days">Secret expires after (days)</label>
<input type="number" id="secret_expires_in_days" name="secret_expires_in_days" min="${String(SECRET_LIFETIME_DAYS.min)}" max="${String(SECRET_LIFETIME_DAYS.max)}" step="1" inputmode="numeric" value="${form.secretExpiresInDays}" aria-describedby="${described('secret_expires_in_days', problems.secretExpiresInDays)}" aria-invalid="${invalid(problems.secretExpiresInDays)}">
<p class="help" id="secret_expires_in_days-help">Leave empty for a secret that does not expire; otherwise ${SECRET_LIFETIME_DAYS.min} to ${SECRET_LIFETIME_DAYS.max} days (3 years), and rotate it before then.</p>
${fieldError('secret_expires_in_days', problems.secretExpiresInDays)}</div>
</fieldset>
<fieldset><legend>${AUTHENTICATION_LABELS.jwks}</legend>
<div class="field"><label for="jwks">JWK set</label>
<textarea id="jwks" name="jwks" rows="6" maxlength="${String(MAX_REGISTERED_JWKS_BYTES)}" spellcheck="false" autocomplete="off" aria-describedby="${described('jwks', problems.jwks)}" aria-invalid="${invalid(problems.jwks)}">${form.jwks}</textarea>
<p class="help" id="jwks-help">The client’s public keys as a JWK set, <code>{"keys": [...]}</code>: 1 to ${MAX_REGISTERED_KEYS} RSA (2048 bits or more), EC or Ed25519 keys, never a private key, each with its own kid when there are several; at most ${MAX_REGISTERED_JWKS_BYTES / 1024} KiB.</p>
${fieldError('jwks', problems.jwks)}</div>
</fieldset>
<fieldset><legend>${AUTHENTICATION_LABELS.federated}</legend>
${FEDERATED_FIELDS.map((field) => {
  const { id, label, help } = FEDERATED_INPUTS[field];
  const problem = problems.federated?.[field];
  return html`<div class="field"><label for="${id}">${label}</label>
<input type="${field === 'subject' || field === 'audience' ? 'text' : 'url'}" id="${id}" name="${id}" maxlength="${String(MAX_FEDERATED_VALUE_LENGTH)}" value="${form.federated[field]}" autocomplete="off" spellcheck="false" aria-describedby="${described(id, problem)}" aria-invalid="${invalid(problem)}">
<p class="help" id="${id}-help">${help}</p>
${fieldError(id, problem)}</div>`;
})}
</fieldset>
<div class="actions"><button type="submit">Create machine client</button></div>
</form>
<h2>Clients</h2>
${
  clients.length === 0
    ? html`<p>No machine clients yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="muted">${clients.length} machine client${clients.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Client Identifier</th><th scope="col">Authentication</th><th scope="col">Token lifetime</th><th scope="col">Secrets</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
}
<p class="help">Rotating a secret gives a new one, shown once; the current one keeps working for ${DEFAULT_SECRET_OVERLAP_SECONDS / 3600} hours, time to paste the new one into Entra. A client with public keys or a federated credential has no secret to rotate: its keys change where they are published (for registered keys, create a new client).</p>`;
  return applicationsAreaPage(deps.issuer, admin, status, 'Machine clients', body);
}

function authenticationChoice(kind: AuthenticationKind, chosen: AuthenticationKind): SafeHtml {
  const id = `authentication-${kind}`;
  return kind === chosen
    ? html`<div class="check"><input type="radio" id="${id}" name="authentication" value="${kind}" checked><label for="${id}">${AUTHENTICATION_LABELS[kind]}</label></div>`
    : html`<div class="check"><input type="radio" id="${id}" name="authentication" value="${kind}"><label for="${id}">${AUTHENTICATION_LABELS[kind]}</label></div>`;
}

/** GET /console/machine-clients */
export const listMachineClientsPage = (deps: MachineClientDeps, admin: SignedIn): Promise<ConsoleResponse> =>
  clientsPage(deps, admin, 200, {
    name: '',
    tokenLifetimeMinutes: String(TOKEN_LIFETIME_MINUTES.default),
    authentication: 'secret',
    secretExpiresInDays: '',
    jwks: '',
    federated: EMPTY_FEDERATED,
  });

const single = (form: Form, name: string): string => {
  const values = form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0] ?? '';
};

const wholeNumber = (value: string): number | undefined => (/^\d{1,7}$/.test(value) ? Number(value) : undefined);

const authenticationOfForm = (value: string): AuthenticationKind => {
  const kind = AUTHENTICATION_KINDS.find((known) => known === (value === '' ? 'secret' : value));
  if (kind === undefined)
    throw new PageError(400, 'Invalid request', 'The form was sent with an unknown way to authenticate.');
  return kind;
};

/** The chosen kind's credential by the CLI's rules (parseRegisteredJwks, federatedCredentialOf), or its problems. */
function assertionCredentialOfForm(
  input: ClientForm,
  issuer: string,
): { readonly credential?: AssertionCredential; readonly problems: Problems } {
  if (input.authentication === 'jwks') {
    if (input.jwks === '') return { problems: { jwks: 'Paste the client’s public keys as a JWK set' } };
    try {
      return { credential: { kind: 'jwks', keys: parseRegisteredJwks(input.jwks) }, problems: {} };
    } catch (error) {
      if (!(error instanceof KeySetProblem)) throw error;
      return {
        problems: {
          jwks: mayHoldSecretKeyMaterial(input.jwks)
            ? `${error.message}. What was pasted held secret key material, so it is not shown again: paste the public keys only, and treat that key as exposed if it was not meant to leave its owner`
            : error.message,
        },
      };
    }
  }
  if (input.authentication === 'federated') {
    const result = federatedCredentialOf(input.federated, issuer);
    if ('credential' in result) return { credential: result.credential, problems: {} };
    const federated = Object.fromEntries(
      FEDERATED_FIELDS.filter((field) => result.problems[field] !== undefined).map((field) => [
        field,
        `${FEDERATED_INPUTS[field].label} ${result.problems[field]}`,
      ]),
    );
    return { problems: { federated } };
  }
  return { problems: {} };
}

/**
 * POST /console/machine-clients: the CLI's `client create --grant client_credentials`, with a secret, a JWK set
 * (`--jwks-file`) or a federated credential, checked by the same core rules (newClientProblem,
 * parseRegisteredJwks, federatedCredentialOf); only the chosen way's fields are read. Bad input gives the page
 * again with every problem next to its field and the input kept, and nothing written. The values Entra asks for
 * are shown on the page the post redirects to (a secret only that once); the same form posted twice creates one
 * client.
 */
export async function createMachineClientFromForm(
  deps: MachineClientDeps,
  admin: SignedIn,
  form: Form,
): Promise<ConsoleResponse> {
  const authentication = authenticationOfForm(single(form, 'authentication'));
  const withSecret = authentication === 'secret';
  const input: ClientForm = {
    name: single(form, 'name').trim(),
    tokenLifetimeMinutes: single(form, 'token_lifetime_minutes').trim(),
    authentication,
    secretExpiresInDays: withSecret ? single(form, 'secret_expires_in_days').trim() : '',
    jwks: authentication === 'jwks' ? single(form, 'jwks').trim() : '',
    federated:
      authentication === 'federated'
        ? (Object.fromEntries(
            FEDERATED_FIELDS.map((field) => [field, single(form, FEDERATED_INPUTS[field].id).trim()]),
          ) as Record<FederatedField, string>)
        : EMPTY_FEDERATED,
  };
  const minutes = wholeNumber(input.tokenLifetimeMinutes);
  const days = input.secretExpiresInDays === '' ? undefined : wholeNumber(input.secretExpiresInDays);
  const assertion = assertionCredentialOfForm(input, deps.issuer);
  const problems: Problems = {
    name: clientNameProblem(input.name),
    tokenLifetimeMinutes:
      minutes !== undefined && minutes >= TOKEN_LIFETIME_MINUTES.min && minutes <= TOKEN_LIFETIME_MINUTES.max
        ? undefined
        : `Enter an access token lifetime of ${TOKEN_LIFETIME_MINUTES.min} to ${TOKEN_LIFETIME_MINUTES.max} minutes`,
    secretExpiresInDays:
      input.secretExpiresInDays === '' ||
      (days !== undefined && days >= SECRET_LIFETIME_DAYS.min && days <= SECRET_LIFETIME_DAYS.max)
        ? undefined
        : `Enter a secret expiry of ${SECRET_LIFETIME_DAYS.min} to ${SECRET_LIFETIME_DAYS.max} days, or leave it empty`,
    ...assertion.problems,
  };
  const newClient: NewClient = {
    tenantId: admin.tenantId,
    name: input.name,
    kind: 'client_credentials',
    accessTokenLifetimeSeconds: (minutes ?? 0) * MINUTE,
    ...(days === undefined ? {} : { secretLifetimeSeconds: days * DAY }),
  };
  if (problemList(problems).length > 0 || newClientProblem(newClient)) {
    const keptFederated = Object.fromEntries(
      FEDERATED_FIELDS.map((field) => [field, input.federated[field].slice(0, MAX_FEDERATED_VALUE_LENGTH * 2)]),
    ) as Record<FederatedField, string>;
    return clientsPage(
      deps,
      admin,
      400,
      {
        name: input.name.slice(0, MAX_CLIENT_NAME_LENGTH * 2),
        tokenLifetimeMinutes: input.tokenLifetimeMinutes.slice(0, 20),
        authentication,
        secretExpiresInDays: input.secretExpiresInDays.slice(0, 20),
        // Kept like every input, except secret key material, which never goes back to the browser.
        jwks: mayHoldSecretKeyMaterial(input.jwks) ? '' : input.jwks.slice(0, MAX_REGISTERED_JWKS_BYTES * 2),
        federated: keptFederated,
      },
      problems,
    );
  }
  if (!(await firstPostOfForm(deps.forms, admin.sessionSecret, form, deps.now()))) {
    return alreadySentPage(
      deps.issuer,
      admin,
      APPLICATIONS_SECTION,
      html`The machine client was created when this form was first sent, so nothing new was created. It is listed under <a href="${safeUrl(clientsUrl(deps.issuer))}">Machine clients</a>; its secret was shown once after that first post.`,
    );
  }
  if (assertion.credential) {
    const { secretLifetimeSeconds: _none, ...settings } = newClient;
    const { client } = await deps.clients.createWithAssertionKeys({
      ...settings,
      assertionCredential: assertion.credential,
    });
    await putFlash(deps, admin, { kind: 'machine-assertion', clientId: client.clientId });
    return { kind: 'redirect', location: clientsUrl(deps.issuer) };
  }
  const { client, clientSecret } = await deps.clients.create(newClient);
  const secretExpiresAt = client.secrets[0]?.expiresAt;
  await putFlash(deps, admin, {
    kind: 'machine-secret',
    clientId: client.clientId,
    clientSecret,
    ...(secretExpiresAt === undefined ? {} : { secretExpiresAt }),
  });
  return { kind: 'redirect', location: clientsUrl(deps.issuer) };
}

const notFound = () =>
  new PageError(404, 'Not found', 'There is no such machine client in your organization. It may have been deleted.');

async function ownMachineClient(deps: MachineClientDeps, admin: ConsoleAdmin, clientId: string): Promise<ClientRecord> {
  const client = clientId.length <= 256 ? await deps.clients.get(clientId) : undefined;
  if (!client || !isMachineClient(client, admin.tenantId)) throw notFound();
  return client;
}

/**
 * POST /console/machine-clients/{clientId}/rotate-secret: the CLI's `client rotate-secret` with its default
 * overlap; the new secret is shown once. The same form posted twice rotates once.
 */
export async function rotateMachineClientSecret(
  deps: MachineClientDeps,
  admin: SignedIn,
  clientId: string,
  form: Form,
): Promise<ConsoleResponse> {
  const client = await ownMachineClient(deps, admin, clientId);
  const now = deps.now();
  if (!(await firstPostOfForm(deps.forms, admin.sessionSecret, form, now))) {
    return alreadySentPage(
      deps.issuer,
      admin,
      APPLICATIONS_SECTION,
      html`The secret of ${client.name} was rotated when this form was first sent, so it was not rotated again. See <a href="${safeUrl(clientsUrl(deps.issuer))}">Machine clients</a>.`,
    );
  }
  const rotated = await rotateClientSecret(deps, client.clientId, DEFAULT_SECRET_OVERLAP_SECONDS, now);
  if (rotated === 'no-secret') {
    throw new PageError(
      409,
      'No secret to rotate',
      'This client authenticates with a signed JWT and has no secret. Its keys are changed where they are published.',
    );
  }
  const stillValid = rotated.previousSecretExpiresAt > Math.floor(now.getTime() / 1000);
  await putFlash(deps, admin, {
    kind: 'machine-secret',
    clientId: client.clientId,
    clientSecret: rotated.clientSecret,
    ...(stillValid ? { previousEndsAt: rotated.previousSecretExpiresAt } : {}),
  });
  return { kind: 'redirect', location: clientsUrl(deps.issuer) };
}

/** GET /console/machine-clients/{clientId}/delete: what deleting the client ends, and the button that does it. */
export async function confirmMachineClientDeletion(
  deps: MachineClientDeps,
  admin: SignedIn,
  clientId: string,
): Promise<ConsoleResponse> {
  const client = await ownMachineClient(deps, admin, clientId);
  const body = html`<h1>Delete the machine client ${client.name}?</h1>
<p>Deleting <strong>${client.name}</strong> (Client Identifier <code>${client.clientId}</code>) ends ${client.assertionCredential === undefined ? 'its secrets' : 'its signed-JWT credential'} at once: the token endpoint refuses it from now on, and the access tokens it already holds are refused within ${GRANT_STATUS_CACHE_MS / 1000} seconds, so Entra can no longer provision users with it. Deleting cannot be undone: to connect again, create a new client and enter its values in Entra.</p>
<form method="post" action="${safeUrl(consoleUrl(deps.issuer, pathOf('ConsoleMachineClientDelete'), { clientId: client.clientId }))}">
${csrfField(admin.csrfToken)}
<div class="actions"><button type="submit" class="danger">Delete machine client</button><a href="${safeUrl(clientsUrl(deps.issuer))}">Cancel</a></div>
</form>`;
  return applicationsAreaPage(deps.issuer, admin, 200, `Delete ${client.name}`, body);
}

/** POST /console/machine-clients/{clientId}/delete: the CLI's `client delete`, every grant it holds ended. */
export async function deleteMachineClientFromForm(
  deps: MachineClientDeps,
  admin: SignedIn,
  clientId: string,
): Promise<ConsoleResponse> {
  const client = await ownMachineClient(deps, admin, clientId);
  const deleted = await deleteClientRevokingGrants(deps, client.clientId);
  if (!deleted) throw notFound();
  await putFlash(deps, admin, {
    kind: 'notice',
    text: `${client.name} was deleted: its credentials no longer work.`,
  });
  return { kind: 'redirect', location: clientsUrl(deps.issuer) };
}
