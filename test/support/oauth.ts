import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { GrantLedger } from '../../adapters/dynamodb/grant-ledger';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { type AuthorizationCodeRequest, issueAuthorizationCode } from '../../core/oauth/authorization-code';
import type { TokenEndpointDeps } from '../../core/oauth/token-endpoint';
import { hashAdminPassword } from '../../functions/_shared/password-hashing';
import { documentClient, publicBaseUrl, scimBaseUrl, tableName, tokenSigner } from '../../functions/_shared/services';
import { accessServices } from './access-services';
import { rememberSecret } from './secrets';

/** The stores on the test run's DynamoDB Local; call after `startService()` or `useLocalEnvironment()`. */
export function oauthStores() {
  const db = documentClient();
  return {
    tenants: new TenantStore(db, tableName('clients')),
    clients: new ClientStore(db, tableName('clients')),
    codes: new AuthorizationCodeStore(db, tableName('grants')),
    grants: new GrantStore(db, tableName('grants')),
    ledger: new GrantLedger(db, tableName('grants')),
  };
}

/** Okta's callback for an App Integration Wizard app, as a tenant admin registers it, and the same app's on Okta's EMEA cell. */
export const OKTA_CALLBACK = 'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback';
export const OKTA_EMEA_CALLBACK = 'https://system-admin.okta-emea.com/admin/app/cpc/acme_scimapp_1/oauth/callback';

export interface OAuthFixture {
  readonly tenantId: string;
  readonly tenantName: string;
  /** The admin's user id: the subject of the grants the admin approves. */
  readonly adminUserId: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientName: string;
  readonly redirectUris: readonly string[];
  /** The first registered redirect URI. */
  readonly redirectUri: string;
}

export interface OAuthFixtureOptions {
  readonly tenantName?: string;
  readonly clientName?: string;
  /** Default: Okta's callback and the same app's on the EMEA cell. */
  readonly redirectUris?: readonly [string, ...string[]];
  readonly adminEmail?: string;
}

/**
 * A fresh tenant with one admin (an admin account linked to a user with the `admin` role, and a password)
 * and one confidential OAuth client, written through the real stores. The client secret and the admin's
 * password are recorded for the end-of-run log scan. Call after `startService()` or `useLocalEnvironment()`.
 */
export async function oauthFixture(options: OAuthFixtureOptions = {}): Promise<OAuthFixture> {
  const { tenants, clients } = oauthStores();
  const tenant = await tenants.create(options.tenantName ?? 'Acme Corporation');
  const adminPassword = `pw-${randomUUID()}`;
  rememberSecret(adminPassword);
  const adminEmail = options.adminEmail ?? `admin-${randomUUID().slice(0, 8)}@acme.example`;
  const { admin } = await accessServices('test-fixture').accounts.createAdmin({
    tenantId: tenant.tenantId,
    email: adminEmail,
    name: { givenName: 'Ada', familyName: 'Admin' },
    passwordHash: await hashAdminPassword(adminPassword),
  });
  const redirectUris = options.redirectUris ?? [OKTA_CALLBACK, OKTA_EMEA_CALLBACK];
  const { client, clientSecret } = await clients.create({
    tenantId: tenant.tenantId,
    name: options.clientName ?? 'Okta provisioning',
    redirectUris,
  });
  rememberSecret(clientSecret);
  return {
    tenantId: tenant.tenantId,
    tenantName: tenant.name,
    adminUserId: admin.userId,
    adminEmail,
    adminPassword,
    clientId: client.clientId,
    clientSecret,
    clientName: client.name,
    redirectUris,
    redirectUri: redirectUris[0],
  };
}

/**
 * An authorization code as the consent page issues it after the admin approves (recorded for the end-of-run
 * log scan, like the fixture's client secret). The browser flow (login and
 * consent pages) is tested separately; here the code is issued by calling `issueAuthorizationCode` directly.
 */
export async function issueTestCode(
  fixture: OAuthFixture,
  overrides: Partial<AuthorizationCodeRequest> = {},
  now?: () => Date,
): Promise<string> {
  const code = await issueAuthorizationCode(
    { codes: oauthStores().codes, ...(now ? { now } : {}) },
    {
      tenantId: fixture.tenantId,
      clientId: fixture.clientId,
      redirectUri: fixture.redirectUri,
      subject: fixture.adminUserId,
      scope: 'scim',
      ...overrides,
    },
  );
  rememberSecret(code);
  return code;
}

/** Records the credentials of a token response for the end-of-run log scan, and returns it. */
export function rememberTokens<T>(response: T): T {
  const { access_token: accessToken, refresh_token: refreshToken } = (response ?? {}) as Record<string, unknown>;
  if (typeof accessToken === 'string') rememberSecret(accessToken);
  if (typeof refreshToken === 'string') rememberSecret(refreshToken);
  return response;
}

/** The token endpoint's dependencies on the real stores, with a clock the test controls. */
export function tokenEndpointDeps(now: () => Date = () => new Date()): TokenEndpointDeps {
  const { clients, codes, grants, ledger } = oauthStores();
  return {
    clients,
    codes,
    grants,
    machineGrants: grants,
    ledger,
    signer: tokenSigner(),
    issuer: publicBaseUrl(),
    audience: scimBaseUrl(),
    now,
  };
}

/** RFC 6749 §2.3.1 / Appendix B: each half form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  rememberSecret(verifier);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A form body as name → values, the shape the OAuth route stack hands the core. */
export const form = (params: Record<string, string>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(params).map(([name, value]) => [name, [value]]));
