import { createHash, randomBytes } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { GrantLedger } from '../../adapters/dynamodb/grant-ledger';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { type AuthorizationCodeRequest, issueAuthorizationCode } from '../../core/oauth/authorization-code';
import type { TokenEndpointDeps } from '../../core/oauth/token-endpoint';
import { documentClient, publicBaseUrl, scimBaseUrl, tableName, tokenSigner } from '../../functions/_shared/services';
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

export interface OAuthFixture {
  readonly tenantId: string;
  readonly adminUserId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export const OKTA_CALLBACK = 'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback';

/** A fresh tenant with an admin and a confidential client registered for Okta's callback (and one more URI). */
export async function oauthFixture(redirectUri = OKTA_CALLBACK): Promise<OAuthFixture> {
  const { tenants, clients } = oauthStores();
  const tenant = await tenants.create('Acme');
  const admin = await tenants.createAdmin({
    tenantId: tenant.tenantId,
    email: 'admin@acme.example',
    passwordHash: 'not-used-here',
  });
  const { client, clientSecret } = await clients.create({
    tenantId: tenant.tenantId,
    name: 'Okta',
    redirectUris: [redirectUri, 'https://system-admin.okta-emea.com/admin/app/cpc/acme_scimapp_1/oauth/callback'],
  });
  rememberSecret(clientSecret);
  return {
    tenantId: tenant.tenantId,
    adminUserId: admin.userId,
    clientId: client.clientId,
    clientSecret,
    redirectUri,
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
