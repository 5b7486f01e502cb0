import type { ShareDecision } from '../fair-share';
import { type AuthorizationCodeGrantDeps, authorizationCodeGrant } from './authorization-code-grant';
import { type ClientAssertionDeps, verifyClientAssertion } from './client-assertion';
import { type ClientAuthMethod, type ClientCredentials, clientCredentialsFrom } from './client-authentication';
import { type ClientCredentialsGrantDeps, clientCredentialsGrant } from './client-credentials-grant';
import { type ClientSecretSource, clientAllowsGrant, isPublicClient, matchClientSecret } from './clients';
import {
  clientShareUsedUp,
  invalidClient,
  OAuthError,
  tooManyFailedClientAuthentications,
  unauthorizedClient,
  unsupportedGrantType,
} from './errors';
import { type FormParams, requiredParam } from './form-params';
import type { AttemptDecision } from './login-throttle';
import { type RefreshTokenGrantDeps, refreshTokenGrant } from './refresh-token-grant';
import type { AuthenticatedClient, TokenGrant, TokenOutcome } from './token-grant';

export type { AuthenticatedClient, TokenOutcome, TokenResponse } from './token-grant';

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

/** A failed client authentication, as the handler may log it: never the secret. */
export interface ClientAuthenticationFailure {
  readonly clientId: string;
  readonly method: ClientAuthMethod;
  /** The tenant of the named client, when it exists. */
  readonly tenantId?: string;
}

export interface ClientAuthenticationDeps {
  readonly clients: ClientSecretSource;
  /** Failed client authentications of this caller (AS-E5); without it, failures are not limited. */
  readonly clientAuthFailures?: ClientAuthFailureCounter;
  /** What verifying a client assertion needs (RFC 7523); without it, an assertion is refused. */
  readonly assertions?: Omit<ClientAssertionDeps, 'now'>;
  /** Told of every failed authentication of a client that was named (for the log). */
  readonly onAuthenticationFailure?: (failure: ClientAuthenticationFailure) => void;
  readonly now: () => Date;
}

/** What the token endpoint needs: client authentication and every grant module's dependencies. */
export type TokenEndpointDeps = ClientAuthenticationDeps &
  AuthorizationCodeGrantDeps &
  RefreshTokenGrantDeps &
  ClientCredentialsGrantDeps & {
    /**
     * Takes one request from the authenticated client's fair share (core/fair-share.ts); without it, token
     * requests are not shared out.
     */
    readonly clientShare?: (clientId: string) => Promise<ShareDecision>;
  };

/**
 * THE grant types of the token endpoint (RFC 6749 §4.1.3, §4.4, §6), one module each. The metadata's
 * `grant_types_supported` is derived from it, so a grant is added by adding its module and one entry here;
 * which client may use which is the client's kind (clients.ts GRANT_TYPES_OF_KIND).
 */
const TOKEN_GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} as const satisfies Record<string, TokenGrant<TokenEndpointDeps>>;

type GrantType = keyof typeof TOKEN_GRANTS;

export const SUPPORTED_GRANT_TYPES = Object.keys(TOKEN_GRANTS) as readonly GrantType[];

export const isSupportedGrantType = (grantType: string): grantType is GrantType =>
  Object.hasOwn(TOKEN_GRANTS, grantType);

/**
 * Authenticates the client (RFC 6749 §2.3.1, RFC 7523 §3); any failure is `invalid_client`, the same for a
 * wrong secret and an unknown client, and repeated failures from one caller make it wait (429 with
 * Retry-After) before it may try again (AS-E5). A client registered with assertion keys has no secret, and a
 * client with a secret has no keys, so each can authenticate only its own way; a public client names itself
 * by `client_id` alone, and any secret or assertion sent for it is refused.
 */
