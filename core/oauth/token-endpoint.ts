import { type AuthorizationCodeGrantDeps, authorizationCodeGrant } from './authorization-code-grant';
import { type ClientAssertionDeps, verifyClientAssertion } from './client-assertion';
import { type ClientAuthMethod, type ClientCredentials, clientCredentialsFrom } from './client-authentication';
import { authenticateClientSecret, type ClientSecretSource } from './clients';
import { invalidClient, tooManyFailedClientAuthentications, unsupportedGrantType } from './errors';
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
  /** What verifying a client assertion needs (RFC 7523); without it, an assertion is refused. */
  readonly assertions?: Omit<ClientAssertionDeps, 'now'>;
  readonly now: () => Date;
}

/** The client a request authenticated, and how; never its secret or assertion. */
export interface AuthenticatedClient {
  readonly clientId: string;
  readonly method: ClientAuthMethod;
  /**
   * Epoch seconds after which no token issued on this authentication may live: the `exp` of a federated
   * credential's assertion (docs/oauth.md "How long a token issued on an assertion lives"); absent otherwise.
   */
  readonly tokensNotAfter?: number;
}

/** What the token endpoint needs: client authentication and every grant module's dependencies. */
export type TokenEndpointDeps = ClientAuthenticationDeps & AuthorizationCodeGrantDeps & RefreshTokenGrantDeps;

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
 * Authenticates the client (RFC 6749 §2.3.1, RFC 7523 §3); any failure is `invalid_client`, the same for a
 * wrong secret and an unknown client, and repeated failures from one caller make it wait (429 with
 * Retry-After) before it may try again (AS-E5). A client registered with assertion keys has no secret, and a
 * client with a secret has no keys, so each can authenticate only its own way.
 */
export async function authenticateClient(
  deps: ClientAuthenticationDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<AuthenticatedClient> {
  const credentials = clientCredentialsFrom(authorization, form);
  const attempt = (await deps.clientAuthFailures?.reserveAttempt(credentials.clientId)) ?? { allowed: true };
  if (!attempt.allowed) throw tooManyFailedClientAuthentications(attempt.retryAfterSeconds);
  const authenticated =
    credentials.method === 'private_key_jwt'
      ? await authenticateAssertion(deps, credentials.clientId, credentials.assertion)
      : await authenticateSecret(deps, credentials);
  await deps.clientAuthFailures?.succeeded(credentials.clientId);
  return authenticated;
}

async function authenticateSecret(
  deps: ClientAuthenticationDeps,
  credentials: ClientCredentials & { clientSecret: string },
): Promise<AuthenticatedClient> {
  const client = await authenticateClientSecret(
    deps.clients,
    credentials.clientId,
    credentials.clientSecret,
    deps.now(),
  );
  if (!client || client.assertionCredential !== undefined) {
    throw invalidClient('Client authentication failed', credentials.method === 'client_secret_basic');
  }
  return { clientId: client.clientId, method: credentials.method };
}

async function authenticateAssertion(
  deps: ClientAuthenticationDeps,
  clientId: string,
  assertion: string,
): Promise<AuthenticatedClient> {
  const credential = (await deps.clients.getWithSecretHashes(clientId))?.client.assertionCredential;
  if (!deps.assertions || credential === undefined) {
    throw invalidClient('Client authentication failed: this client does not authenticate with an assertion', false);
  }
  const now = deps.now();
  const verified = await verifyClientAssertion({ ...deps.assertions, now: () => now }, clientId, credential, assertion);
  if (credential.kind === 'jwks') return { clientId, method: 'private_key_jwt' };
  // Another issuer's token stands for that issuer's current say-so, so what it authorises ends with it; one
  // inside the clock tolerance of its end authorises nothing any more.
  if (verified.expiresAt <= Math.floor(now.getTime() / 1000))
    throw invalidClient('The client assertion has expired', false);
  return { clientId, method: 'private_key_jwt', tokensNotAfter: verified.expiresAt };
}

/** POST /oauth/token (RFC 6749 §3.2): authenticates the client, then runs the grant its `grant_type` names. */
export async function handleTokenRequest(
  deps: TokenEndpointDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<TokenOutcome> {
  const grantType = requiredParam(form, 'grant_type');
  const client = await authenticateClient(deps, authorization, form);
  if (!isSupportedGrantType(grantType)) {
    throw unsupportedGrantType(`Supported grant types: ${SUPPORTED_GRANT_TYPES.join(', ')}`);
  }
  return TOKEN_GRANTS[grantType](deps, client.clientId, form);
}
