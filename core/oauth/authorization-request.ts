import { PageError } from '../html/page-error';
import { authorizationTenant, TENANT_HINT_PARAMETER } from './authorization-tenant';
import { type ClientKind, clientAllowsGrant, MAX_CLIENT_ID_LENGTH } from './clients';
import { OAuthError, type OAuthErrorCode } from './errors';
import { type FormParams, parameterValue, REPEATED } from './form-params';
import { isWellFormedPkceValue } from './pkce';
import { MAX_REDIRECT_URI_LENGTH } from './redirect-uris';

/**
 * The authorization request of the code flow (RFC 6749 §4.1.1, PKCE per RFC 7636 §4.3), checked in the two
 * stages RFC 6749 §4.1.2.1 prescribes:
 * 1. until `client_id` and `redirect_uri` are known to be good, every problem is shown to the user on our own
 *    page and never redirected (an unchecked redirect URI would make us an open redirector, RFC 9700 §4.11);
 * 2. after that, problems are sent back to the client's redirect URI as `error`, with `state` and `iss`.
 */

/** Query parameters as name → every value received. */
export type QueryParameters = FormParams;

/** What the authorization endpoint needs to know about a registered client. */
export interface AuthorizingClient {
  readonly clientId: string;
  /** Absent for a multi-tenant client (authorization-tenant.ts). */
  readonly tenantId?: string;
  readonly name: string;
  /** Only an authorization-code client may start the flow (clients.ts ClientKind). */
  readonly kind: ClientKind;
  readonly redirectUris: readonly string[];
  /** A public client must send a PKCE S256 challenge (clients.ts `publicClient`). */
  readonly publicClient?: true;
}

export interface AuthorizationRequest {
  readonly clientId: string;
  /**
   * The tenant the grant will belong to (authorization-tenant.ts); absent until the admin of a multi-tenant
   * client names their organization on the sign-in page.
   */
  readonly tenantId?: string;
  readonly redirectUri: string;
  /** Echoed byte for byte in the response (RFC 6749 §4.1.2). */
  readonly state?: string;
  /** The granted scope, already normalized. */
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: 'S256';
}

/** RFC 6749 §10.14 treats `state` as opaque; we cap it so it cannot bloat our storage or the redirect URL. */
export const MAX_STATE_LENGTH = 2048;

const SINGLE_VALUED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  TENANT_HINT_PARAMETER,
] as const;

/** A problem shown on our own error page; nothing is redirected. */
export class AuthorizationPageError extends PageError {
  override readonly name = 'AuthorizationPageError';
  constructor(title: string, detail: string) {
    super(400, title, detail);
  }
}

/** A protocol error that goes back to the (validated) redirect URI, RFC 6749 §4.1.2.1. */
export class AuthorizationRedirectError extends Error {
  override readonly name = 'AuthorizationRedirectError';
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(description);
  }
}

/** One parameter, read by the one RFC 6749 §3.1 rule of form-params.ts: the value, undefined, or REPEATED. */
const single = parameterValue;

const isRepeated = (value: ReturnType<typeof single>): value is typeof REPEATED => value === REPEATED;

/** Stage 1, part one: the client id, before any lookup. */
export function requestedClientId(query: QueryParameters): string {
  const clientId = single(query, 'client_id');
  if (isRepeated(clientId)) {
    throw new AuthorizationPageError('Invalid request', 'The client_id parameter was sent more than once.');
  }
  if (clientId === undefined) {
    throw new AuthorizationPageError('Invalid request', 'The request has no client_id parameter.');
  }
  // Refused before any lookup: no registered client has such an id (RFC 6749 §4.1.2.1, an error page).
  if (clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw new AuthorizationPageError(
      'Unknown application',
      `The client_id in this request is longer than ${MAX_CLIENT_ID_LENGTH} characters, so it cannot name an application registered with this service. Check the client ID configured in your identity provider.`,
    );
  }
  return clientId;
}

/**
 * Stage 1, part two: the client must exist, and `redirect_uri` must be present and equal one of its registered
 * URIs character for character (RFC 9700 §4.1.3, RFC 3986 §6.2.1 simple string comparison). It is required
 * even for a client with a single registered URI: Okta always sends it, and there is then no default to guess.
 */
