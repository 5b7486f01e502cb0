import { pathOf } from '../../contract/routes';
import { ASSERTION_SIGNING_ALGORITHMS } from './client-assertion';
import { CLIENT_AUTH_METHODS } from './client-authentication';
import { PKCE_METHODS } from './pkce';
import { SUPPORTED_SCOPES } from './scopes';
import { SUPPORTED_GRANT_TYPES } from './token-endpoint';

/** The endpoint paths, relative to the issuer: the manifest's routes. */
export const OAUTH_PATHS = {
  authorization: pathOf('OAuthAuthorize'),
  token: pathOf('OAuthToken'),
  revocation: pathOf('OAuthRevoke'),
  jwks: pathOf('OAuthJwks'),
  metadata: pathOf('OAuthMetadata'),
} as const;

/**
 * Authorization server metadata, RFC 8414 §2. The issuer is our public base URL exactly (no query, no
 * fragment); clients such as openid-client compare it to the issuer they asked for (RFC 8414 §3.3).
 */
export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}${OAUTH_PATHS.authorization}`,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revocation}`,
    jwks_uri: `${issuer}${OAUTH_PATHS.jwks}`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // RFC 8414 §2: required with private_key_jwt; the algorithms a client assertion may be signed with.
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGORITHMS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_SIGNING_ALGORITHMS],
    code_challenge_methods_supported: [...PKCE_METHODS],
    scopes_supported: Object.keys(SUPPORTED_SCOPES),
    // RFC 9207: the authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
  };
}
