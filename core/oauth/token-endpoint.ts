import type { ShareDecision } from '../fair-share';
import { type AuthorizationCodeGrantDeps, authorizationCodeGrant } from './authorization-code-grant';
import { type ClientCredentials, clientCredentialsFrom } from './client-authentication';
import { authenticateClientSecret, type ClientSecretSource } from './clients';
import { clientShareUsedUp, invalidClient, tooManyFailedClientAuthentications, unsupportedGrantType } from './errors';
import { type FormParams, requiredParam } from './form-params';
import type { AttemptDecision } from './login-throttle';
import { type RefreshTokenGrantDeps, refreshTokenGrant } from './refresh-token-grant';
import type { TokenGrant, TokenOutcome } from './token-grant';

export type { TokenOutcome, TokenResponse } from './token-grant';

/**
 * Client authentication attempts of the calling address, counted per client id (AS-E5). Each attempt is
 * counted atomically *before* the secret is checked, so a burst of parallel guesses gets no more of them
 * evaluated than the same guesses sent one after the other.
 */
export interface ClientAuthFailureCounter {
  /** Counts one attempt, unless the counter makes this caller wait first. */
  reserveAttempt(clientId: string): Promise<AttemptDecision>;
  /** The secret was right: this caller's count for the client starts over. */
  succeeded(clientId: string): Promise<void>;
}

export interface ClientAuthenticationDeps {
  readonly clients: ClientSecretSource;
  /** Failed client authentications of this caller (AS-E5); without it, failures are not limited. */
  readonly clientAuthFailures?: ClientAuthFailureCounter;
  readonly now: () => Date;
}

/** What the token endpoint needs: client authentication and every grant module's dependencies. */
export type TokenEndpointDeps = ClientAuthenticationDeps &
  AuthorizationCodeGrantDeps &
  RefreshTokenGrantDeps & {
    /**
     * Takes one request from the authenticated client's fair share (core/fair-share.ts); without it, token
     * requests are not shared out.
     */
    readonly clientShare?: (clientId: string) => Promise<ShareDecision>;
  };

/**
 * THE grant types of the token endpoint (RFC 6749 §4.1.3, §6), one module each. The metadata's
 * `grant_types_supported` is derived from it, so a grant is added by adding its module and one entry here.
 */
const TOKEN_GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
} as const satisfies Record<string, TokenGrant<TokenEndpointDeps>>;

type GrantType = keyof typeof TOKEN_GRANTS;

export const SUPPORTED_GRANT_TYPES = Object.keys(TOKEN_GRANTS) as readonly GrantType[];

const isSupportedGrantType = (grantType: string): grantType is GrantType => Object.hasOwn(TOKEN_GRANTS, grantType);

/**
 * Authenticates the client (RFC 6749 §2.3.1); any failure is `invalid_client`, the same for every cause, and
 * repeated failures from one caller make it wait (429 with Retry-After) before it may try again (AS-E5).
 */
export async function authenticateClient(
  deps: ClientAuthenticationDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<ClientCredentials> {
  const credentials = clientCredentialsFrom(authorization, form);
  const attempt = (await deps.clientAuthFailures?.reserveAttempt(credentials.clientId)) ?? { allowed: true };
  if (!attempt.allowed) throw tooManyFailedClientAuthentications(attempt.retryAfterSeconds);
  const client = await authenticateClientSecret(
    deps.clients,
    credentials.clientId,
    credentials.clientSecret,
    deps.now(),
  );
  if (!client) throw invalidClient('Client authentication failed', credentials.method === 'client_secret_basic');
  await deps.clientAuthFailures?.succeeded(credentials.clientId);
  return credentials;
}

/** POST /oauth/token (RFC 6749 §3.2): authenticates the client, then runs the grant its `grant_type` names. */
export async function handleTokenRequest(
  deps: TokenEndpointDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<TokenOutcome> {
  const grantType = requiredParam(form, 'grant_type');
  const client = await authenticateClient(deps, authorization, form);
  // After authentication, so that nobody can use up a client's share by sending requests in its name.
  const share = (await deps.clientShare?.(client.clientId)) ?? { allowed: true };
  if (!share.allowed) throw clientShareUsedUp(share.retryAfterSeconds);
  if (!isSupportedGrantType(grantType)) {
    throw unsupportedGrantType(`Supported grant types: ${SUPPORTED_GRANT_TYPES.join(', ')}`);
  }
  return TOKEN_GRANTS[grantType](deps, client.clientId, form);
}