export async function authenticateClient(
  deps: ClientAuthenticationDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<AuthenticatedClient> {
  const credentials = clientCredentialsFrom(authorization, form);
  const attempt = (await deps.clientAuthFailures?.reserveAttempt(credentials.clientId)) ?? { allowed: true };
  if (!attempt.allowed) {
    deps.onAuthenticationFailure?.({ clientId: credentials.clientId, method: credentials.method });
    throw tooManyFailedClientAuthentications(attempt.retryAfterSeconds);
  }
  const authenticated =
    credentials.method === 'private_key_jwt'
      ? await authenticateAssertion(deps, credentials.clientId, credentials.assertion)
      : credentials.method === 'none'
        ? await identifyPublicClient(deps, credentials.clientId)
        : await authenticateSecret(deps, credentials);
  await deps.clientAuthFailures?.succeeded(credentials.clientId);
  return authenticated;
}

/** Tells the failure to the log hook and refuses the request. */
function refuse(
  deps: ClientAuthenticationDeps,
  failure: ClientAuthenticationFailure,
  description = 'Client authentication failed',
): never {
  deps.onAuthenticationFailure?.(failure);
  throw invalidClient(description, failure.method === 'client_secret_basic');
}

async function authenticateSecret(
  deps: ClientAuthenticationDeps,
  credentials: Extract<ClientCredentials, { clientSecret: string }>,
): Promise<AuthenticatedClient> {
  const { clientId, method } = credentials;
  const { client, secret } = await matchClientSecret(deps.clients, clientId, credentials.clientSecret, deps.now());
  if (client && isPublicClient(client)) {
    refuse(deps, { clientId, method, tenantId: client.tenantId }, 'This is a public client: send no client secret');
  }
  if (!client || !secret || client.assertionCredential !== undefined) {
    refuse(deps, { clientId, method, ...(client ? { tenantId: client.tenantId } : {}) });
  }
  return { clientId, method, client, secret };
}

/**
 * A request that names its client by `client_id` alone (RFC 6749 §3.2.1, `none`): accepted only for a public
 * client, whose proof is the PKCE verifier the grant then checks (RFC 9700 §2.1.1). For any other client it is
 * the same `invalid_client` as a missing secret.
 */
async function identifyPublicClient(deps: ClientAuthenticationDeps, clientId: string): Promise<AuthenticatedClient> {
  const method = 'none';
  const client = (await deps.clients.getWithSecretHashes(clientId))?.client;
  if (client === undefined || !isPublicClient(client)) {
    deps.onAuthenticationFailure?.({ clientId, method, ...(client ? { tenantId: client.tenantId } : {}) });
    // As for a request with no credentials at all: the Basic challenge says how to authenticate.
    throw invalidClient('Client authentication is required (client_secret_basic or client_secret_post)', true);
  }
  return { clientId, method, client };
}

async function authenticateAssertion(
  deps: ClientAuthenticationDeps,
  clientId: string,
  assertion: string,
): Promise<AuthenticatedClient> {
  const method = 'private_key_jwt';
  const client = (await deps.clients.getWithSecretHashes(clientId))?.client;
  const credential = client?.assertionCredential;
  const failure = { clientId, method, ...(client ? { tenantId: client.tenantId } : {}) } as const;
  if (client && isPublicClient(client)) refuse(deps, failure, 'This is a public client: send no client assertion');
  if (!deps.assertions || client === undefined || credential === undefined) {
    refuse(deps, failure, 'Client authentication failed: this client does not authenticate with an assertion');
  }
  const now = deps.now();
  const verified = await verifyClientAssertion(
    { ...deps.assertions, now: () => now },
    clientId,
    credential,
    assertion,
  ).catch((error: unknown) => {
    if (error instanceof OAuthError && error.error === 'invalid_client') deps.onAuthenticationFailure?.(failure);
    throw error;
  });
  if (credential.kind === 'jwks') return { clientId, method, client };
  // Another issuer's token stands for that issuer's current say-so, so what it authorises ends with it; one
  // inside the clock tolerance of its end authorises nothing any more.
  if (verified.expiresAt <= Math.floor(now.getTime() / 1000)) refuse(deps, failure, 'The client assertion has expired');
  return { clientId, method, client, tokensNotAfter: verified.expiresAt };
}

/**
 * POST /oauth/token (RFC 6749 §3.2): authenticates the client, then runs the grant its `grant_type` names, if
 * the client's kind allows it (else `unauthorized_client`, RFC 6749 §5.2).
 */
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
  if (!clientAllowsGrant(client.client, grantType)) {
    throw unauthorizedClient(`This client may not use the ${grantType} grant`);
  }
  return TOKEN_GRANTS[grantType](deps, client, form);
}
