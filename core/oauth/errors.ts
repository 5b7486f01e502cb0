/**
 * OAuth 2.0 error responses, RFC 6749 §5.2 (token endpoint) and RFC 7009 §2.2.1 (revocation). Rendered by the
 * OAuth route stack as `application/json` with `Cache-Control: no-store`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
  }

  toJSON(): Record<string, string> {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidRequest = (description: string) => new OAuthError('invalid_request', description);
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);
export const unsupportedGrantType = (description: string) => new OAuthError('unsupported_grant_type', description);
export const invalidScope = (description: string) => new OAuthError('invalid_scope', description);
/** RFC 6749 §5.2: the authenticated client may not use this grant type. */
export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', description);

/**
 * RFC 6749 §5.2: a failed client authentication is 401, with `WWW-Authenticate` naming the scheme the client
 * tried when it used the Authorization header.
 */
export const invalidClient = (description: string, triedBasic: boolean) =>
  new OAuthError(
    'invalid_client',
    description,
    401,
    triedBasic ? { 'WWW-Authenticate': 'Basic realm="oauth", charset="UTF-8"' } : {},
  );

/** Too many failed client authentications from one caller (AS-E5): RFC 6585 §4 429 with an integer Retry-After. */
export const tooManyFailedClientAuthentications = (retryAfterSeconds: number) =>
  new OAuthError('invalid_client', 'Too many failed client authentications; retry later', 429, {
    'Retry-After': String(retryAfterSeconds),
  });

export const temporarilyUnavailable = (retryAfterSeconds: number) =>
  new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable; retry later', 503, {
    'Retry-After': String(retryAfterSeconds),
  });

/**
 * An authenticated client has used up its fair share of token requests for the current window
 * (core/fair-share.ts): RFC 6585 §4 429 with an integer Retry-After. RFC 6749 §5.2 has no code for an
 * overloaded endpoint; `temporarily_unavailable` is RFC 6749's own code for "temporarily overloaded"
 * (§4.1.2.1, registered for any endpoint in §11.4), which clients already treat as retryable, whereas
 * `slow_down` belongs to the device flow (RFC 8628 §3.5) only.
 */
export const clientShareUsedUp = (retryAfterSeconds: number) =>
  new OAuthError('temporarily_unavailable', 'This client has made too many token requests; retry later', 429, {
    'Retry-After': String(retryAfterSeconds),
  });

export const serverError = () => new OAuthError('server_error', 'An internal error occurred', 500);