export function validatedClientRedirect<Client extends AuthorizingClient>(
  query: QueryParameters,
  client: Client | undefined,
): { client: Client; redirectUri: string } {
  if (!client) {
    throw new AuthorizationPageError(
      'Unknown application',
      'The application that sent you here is not registered with this service. Check the client ID configured in your identity provider.',
    );
  }
  if (!clientAllowsGrant(client, 'authorization_code')) {
    // RFC 6749 §4.1.2.1: without a registered redirect URI the error is shown here, not redirected.
    throw new AuthorizationPageError(
      'Not an authorization-code application',
      'This application is registered for the client credentials grant: it gets its tokens with its own secret and has no sign-in or consent step. Use an application registered for the authorization code grant.',
    );
  }
  const redirectUri = single(query, 'redirect_uri');
  if (isRepeated(redirectUri)) {
    throw new AuthorizationPageError('Invalid request', 'The redirect_uri parameter was sent more than once.');
  }
  if (redirectUri === undefined) {
    throw new AuthorizationPageError('Invalid request', 'The request has no redirect_uri parameter.');
  }
  if (!client.redirectUris.includes(redirectUri)) {
    // The URI as received is what the identity provider's admin needs to compare with the registered ones; the
    // page escapes it, and a value longer than any registrable URI is cut.
    const received =
      redirectUri.length > MAX_REDIRECT_URI_LENGTH ? `${redirectUri.slice(0, MAX_REDIRECT_URI_LENGTH)}…` : redirectUri;
    throw new AuthorizationPageError(
      'Redirect URI not registered',
      `The redirect URI in this request, ${received}, is not registered for this application. Register this exact URI with the client, or correct it in your identity provider.`,
    );
  }
  return { client, redirectUri };
}

/**
 * Stage 2: everything else, now that errors can be redirected. `normalizeScope` maps the requested scope to the
 * granted one and throws an `invalid_scope` OAuthError for an unknown scope.
 */
export function validatedAuthorizationRequest(
  query: QueryParameters,
  client: AuthorizingClient,
  redirectUri: string,
  normalizeScope: (scope: string | undefined) => string,
): AuthorizationRequest {
  const rawState = single(query, 'state');
  const state = typeof rawState === 'string' && rawState.length <= MAX_STATE_LENGTH ? rawState : undefined;
  const fail = (error: OAuthErrorCode, description: string) =>
    new AuthorizationRedirectError(error, description, redirectUri, state);

  if (isRepeated(rawState)) throw fail('invalid_request', 'The state parameter was sent more than once');
  if (typeof rawState === 'string' && rawState.length > MAX_STATE_LENGTH) {
    throw fail('invalid_request', `The state parameter is longer than ${MAX_STATE_LENGTH} characters`);
  }
  for (const name of SINGLE_VALUED) {
    if (isRepeated(single(query, name))) throw fail('invalid_request', `The ${name} parameter was sent more than once`);
  }
  const responseType = single(query, 'response_type') as string | undefined;
  if (responseType === undefined) throw fail('invalid_request', 'The response_type parameter is missing');
  if (responseType !== 'code') {
    throw fail('unsupported_response_type', 'Only the authorization code flow (response_type=code) is supported');
  }

  const codeChallenge = single(query, 'code_challenge') as string | undefined;
  const codeChallengeMethod = single(query, 'code_challenge_method') as string | undefined;
  if (codeChallenge === undefined && codeChallengeMethod !== undefined) {
    throw fail('invalid_request', 'code_challenge_method was sent without code_challenge');
  }
  // RFC 9700 §2.1.1: a public client has no secret, so PKCE is what binds the code to the client that asked.
  if (codeChallenge === undefined && client.publicClient === true) {
    throw fail('invalid_request', 'This client must use PKCE: send code_challenge with code_challenge_method=S256');
  }
  if (codeChallenge !== undefined) {
    // RFC 7636 §4.3 would default a missing method to `plain`, which RFC 9700 §2.1.1 rules out.
    if (codeChallengeMethod === undefined) throw fail('invalid_request', 'code_challenge_method is required (S256)');
    if (codeChallengeMethod !== 'S256')
      throw fail('invalid_request', 'Only the S256 code_challenge_method is supported');
    if (!isWellFormedPkceValue(codeChallenge)) {
      throw fail('invalid_request', 'code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]');
    }
  }

  let scope: string;
  try {
    scope = normalizeScope(scopeParameter(single(query, 'scope') as string | undefined));
  } catch (error) {
    if (error instanceof OAuthError) throw fail(error.error, error.description);
    throw error;
  }

  const tenant = authorizationTenant(client, single(query, TENANT_HINT_PARAMETER) as string | undefined);
  if (tenant.kind === 'refused') throw fail('invalid_request', tenant.reason);

  return {
    clientId: client.clientId,
    ...(tenant.kind === 'known' ? { tenantId: tenant.tenantId } : {}),
    redirectUri,
    ...(state !== undefined ? { state } : {}),
    scope,
    ...(codeChallenge !== undefined ? { codeChallenge, codeChallengeMethod: 'S256' as const } : {}),
  };
}

/**
 * API Gateway REST percent-decodes query values but leaves `+` alone, while clients that form-encode the query
 * (openid-client, URLSearchParams) write the spaces between scopes as `+`. No scope we define contains `+`,
 * so it is read as the separator it was meant to be.
 */
function scopeParameter(scope: string | undefined): string | undefined {
  return scope?.replace(/\+/g, ' ');
}

/**
 * The authorization response URL (RFC 6749 §4.1.2 / §4.1.2.1, RFC 9207 `iss`): the validated redirect URI,
 * unchanged, with our parameters appended to any query it already has.
 */
export function authorizationResponseUrl(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) query.append(name, value);
  }
  const separator = !redirectUri.includes('?') ? '?' : /[?&]$/.test(redirectUri) ? '' : '&';
  return `${redirectUri}${separator}${query.toString()}`;
}
