import { assertedClientId, JWT_BEARER_ASSERTION_TYPE } from './client-assertion';
import { MAX_CLIENT_ID_LENGTH } from './clients';
import { invalidClient, invalidRequest } from './errors';
import { type FormParams, singleParam } from './form-params';

/**
 * Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1):
 * `client_secret_basic` (HTTP Basic) and `client_secret_post` (form body) are both accepted, because Okta
 * does not document which one it uses; a client registered with keys or a federated credential authenticates
 * with a signed JWT instead, `private_key_jwt` (RFC 7523 §2.2, RFC 7521 §4.2). Using two methods in one
 * request is refused (RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request").
 * A public client presents only its `client_id` in the body, `none` (RFC 7591 §2; RFC 6749 §3.2.1), and
 * is held to PKCE instead.
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];

/** What a request presents to authenticate its client: a secret, a client assertion, or its id alone. */
export type ClientCredentials =
  | {
      readonly clientId: string;
      readonly clientSecret: string;
      readonly method: 'client_secret_basic' | 'client_secret_post';
    }
  | { readonly clientId: string; readonly assertion: string; readonly method: 'private_key_jwt' }
  | { readonly clientId: string; readonly method: 'none' };

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 6749 Appendix B: each half of the Basic credentials is form-urlencoded (`+` is a space, then %XX). */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The credentials a request presents, or an OAuthError (`invalid_client` 401, or `invalid_request`). */
export function clientCredentialsFrom(authorization: string | undefined, form: FormParams): ClientCredentials {
  const credentials = presentedCredentials(authorization, form);
  if (credentials.clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw invalidRequest(`The client_id is longer than ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  return credentials;
}

function presentedCredentials(authorization: string | undefined, form: FormParams): ClientCredentials {
  const bodyClientId = singleParam(form, 'client_id');
  const bodySecret = singleParam(form, 'client_secret');
  const assertionType = singleParam(form, 'client_assertion_type');
  const assertion = singleParam(form, 'client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    return presentedAssertion(authorization, bodyClientId, bodySecret, assertionType, assertion);
  }
  if (authorization !== undefined) {
    const basic = /^basic +(\S+) *$/i.exec(authorization);
    if (!basic) throw invalidClient('Client authentication must use the Basic scheme or the request body', true);
    if (bodySecret !== undefined) {
      throw invalidRequest('Use one client authentication method: Basic or client_secret in the body, not both');
    }
    const encoded = basic[1] as string;
    const decoded = STRICT_BASE64.test(encoded) ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
    const separator = decoded?.indexOf(':') ?? -1;
    const clientId = decoded === undefined || separator < 0 ? undefined : formDecode(decoded.slice(0, separator));
    const clientSecret = decoded === undefined || separator < 0 ? undefined : formDecode(decoded.slice(separator + 1));
    if (!clientId || !clientSecret) throw invalidClient('The Basic client credentials are malformed', true);
    if (bodyClientId !== undefined && bodyClientId !== clientId) {
      throw invalidRequest('The client_id in the body differs from the client authenticated by Basic');
    }
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (bodyClientId === undefined) {
    throw invalidClient('Client authentication is required (client_secret_basic or client_secret_post)', true);
  }
  if (bodySecret === undefined) return { clientId: bodyClientId, method: 'none' };
  return { clientId: bodyClientId, clientSecret: bodySecret, method: 'client_secret_post' };
}

/**
 * RFC 7521 §4.2: `client_assertion_type` and `client_assertion` together; `client_id` is optional, and
 * without it the client is the assertion's `sub` (RFC 7523 §3). RFC 7521 §4.2.1: an invalid assertion, or
 * more than one authentication method, is `invalid_client`.
 */
function presentedAssertion(
  authorization: string | undefined,
  bodyClientId: string | undefined,
  bodySecret: string | undefined,
  assertionType: string | undefined,
  assertion: string | undefined,
): ClientCredentials {
  if (authorization !== undefined || bodySecret !== undefined) {
    throw invalidClient(
      'Use one client authentication method: a client assertion or a client secret, not both',
      authorization !== undefined,
    );
  }
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw invalidClient(`The client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`, false);
  }
  if (assertion === undefined) throw invalidClient('The client_assertion parameter is required', false);
  const clientId = bodyClientId ?? assertedClientId(assertion);
  if (clientId === undefined) throw invalidClient('The client assertion names no client (sub or client_id)', false);
  return { clientId, assertion, method: 'private_key_jwt' };
}
