import { type ClientRecord, ClientStore } from '../../adapters/dynamodb/client-store';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ThrottleSignInLockouts } from '../../adapters/dynamodb/sign-in-lockouts';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { deleteAdmin } from '../../core/access/admin-accounts';
import { Refusal } from '../../core/access/refusal';
import type { AssertionCredential } from '../../core/oauth/client-assertion';
import { deleteClientRevokingGrants, rotateClientSecret } from '../../core/oauth/client-registration';
import {
  type ClientKind,
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  GRANT_TYPES_OF_KIND,
  type NewClient,
  newClientProblem,
  secretLifetimeProblem,
} from '../../core/oauth/clients';
import type { GrantRecord } from '../../core/oauth/grants';
import { MAX_PASSWORD_LENGTH } from '../../core/oauth/passwords';
import { redirectUriProblem } from '../../core/oauth/redirect-uris';
import { ScimError } from '../../core/scim/errors';
import { hashAdminPassword } from '../../functions/_shared/password-hashing';
import { accessCommands, userView } from './access-commands';
import { activityCommands } from './activity-commands';
import { ASSERTION_HELP, ASSERTION_OPTIONS, ASSERTION_USAGE, assertionCredentialOf } from './assertion-options';
import { CliError } from './cli-error';
import {
  ACTOR_HELP,
  ACTOR_OPTION,
  accessServices,
  actorOf,
  type CommandContext,
  type CommandResult,
  type CommandSpec,
  displayName,
  emailOption,
  personName,
  required,
  table,
} from './command-support';
import { type Connection, type ServiceUrls, serviceUrlsOf } from './connection';
import { groupCommands } from './group-commands';
import { refusalMessage } from './refusal-messages';
import { tokenCommands } from './token-commands';

/** The admin password must be long enough to resist guessing (NIST SP 800-63B §3.1.1.2 asks for at least 8). */
export const MIN_PASSWORD_LENGTH = 12;
/** The longest rotation overlap: long enough to update Okta, short enough that a leaked secret dies. */
const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;
const DEFAULT_OVERLAP = '24h';

const stores = (connection: Connection) => ({
  tenants: new TenantStore(connection.db, connection.tables.clients),
  clients: new ClientStore(connection.db, connection.tables.clients),
  grants: new GrantStore(connection.db, connection.tables.grants),
});

/**
 * Ends the grants of a machine client's secrets (core/oauth/clients.ts `machineGrantIdOf`) after a rotation or
 * a deletion: a secret that no longer exists ends now, the secret kept for the overlap ends with it
 * (`keptUntil`), so the access tokens each secret got stop within the resource server's grant-check window.
 */
async function existingTenant(connection: Connection, tenantId: string) {
  const tenant = await stores(connection).tenants.get(tenantId);
  if (!tenant) throw new Refusal('unknown-tenant', { tenantId });
  return tenant;
}

/** The options naming one admin account: its tenant and its email. */
const ADMIN_ACCOUNT = { tenant: { type: 'string' }, email: { type: 'string' } } as const;
const ADMIN_NAME = { 'given-name': { type: 'string' }, 'family-name': { type: 'string' } } as const;

