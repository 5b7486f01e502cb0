import { headerParameterText } from '../http/headers';

/**
 * Bearer token usage, RFC 6750. The token comes only in the Authorization header (§2.1): query and form
 * transports (§2.2, §2.3) leak tokens into logs and are not accepted.
 */
export const BEARER_REALM = 'scim';

/**
 * The longest bearer token looked at: ours are JWTs of well under 1 KB and SCIM tokens of 51 characters, so
 * anything longer is refused before it is parsed.
 */
export const MAX_BEARER_TOKEN_LENGTH = 4096;

/** The token from `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerTokenFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  return match?.[1];
}

/**
 * RFC 6750 §3: no error code when the request carried no credentials at all. The description is prose written
 * for the JSON body; in the header it keeps only what §3 allows in `error_description`.
 */
export function bearerChallenge(error?: { code: 'invalid_token' | 'insufficient_scope'; description: string }): string {
  if (!error) return `Bearer realm="${BEARER_REALM}"`;
  const description = headerParameterText(error.description);
  return `Bearer realm="${BEARER_REALM}", error="${error.code}", error_description="${description}"`;
}
