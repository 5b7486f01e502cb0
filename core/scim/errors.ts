/**
 * SCIM protocol errors, RFC 7644 §3.12. Thrown by the core and rendered by the SCIM route stack as
 * `application/scim+json` Error documents; the status is carried as a string, as the RFC's schema says.
 */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The `scimType` values of RFC 7644 §3.12, Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  /** RFC 9865 §2.2: a cursor that is not one of ours or belongs to another query. */
  | 'invalidCursor';

export class ScimError extends Error {
  override readonly name = 'ScimError';

  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
    /** Extra response headers, e.g. `Retry-After` on 429/503 or `WWW-Authenticate` on 401. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }

  /** The Error resource of RFC 7644 §3.12. */
  toJSON(): Record<string, unknown> {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');
export const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter');
export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const invalidPath = (detail: string) => new ScimError(400, detail, 'invalidPath');
export const noTarget = (detail: string) => new ScimError(400, detail, 'noTarget');
export const mutability = (detail: string) => new ScimError(400, detail, 'mutability');
export const tooMany = (detail: string) => new ScimError(400, detail, 'tooMany');
export const invalidCursor = (detail: string) => new ScimError(400, detail, 'invalidCursor');
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');
export const notFound = (detail = 'Resource not found') => new ScimError(404, detail);
export const preconditionFailed = (detail = 'The resource has changed since the version given in If-Match') =>
  new ScimError(412, detail);
export const payloadTooLarge = (limitBytes: number) =>
  new ScimError(413, `The request body exceeds the limit of ${limitBytes} bytes`);
export const unsupportedMediaType = (contentType: string) =>
  new ScimError(415, `Content-Type ${contentType} is not supported; send application/scim+json or application/json`);
/** RFC 9110 §15.5.6: a 405 names the methods the resource does support in `Allow`. */
export const methodNotAllowed = (method: string, allowed: readonly string[] = []) =>
  new ScimError(
    405,
    `Method ${method} is not allowed on this resource`,
    undefined,
    allowed.length > 0 ? { Allow: allowed.join(', ') } : {},
  );
export const unauthorized = (detail: string, wwwAuthenticate: string) =>
  new ScimError(401, detail, undefined, { 'WWW-Authenticate': wwwAuthenticate });
export const forbidden = (detail: string) => new ScimError(403, detail);
export const serviceUnavailable = (retryAfterSeconds: number) =>
  new ScimError(503, 'The service is temporarily unavailable; retry later', undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ScimError(429, 'Too many requests; retry later', undefined, { 'Retry-After': String(retryAfterSeconds) });

/** The generic 500: no detail about what failed leaves the service. */
export const internalError = () => new ScimError(500, 'An internal error occurred');