const PASSWORD_HELP = `The password is read from standard input (one trailing newline is dropped): ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;

/** The password piped on standard input (`--password-stdin`), within the length rules. */
async function passwordFromStdin(context: CommandContext): Promise<string> {
  if (context.values['password-stdin'] !== true) {
    throw new CliError('--password-stdin is required: pipe the password on standard input', 2);
  }
  const password = (await context.readStdin()).replace(/\r?\n$/, '');
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new CliError(
      `The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters (read ${password.length} from standard input)`,
      2,
    );
  }
  return password;
}

/** `90s`, `15m`, `24h`, `7d`, `2y` (365 days a year) or `0` → seconds. */
export function parseDuration(value: string, option = 'overlap'): number {
  const match = /^(\d{1,9})([smhdy])$/.exec(value.trim()) ?? (value.trim() === '0' ? ['0', '0', 's'] : null);
  if (!match) throw new CliError(`--${option} must look like 90s, 15m, 24h, 7d, 2y or 0, not ${value}`, 2);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, y: 365 * 86400 }[match[2] as 's' | 'm' | 'h' | 'd' | 'y'];
  return Number(match[1]) * unit;
}

function overlapOption(context: CommandContext): number {
  const seconds = parseDuration((context.values.overlap as string | undefined) ?? DEFAULT_OVERLAP);
  if (seconds > MAX_OVERLAP_SECONDS) throw new CliError('--overlap is at most 30d', 2);
  return seconds;
}

/** An optional duration option, in seconds. */
function durationOption(context: CommandContext, option: string): number | undefined {
  const value = context.values[option] as string | undefined;
  return value === undefined ? undefined : parseDuration(value, option);
}

const CLIENT_KINDS = Object.keys(GRANT_TYPES_OF_KIND) as ClientKind[];

/** `--grant`: the client's kind, named by the grant it is for. */
function clientKindOption(context: CommandContext): ClientKind {
  const value = (context.values.grant as string | undefined) ?? 'authorization_code';
  if (!(CLIENT_KINDS as string[]).includes(value)) {
    throw new CliError(`--grant must be ${CLIENT_KINDS.join(' or ')}, not ${value}`, 2);
  }
  return value as ClientKind;
}

/** `--base-url`: an absolute http(s) URL, kept without a trailing slash. */
function baseUrlOption(context: CommandContext): string | undefined {
  const value = context.values['base-url'] as string | undefined;
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new CliError(`--base-url must be an absolute http(s) URL without query or fragment, not ${value}`, 2);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * A new machine client as Microsoft Entra ID's provisioning page (Admin Credentials, OAuth2 client credentials
 * grant) asks for it: Tenant URL (our SCIM base URL), Token Endpoint, Client Identifier, Client Secret.
 */
function entraValues(
  client: ClientRecord,
  clientSecret: string,
  secretExpiresAt: string | undefined,
  urls: ServiceUrls | undefined,
) {
  const lifetimeMinutes = (client.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS) / 60;
  return {
    json: {
      clientId: client.clientId,
      clientSecret,
      kind: client.kind,
      accessTokenLifetimeSeconds: client.accessTokenLifetimeSeconds,
      ...(secretExpiresAt === undefined ? {} : { secretExpiresAt }),
      ...(urls ? { tenantUrl: urls.scimBaseUrl, tokenEndpoint: urls.tokenEndpoint } : {}),
    },
    text: [
      `Client "${client.name}" (client credentials) created for tenant ${client.tenantId}.`,
      "For Microsoft Entra ID's provisioning page (Admin Credentials, OAuth2 client credentials grant):",
      `  Tenant URL         ${urls?.scimBaseUrl ?? '(the SCIM base URL: <public base URL>/scim/v2; pass --base-url to print it)'}`,
      `  Token Endpoint     ${urls?.tokenEndpoint ?? '(<public base URL>/oauth/token; pass --base-url to print it)'}`,
      `  Client Identifier  ${client.clientId}`,
      `  Client Secret      ${clientSecret}`,
      '  (the secret is shown only this once; it is stored as a hash)',
      ...(secretExpiresAt === undefined ? [] : [`  The secret expires at ${secretExpiresAt}; rotate it before then.`]),
      `  Access tokens live ${lifetimeMinutes} minutes.`,
    ].join('\n'),
  };
}

/** The new client the options describe, or a usage error (exit 2) naming the option at fault. */
function newClientOf(context: CommandContext, tenantId: string | undefined, name: string): NewClient {
  const kind = clientKindOption(context);
  const secretLifetimeSeconds = durationOption(context, 'secret-expires-in');
  const redirectUris = (context.values['redirect-uri'] as string[] | undefined) ?? [];
  const tokenLifetime = context.values['token-lifetime'] as string | undefined;
  let client: NewClient;
  if (kind === 'client_credentials') {
    if (redirectUris.length > 0) {
      throw new CliError('A client_credentials client has no redirect URI: leave out --redirect-uri', 2);
    }
    if (tenantId === undefined) {
      throw new CliError('A client_credentials client belongs to one tenant: give --tenant, not --multi-tenant', 2);
    }
    const accessTokenLifetimeSeconds = durationOption(context, 'token-lifetime');
    client = {
      tenantId,
      name,
      kind,
      ...(accessTokenLifetimeSeconds === undefined ? {} : { accessTokenLifetimeSeconds }),
      ...(secretLifetimeSeconds === undefined ? {} : { secretLifetimeSeconds }),
    };
  } else {
    if (tokenLifetime !== undefined) {
      throw new CliError('--token-lifetime is for client_credentials clients (--grant client_credentials)', 2);
    }
    if (redirectUris.length === 0) throw new CliError('At least one --redirect-uri is required', 2);
    for (const uri of redirectUris) {
      const problem = redirectUriProblem(uri);
      if (problem) throw new CliError(`${problem}: ${uri}`, 2);
    }
    client = {
      ...(tenantId === undefined ? {} : { tenantId }),
      name,
      redirectUris: [...new Set(redirectUris)],
      ...(secretLifetimeSeconds === undefined ? {} : { secretLifetimeSeconds }),
    };
  }
  const problem = newClientProblem(client);
  if (problem) throw new CliError(`${problem} (--token-lifetime 60m to 6h, --secret-expires-in 1d to 3y)`, 2);
  return client;
}

/** `client create` of a machine client that authenticates with a signed JWT: no secret to print. */
async function createAssertionClient(
  connection: Connection,
  newClient: NewClient,
  assertionCredential: AssertionCredential,
  urls: ServiceUrls | undefined,
): Promise<CommandResult> {
  if (newClient.kind !== 'client_credentials') {
    throw new CliError('--jwks-file and a federated credential are for --grant client_credentials clients', 2);
  }
  if (newClient.secretLifetimeSeconds !== undefined) {
    throw new CliError(
      'A client with --jwks-file or a federated credential has no secret: leave out --secret-expires-in',
      2,
    );
  }
  const { secretLifetimeSeconds: _none, ...settings } = newClient;
  const { client } = await stores(connection).clients.createWithAssertionKeys({ ...settings, assertionCredential });
  const lifetimeMinutes = (client.accessTokenLifetimeSeconds ?? 0) / 60;
  return {
    json: {
      clientId: client.clientId,
      kind: client.kind,
      accessTokenLifetimeSeconds: client.accessTokenLifetimeSeconds,
      authentication: authenticationView(client),
      ...(urls ? { tenantUrl: urls.scimBaseUrl, tokenEndpoint: urls.tokenEndpoint } : {}),
    },
    text: [
      `Client "${client.name}" (client credentials) created for tenant ${client.tenantId}.`,
      `  Tenant URL         ${urls?.scimBaseUrl ?? '(the SCIM base URL: <public base URL>/scim/v2; pass --base-url to print it)'}`,
      `  Token Endpoint     ${urls?.tokenEndpoint ?? '(<public base URL>/oauth/token; pass --base-url to print it)'}`,
      `  Client Identifier  ${client.clientId}`,
      '  Authentication     private_key_jwt (a signed JWT; the client has no secret)',
      `  Access tokens live at most ${lifetimeMinutes} minutes.`,
    ].join('\n'),
  };
}

/** `--public` is an authorization-code client of one tenant without a secret: the options that say otherwise are refused. */
function publicOptionsMustFit(context: CommandContext, multiTenant: boolean): void {
  if (multiTenant) throw new CliError('A --public client belongs to one tenant: give --tenant, not --multi-tenant', 2);
  if (context.values.grant !== undefined && context.values.grant !== 'authorization_code') {
    throw new CliError('A --public client uses the authorization code grant: leave out --grant', 2);
  }
  if (context.values['secret-expires-in'] !== undefined) {
    throw new CliError('A --public client has no secret: leave out --secret-expires-in', 2);
  }
  for (const option of Object.keys(ASSERTION_OPTIONS)) {
    if (context.values[option] !== undefined) {
      throw new CliError(`A --public client has no credential: leave out --${option}`, 2);
    }
  }
}

/** `client create --public`: a public client (PKCE S256, no secret) for the authorization code grant. */
async function createPublicClient(connection: Connection, newClient: NewClient): Promise<CommandResult> {
  if (newClient.kind === 'client_credentials' || newClient.tenantId === undefined) {
    throw new CliError('A --public client is an authorization-code client of one tenant', 2);
  }
  const { client } = await stores(connection).clients.createPublic({
    tenantId: newClient.tenantId,
    name: newClient.name,
    redirectUris: newClient.redirectUris,
  });
  return {
    json: { clientId: client.clientId, kind: client.kind, public: true, tokenEndpointAuthMethod: 'none' },
    text: [
      `Public client "${client.name}" created for tenant ${client.tenantId}.`,
      `  Client ID      ${client.clientId}`,
      '  Client Secret  none: a public client sends only its client_id and must use PKCE with S256',
      ...client.redirectUris.map((uri, index) => `  ${index === 0 ? 'Redirect URIs' : '             '}  ${uri}`),
    ].join('\n'),
  };
}

const iso = (epochSeconds: number | undefined) =>
  epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();

function clientView(client: ClientRecord) {
  return {
    clientId: client.clientId,
    ...(client.tenantId === undefined ? { multiTenant: true } : { tenantId: client.tenantId }),
    name: client.name,
    kind: client.kind,
    redirectUris: client.redirectUris,
    ...(client.accessTokenLifetimeSeconds === undefined
      ? {}
      : { accessTokenLifetimeSeconds: client.accessTokenLifetimeSeconds }),
    createdAt: client.createdAt,
    secrets: client.secrets.map((secret) => ({
      createdAt: secret.createdAt,
      ...(secret.expiresAt !== undefined ? { expiresAt: iso(secret.expiresAt) } : {}),
    })),
    authentication: authenticationView(client),
  };
}

/** How the client authenticates: with a secret, or a JWT verified with its own keys or a federated issuer's. */
function authenticationView(client: ClientRecord) {
  const credential = client.assertionCredential;
  if (client.publicClient === true) return { method: 'none', pkce: 'S256' };
  if (credential === undefined) return { method: 'client_secret' };
  if (credential.kind === 'jwks') {
    return { method: 'private_key_jwt', keys: credential.keys.map((key) => key.kid ?? `${key.kty} key`) };
  }
  const { issuer, subject, audience, jwksUri } = credential;
  return { method: 'private_key_jwt', federated: { issuer, subject, audience, jwksUri } };
}

const authenticationSummary = (view: ReturnType<typeof authenticationView>): string =>
  'federated' in view && view.federated
    ? `federated: ${view.federated.issuer}`
    : 'keys' in view && view.keys
      ? `keys: ${view.keys.join(' ')}`
      : view.method === 'none'
        ? 'public (PKCE S256)'
        : 'secret';

function grantView(grant: GrantRecord) {
  return {
    grantId: grant.grantId,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    subject: grant.subject,
    scope: grant.scope,
    status: grant.status,
    createdAt: grant.createdAt,
    ...(grant.expiresAt !== undefined ? { expiresAt: iso(grant.expiresAt) } : {}),
    ...(grant.revokedAt !== undefined ? { revokedAt: grant.revokedAt } : {}),
    ...(grant.revokedReason !== undefined ? { revokedReason: grant.revokedReason } : {}),
    ...(grant.lastUsedAt !== undefined ? { lastUsedAt: iso(grant.lastUsedAt) } : {}),
  };
}

const oauthCommands: readonly CommandSpec[] = [
  {
    group: 'tenant',
    action: 'create',
    summary: 'create a tenant',
    usage: 'tenant create --name <name> [--force] [--json]',
    details: [
      'Tenant names tell tenants apart on the sign-in and consent pages, so a name another tenant already has',
      '(compared trimmed and case-insensitively) is refused; --force creates the tenant anyway.',
      'Prints the new tenant id; with --json: {"tenantId": "..."}.',
    ],
    options: { name: { type: 'string' }, force: { type: 'boolean' } },
    run: async (context) => {
      const name = displayName(context, 'name');
      const { accounts } = accessServices(await context.connection(), actorOf(context));
      const tenant = await accounts.createTenant(name, { force: context.values.force === true });
      return { json: { tenantId: tenant.tenantId }, text: `Tenant "${tenant.name}" created: ${tenant.tenantId}` };
    },
  },
  {
    group: 'tenant',
    action: 'list',
    summary: 'list the tenants',
    usage: 'tenant list [--json]',
    details: ['With --json: {"tenants": [{"tenantId", "name", "createdAt"}, ...]}.'],
    options: {},
    run: async (context) => {
      const tenants = await stores(await context.connection()).tenants.list();
      return {
        json: { tenants },
        text:
          tenants.length === 0
            ? 'No tenants.'
            : table([['TENANT ID', 'NAME', 'CREATED'], ...tenants.map((t) => [t.tenantId, t.name, t.createdAt])]),
      };
    },
  },
  {
    group: 'admin',
    action: 'create',
    summary: "create a tenant admin (the person who approves Okta's connection)",
    usage:
      'admin create --tenant <tenantId> --email <email> --given-name <g> --family-name <f> --password-stdin [--actor <name>] [--json]',
    details: [
      PASSWORD_HELP,
      'It is never accepted as an argument, where it would end up in the shell history. Example:',
      '  printf \'%s\' "$ADMIN_PASSWORD" | npm run --silent admin -- admin create --tenant <id> --email ann@acme.example \\',
      '    --given-name Ann --family-name Smith --password-stdin',
      '--given-name and --family-name are the admin’s name: SCIM lists it on the admin’s user (Okta’s first check',
      'reads name.givenName and name.familyName of the tenant’s first user). A linked user that has no name yet gets it.',
      'Emails are compared case-insensitively; one email can be an admin of a tenant once.',
      'The account signs in a user of the tenant holding the admin role: the user whose userName is that email',
      '(provisioned by Okta or made with `user create`) is linked, or a new user is created, and given the admin',
      'role. The account may approve connections only while that user holds the admin role (see user set-role).',
      ACTOR_HELP,
      'Prints the admin user id; with --json: {"userId": "...", "linkedExistingUser": true|false}.',
    ],
    options: { ...ADMIN_ACCOUNT, ...ADMIN_NAME, 'password-stdin': { type: 'boolean' }, ...ACTOR_OPTION },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = emailOption(context);
      const name = personName(context);
      const actor = actorOf(context);
      const password = await passwordFromStdin(context);
      const connection = await context.connection();
      const { admin, linkedExistingUser } = await accessServices(connection, actor).accounts.createAdmin({
        tenantId,
        email,
        name,
        passwordHash: await hashAdminPassword(password),
      });
      return {
        json: { userId: admin.userId, linkedExistingUser },
        text: `Admin ${admin.email} created for tenant ${tenantId}: ${admin.userId}${linkedExistingUser ? ' (the existing user of that email, now with the admin role)' : ''}`,
      };
    },
  },
  {
    group: 'admin',
    action: 'link',
    summary: 'tie an admin account made before roles existed to its user with the admin role',
    usage: 'admin link --tenant <tenantId> --email <email> [--actor <name>] [--json]',
    details: [
      'Admin accounts created before the access model have no user in the users table, so they cannot approve',
      'connections. This links the account to the user whose userName is its email (created if missing) and',
      'gives that user the admin role; grants the admin approved before stay attributed to the account (admin',
      'delete still revokes them). On an account that already has its user, it gives that user the admin role.',
      ACTOR_HELP,
      'With --json: {"userId", "linkedExistingUser", "relinked"}.',
    ],
    options: { ...ADMIN_ACCOUNT, ...ACTOR_OPTION },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = emailOption(context);
      const actor = actorOf(context);
      const linked = await accessServices(await context.connection(), actor).accounts.linkAdmin(tenantId, email);
      return {
        json: linked,
        text: `Admin ${email} of tenant ${tenantId} is user ${linked.userId}, with the admin role.`,
      };
    },
  },
  {
    group: 'admin',
    action: 'list',
    summary: "list a tenant's admins",
    usage: 'admin list --tenant <tenantId> [--json]',
    details: ['With --json: {"admins": [{"userId", "tenantId", "email", "createdAt"}, ...]} (never a password hash).'],
    options: { tenant: { type: 'string' } },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const connection = await context.connection();
      await existingTenant(connection, tenantId);
      const admins = await stores(connection).tenants.listAdmins(tenantId);
      return {
        json: { admins },
        text:
          admins.length === 0
            ? 'No admins.'
            : table([['USER ID', 'EMAIL', 'CREATED'], ...admins.map((a) => [a.userId, a.email, a.createdAt])]),
      };
    },
  },
  {
    group: 'admin',
    action: 'set-name',
    summary: "give an admin's user a given and family name",
    usage:
      'admin set-name --tenant <tenantId> --email <email> --given-name <g> --family-name <f> [--actor <name>] [--json]',
    details: [
      'Sets name.givenName and name.familyName of the user the admin account signs in (other parts of the name',
      'are kept), as SCIM lists it. For admins created before admin create asked for a name.',
      ACTOR_HELP,
      'With --json: {"user": {...}} as user show prints it.',
    ],
    options: { ...ADMIN_ACCOUNT, ...ADMIN_NAME, ...ACTOR_OPTION },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = emailOption(context);
      const name = personName(context);
      const actor = actorOf(context);
      const { accounts } = accessServices(await context.connection(), actor);
      const user = userView(await accounts.setAdminName(tenantId, email, name));
      return {
        json: { user },
        text: `Admin ${email} of tenant ${tenantId} is now named ${name.givenName} ${name.familyName}.`,
      };
    },
  },
  {
    group: 'admin',
    action: 'set-password',
    summary: 'give an admin a new password (for one who forgot it)',
    usage: 'admin set-password --tenant <tenantId> --email <email> --password-stdin [--actor <name>] [--json]',
    details: [
      PASSWORD_HELP,
      'It is never accepted as an argument. The old password stops working at once; the grants the admin',
      'approved are not touched, and neither is a sign-in lock-out (see admin unlock). Recorded in the audit trail.',
      ACTOR_HELP,
      'With --json: {"userId", "email", "passwordChanged": true}.',
    ],
    options: { ...ADMIN_ACCOUNT, 'password-stdin': { type: 'boolean' }, ...ACTOR_OPTION },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = emailOption(context);
      const actor = actorOf(context);
      const password = await passwordFromStdin(context);
      const { accounts } = accessServices(await context.connection(), actor);
      const admin = await accounts.setAdminPassword(tenantId, email, await hashAdminPassword(password));
      return {
        json: { userId: admin.userId, email: admin.email, passwordChanged: true },
        text: `Admin ${admin.email} of tenant ${tenantId} has a new password.`,
      };
    },
  },
  {
    group: 'admin',
    action: 'unlock',
    summary: "lift an admin's sign-in lock-out after too many failed sign-ins",
    usage: 'admin unlock --tenant <tenantId> --email <email> [--actor <name>] [--json]',
    details: [
      'The failed sign-ins counted against the account are forgotten, so the admin may sign in again at once.',
      'Grants are not touched. Failures counted against the source address are not lifted (they protect every',
      'account from one machine). Recorded in the audit trail.',
      ACTOR_HELP,
      'With --json: {"userId", "email", "unlocked": true}.',
    ],
    options: { ...ADMIN_ACCOUNT, ...ACTOR_OPTION },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = emailOption(context);
      const actor = actorOf(context);
      const connection = await context.connection();
      const { accounts } = accessServices(connection, actor);
      const lockouts = new ThrottleSignInLockouts(new LoginThrottleStore(connection.db, connection.tables.grants));
      const admin = await accounts.unlockAdmin(lockouts, tenantId, email);
      return {
        json: { userId: admin.userId, email: admin.email, unlocked: true },
        text: `Admin ${admin.email} of tenant ${tenantId} may sign in again.`,
      };
    },
  },
  {
    group: 'admin',
    action: 'delete',
    summary: 'delete a tenant admin and revoke the grants they approved',
    usage: 'admin delete --tenant <tenantId> --email <email> [--json]',
    details: [
      'The admin can no longer sign in, and every active grant they approved is revoked (RFC 9700 §4.14.2:',
      'a security event ends the connections it vouched for); Okta must be re-authorized by another admin.',
      'With --json: {"userId", "deleted": true, "revokedGrants": <count>}.',
    ],
    options: ADMIN_ACCOUNT,
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const email = required(context, 'email');
      const { admin: deleted, revokedGrants: revoked } = await deleteAdmin(
        stores(await context.connection()),
        tenantId,
        email,
      );
      return {
        json: { userId: deleted.userId, deleted: true, revokedGrants: revoked },
        text: `Admin ${deleted.email} deleted; ${revoked} grant(s) they approved revoked.`,
      };
    },
  },
  {
    group: 'client',
    action: 'create',
    summary: 'register an OAuth client for a tenant: Okta (authorization code) or Entra (client credentials)',
    usage:
      'client create --tenant <tenantId> --name <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--secret-expires-in <duration>] [--json]\n' +
      '  client create --grant client_credentials --tenant <tenantId> --name <name> [--token-lifetime <duration>] [--secret-expires-in <duration>] [--base-url <url>] [--json]\n' +
      `  client create --grant client_credentials --tenant <tenantId> --name <name> [--token-lifetime <duration>] ${ASSERTION_USAGE} [--base-url <url>] [--json]\n` +
      '  client create --public --tenant <tenantId> --name <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--json]\n' +
      '  client create --multi-tenant --name <name> --redirect-uri <uri> [--redirect-uri <uri> ...] [--secret-expires-in <duration>] [--json]',
    details: [
      'Without --grant (or with --grant authorization_code) the client is for the authorization code grant',
      "(Okta's OAuth connection): redirect URIs must be absolute https URIs without a fragment or user@; http",
      'is accepted only for localhost, 127.0.0.1 and [::1] (local testing). They are matched exactly,',
      "character for character. Okta's callback is https://system-admin.okta.com/admin/app/cpc/<appName>/oauth/callback",
      '(other Okta cells: okta-emea.com, oktapreview.com); register each one your Okta org may use.',
      "--multi-tenant registers the service's one client for an app in Okta's catalogue (OIN), shared by every",
      'tenant: no --tenant; each grant belongs to the organization of the admin who approves it, named by the',
      "authorization URL's tenant=<tenantId> parameter or typed on the sign-in page. Only the operator creates it.",
      '--public registers a public authorization-code client (token_endpoint_auth_method none): no secret; it',
      'sends only its client_id to the token endpoint, must use PKCE with S256 on every authorization, and its',
      'refresh tokens rotate on every use. Any secret or client assertion sent for it is refused.',
      '--grant client_credentials creates a machine client (Microsoft Entra ID): no redirect URI and no consent',
      'page, since creating it is the approval. Its access tokens live --token-lifetime (60m to 6h, default',
      `${DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS / 60}m).`,
      '--secret-expires-in (1d to 3y, e.g. 365d or 2y) makes the secret stop working after that time; without',
      'it the secret does not expire. Rotate it before then (client rotate-secret).',
      "For a client_credentials client it prints the four values Entra's provisioning page asks for: Tenant URL,",
      'Token Endpoint, Client Identifier and Client Secret. The two addresses come from the deployed stack or the',
      'running npm start; --base-url <url> (the public base URL, e.g. https://scim.example.com) gives them otherwise.',
      'The client secret is printed once and stored only as a hash: copy it into the identity provider now.',
      'With --json: {"clientId", "clientSecret", "kind": "authorization_code" | "client_credentials", "secretExpiresAt"',
      '(if it expires), and for client_credentials "accessTokenLifetimeSeconds", "tenantUrl", "tokenEndpoint" (when known)};',
      'for --public: {"clientId", "kind": "authorization_code", "public": true, "tokenEndpointAuthMethod": "none"}.',
      ...ASSERTION_HELP,
    ],
    options: {
      tenant: { type: 'string' },
      'multi-tenant': { type: 'boolean' },
      public: { type: 'boolean' },
      name: { type: 'string' },
      grant: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' },
      'secret-expires-in': { type: 'string' },
      'base-url': { type: 'string' },
      ...ASSERTION_OPTIONS,
    },
    run: async (context) => {
      const multiTenant = context.values['multi-tenant'] === true;
      if (context.values.public === true) publicOptionsMustFit(context, multiTenant);
      if (multiTenant && context.values.tenant !== undefined) {
        throw new CliError('A --multi-tenant client belongs to no one tenant: leave out --tenant', 2);
      }
      const tenantId = multiTenant ? undefined : required(context, 'tenant');
      const name = displayName(context, 'name');
      const newClient = newClientOf(context, tenantId, name);
      const baseUrl = baseUrlOption(context);
      const connection = await context.connection();
      const assertionCredential = await assertionCredentialOf(context, connection.local);
      if (tenantId !== undefined) await existingTenant(connection, tenantId);
      if (assertionCredential !== undefined) {
        const urls = baseUrl === undefined ? connection.serviceUrls : serviceUrlsOf(baseUrl);
        return createAssertionClient(connection, newClient, assertionCredential, urls);
      }
      if (context.values.public === true) return createPublicClient(connection, newClient);
      const { client, clientSecret } = await stores(connection).clients.create(newClient);
      const secretExpiresAt = iso(client.secrets[0]?.expiresAt);
      if (client.kind === 'client_credentials') {
        const urls = baseUrl === undefined ? connection.serviceUrls : serviceUrlsOf(baseUrl);
        return entraValues(client, clientSecret, secretExpiresAt, urls);
      }
      return {
        json: {
          clientId: client.clientId,
          clientSecret,
          kind: client.kind,
          ...(client.tenantId === undefined ? { multiTenant: true } : {}),
          ...(secretExpiresAt === undefined ? {} : { secretExpiresAt }),
        },
        text: [
          tenantId === undefined
            ? `Multi-tenant client "${client.name}" created: each grant belongs to the organization of the admin who approves it.`
            : `Client "${client.name}" created for tenant ${tenantId}.`,
          `  Client ID      ${client.clientId}`,
          `  Client Secret  ${clientSecret}`,
          '  (the secret is shown only this once; it is stored as a hash)',
          ...(secretExpiresAt === undefined ? [] : [`  The secret expires at ${secretExpiresAt}`]),
          ...client.redirectUris.map((uri, index) => `  ${index === 0 ? 'Redirect URIs' : '             '}  ${uri}`),
          ...(client.accessTokenLifetimeSeconds === undefined
            ? []
            : [
                `  Grant          client_credentials, access tokens live ${client.accessTokenLifetimeSeconds / 60} minutes`,
              ]),
        ].join('\n'),
      };
    },
  },
  {
    group: 'client',
    action: 'list',
    summary: 'list OAuth clients (secrets are never shown)',
    usage: 'client list [--tenant <tenantId>] [--json]',
    details: [
      'With --json: {"clients": [{"clientId", "tenantId" (or "multiTenant": true), "name", "kind", "redirectUris", "accessTokenLifetimeSeconds"',
      '(client_credentials clients), "createdAt", "secrets", "authentication": {"method", "keys" | "federated"}}, ...]}.',
    ],
    options: { tenant: { type: 'string' } },
    run: async (context) => {
      const tenantId = context.values.tenant as string | undefined;
      const connection = await context.connection();
      if (tenantId !== undefined) await existingTenant(connection, tenantId);
      const clients = (await stores(connection).clients.list(tenantId)).map(clientView);
      return {
        json: { clients },
        text:
          clients.length === 0
            ? 'No clients.'
            : table([
                ['CLIENT ID', 'TENANT ID', 'NAME', 'GRANT', 'AUTHENTICATION', 'SECRETS', 'REDIRECT URIS'],
                ...clients.map((c) => [
                  c.clientId,
                  'tenantId' in c ? c.tenantId : '(multi-tenant)',
                  c.name,
                  c.kind,
                  authenticationSummary(c.authentication),
                  c.secrets.map((s) => (s.expiresAt ? `1 until ${s.expiresAt}` : '1 current')).join(', '),
                  c.redirectUris.join(' '),
                ]),
              ]),
      };
    },
  },
  {
    group: 'client',
    action: 'rotate-secret',
    summary: 'issue a new client secret; the old one keeps working for an overlap',
    usage: `client rotate-secret --client <clientId> [--overlap <duration>] [--secret-expires-in <duration>] [--json]`,
    details: [
      `Prints a new secret (shown once). The current secret stays valid for --overlap (default ${DEFAULT_OVERLAP};`,
      'e.g. 90s, 15m, 24h, 7d, at most 30d) and is refused from then on, so there is time to paste the new',
      'secret into Okta. --overlap 0 ends the old secret at once. At most two secrets exist: rotating again',
      'during an overlap ends the older secret immediately. --secret-expires-in (1d to 3y) makes the new',
      'secret stop working after that time; without it the new secret does not expire.',
      'With --json: {"clientId", "clientSecret", "previousSecretExpiresAt"} (ISO time; null if ended at once).',
    ],
    options: { client: { type: 'string' }, overlap: { type: 'string' }, 'secret-expires-in': { type: 'string' } },
    run: async (context) => {
      const clientId = required(context, 'client');
      const overlapSeconds = overlapOption(context);
      const secretLifetimeSeconds = durationOption(context, 'secret-expires-in');
      if (secretLifetimeSeconds !== undefined) {
        const problem = secretLifetimeProblem(secretLifetimeSeconds);
        if (problem) throw new CliError(`${problem} (--secret-expires-in 1d to 3y)`, 2);
      }
      const now = new Date();
      const rotated = await rotateClientSecret(
        stores(await context.connection()),
        clientId,
        overlapSeconds,
        now,
        secretLifetimeSeconds,
      );
      if (rotated === 'no-secret') {
        throw new CliError(
          `Client ${clientId} has no secret to rotate: it authenticates with a signed JWT (private_key_jwt) or is a public client (PKCE)`,
        );
      }
      const previousEnds =
        rotated.previousSecretExpiresAt > Math.floor(now.getTime() / 1000)
          ? iso(rotated.previousSecretExpiresAt)
          : null;
      return {
        json: { clientId, clientSecret: rotated.clientSecret, previousSecretExpiresAt: previousEnds },
        text: [
          `New secret for client ${clientId} (shown only this once):`,
          `  Client Secret  ${rotated.clientSecret}`,
          previousEnds
            ? `The previous secret keeps working until ${previousEnds}; update Okta before then.`
            : 'The previous secret no longer works.',
        ].join('\n'),
      };
    },
  },
  {
    group: 'client',
    action: 'delete',
    summary: 'delete an OAuth client and revoke every grant it holds',
    usage: 'client delete --client <clientId> [--json]',
    details: [
      'Its secrets stop working at once; its grants are revoked, so refresh tokens fail at once and access',
      'tokens within 30 seconds. With --json: {"clientId", "deleted": true, "revokedGrants": <count>}.',
    ],
    options: { client: { type: 'string' } },
    run: async (context) => {
      const clientId = required(context, 'client');
      const deleted = await deleteClientRevokingGrants(stores(await context.connection()), clientId);
      if (!deleted) throw new Refusal('unknown-client', { clientId });
      const revoked = deleted.revokedGrants;
      return {
        json: { clientId, deleted: true, revokedGrants: revoked },
        text: `Client ${clientId} deleted; ${revoked} active grant(s) revoked.`,
      };
    },
  },
  {
    group: 'grant',
    action: 'list',
    summary: 'list grants (approved connections), active and revoked',
    usage: 'grant list [--tenant <tenantId>] [--client <clientId>] [--json]',
    details: [
      'A grant is created when a client redeems an authorization code; every token is issued under one.',
      'LAST USED is when a refresh token of the grant was last redeemed (never: not since the approval).',
      'With --json: {"grants": [{"grantId", "tenantId", "clientId", "subject", "scope", "status", "createdAt",',
      '"lastUsedAt"?, ...}]}.',
    ],
    options: { tenant: { type: 'string' }, client: { type: 'string' } },
    run: async (context) => {
      const clientId = context.values.client as string | undefined;
      const grants = (await stores(await context.connection()).grants.list(context.values.tenant as string | undefined))
        .filter((grant) => clientId === undefined || grant.clientId === clientId)
        .map(grantView);
      return {
        json: { grants },
        text:
          grants.length === 0
            ? 'No grants.'
            : table([
                ['GRANT ID', 'TENANT ID', 'CLIENT ID', 'STATUS', 'CREATED', 'LAST USED'],
                ...grants.map((g) => [
                  g.grantId,
                  g.tenantId,
                  g.clientId,
                  g.status === 'revoked' ? `revoked (${g.revokedReason ?? 'admin'})` : g.status,
                  g.createdAt,
                  g.lastUsedAt ?? 'never',
                ]),
              ]),
      };
    },
  },
  {
    group: 'grant',
    action: 'revoke',
    summary: 'revoke a grant: its refresh token at once, its access tokens within 30 seconds',
    usage: 'grant revoke --grant <grantId> [--json]',
    details: [
      'The client (Okta) must be re-authorized by an admin afterwards. Revoking a revoked grant is a no-op.',
      'With --json: {"grantId", "status": "revoked"}.',
    ],
    options: { grant: { type: 'string' } },
    run: async (context) => {
      const grantId = required(context, 'grant');
      const { grants } = stores(await context.connection());
      if (!(await grants.revokeIfExists(grantId, new Date().toISOString(), 'admin'))) {
        throw new Refusal('unknown-grant', { grantId });
      }
      return { json: { grantId, status: 'revoked' }, text: `Grant ${grantId} revoked.` };
    },
  },
];

export const commands: readonly CommandSpec[] = [
  ...oauthCommands,
  ...accessCommands,
  ...groupCommands,
  ...tokenCommands,
  ...activityCommands,
];

export type { CommandSpec } from './command-support';

/** Refusals become one-line CLI errors, worded here. */
export function asCliError(error: unknown): CliError | undefined {
  if (error instanceof CliError) return error;
  if (error instanceof Refusal) return new CliError(refusalMessage(error), 1, error.code);
  // A SCIM rule the command's input broke (a filter that does not parse, a userName taken): 2 for bad input.
  if (error instanceof ScimError) {
    return new CliError(error.detail, error.status === 400 ? 2 : 1, error.scimType ?? `scim-${error.status}`);
  }
  return undefined;
}
