import { mintAccessToken } from './access-token';
import type { ClientAuthMethod } from './client-authentication';
import type { ClientRecord, StoredClientSecret } from './clients';
import type { FormParams } from './form-params';
import type { GrantRecord } from './grants';
import { opaqueTokenHash } from './opaque-tokens';
import { REFRESH_TOKEN_IDLE_SECONDS, type RefreshTokenRecord } from './refresh-tokens';
import type { TokenSigner } from './signer';

/**
 * What every grant type of the token endpoint shares (RFC 6749 §3.2): the shape of a grant module, and the
 * successful response. A grant module exports its dependencies and one `TokenGrant`; the endpoint's dispatch
 * table (token-endpoint.ts) maps each `grant_type` to it.
 */
export type TokenGrant<Deps> = (deps: Deps, client: AuthenticatedClient, form: FormParams) => Promise<TokenOutcome>;

/** The client the request authenticated as, and how; never its secret or assertion. */
export interface AuthenticatedClient {
  readonly clientId: string;
  readonly method: ClientAuthMethod;
  readonly client: ClientRecord;
  /** The secret it presented (its stored form); absent when it authenticated with a client assertion. */
  readonly secret?: StoredClientSecret;
  /**
   * Epoch seconds after which no token issued on this authentication may live: the `exp` of a federated
   * credential's assertion (docs/oauth.md "How long a token issued on an assertion lives"); absent otherwise.
   */
  readonly tokensNotAfter?: number;
}

/** The lifetime of a token issued now: the grant's own, cut short to end no later than the authentication allows. */
export const boundedLifetime = (lifetimeSeconds: number, now: number, authenticated: AuthenticatedClient): number =>
  authenticated.tokensNotAfter === undefined
    ? lifetimeSeconds
    : Math.max(1, Math.min(lifetimeSeconds, authenticated.tokensNotAfter - now));

/** What minting the response needs: the signer, our issuer (`iss`) and the SCIM base URL (`aud`). */
export interface TokenIssuingDeps {
  readonly signer: TokenSigner;
  readonly issuer: string;
  readonly audience: string;
  readonly now: () => Date;
}

/** RFC 6749 §5.1; no refresh token for the client_credentials grant (§4.4.3). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope: string;
}

/** What the handler may log about a successful exchange: ids, never a credential. */
export interface TokenOutcome {
  readonly response: TokenResponse;
  readonly grantType: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly grantId: string;
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** A new active refresh token of the grant: idle for at most 90 days, never beyond the grant's end. */
export function newRefreshRecord(token: string, grant: GrantRecord, now: number): RefreshTokenRecord {
  return {
    tokenHash: opaqueTokenHash(token),
    grantId: grant.grantId,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    subject: grant.subject,
    scope: grant.scope,
    issuedAt: now,
    validUntil: Math.min(now + REFRESH_TOKEN_IDLE_SECONDS, grant.expiresAt ?? Number.POSITIVE_INFINITY),
    status: 'active',
  };
}

/** The successful token response: a new access token of the grant for `scope`, and the refresh token. */
export async function tokenResponse(
  deps: TokenIssuingDeps,
  grantType: 'authorization_code' | 'refresh_token',
  grant: GrantRecord,
  scope: string,
  refreshToken: string,
  now: number,
): Promise<TokenOutcome> {
  const access = await mintAccessToken(
    deps.signer,
    {
      issuer: deps.issuer,
      audience: deps.audience,
      subject: grant.subject,
      clientId: grant.clientId,
      scope,
      tenantId: grant.tenantId,
      grantId: grant.grantId,
    },
    now,
  );
  return {
    response: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
      scope,
    },
    grantType,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    grantId: grant.grantId,
  };
}
