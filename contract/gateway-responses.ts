/**
 * The answers API Gateway itself gives when no function runs (unknown route, payload too large, throttled,
 * WAF-blocked, integration failure). They are SCIM Error JSON, which Okta shows to its admin verbatim and
 * OAuth clients can still read, instead of API Gateway's default `{"message": ...}`. The CDK stack installs
 * them as gateway responses and the local server answers with the same documents, so clients learn one
 * behaviour.
 */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'WAF_FILTERED'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'ACCESS_DENIED'
  | 'UNAUTHORIZED'
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RESOURCE_NOT_FOUND'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayResponseSpec {
  readonly status: number;
  readonly detail: string;
  /** Integer seconds (Okta ignores HTTP-dates and then waits five minutes). */
  readonly retryAfterSeconds?: number;
}

export const gatewayResponses: Record<GatewayResponseType, GatewayResponseSpec> = {
  MISSING_AUTHENTICATION_TOKEN: { status: 404, detail: 'No such endpoint' },
  REQUEST_TOO_LARGE: { status: 413, detail: 'The request is too large' },
  THROTTLED: { status: 429, detail: 'Too many requests; retry later', retryAfterSeconds: 1 },
  QUOTA_EXCEEDED: { status: 429, detail: 'Request quota exceeded; retry later', retryAfterSeconds: 60 },
  WAF_FILTERED: { status: 403, detail: 'The request was blocked by the web application firewall' },
  INTEGRATION_FAILURE: {
    status: 503,
    detail: 'The service is temporarily unavailable; retry later',
    retryAfterSeconds: 2,
  },
  INTEGRATION_TIMEOUT: { status: 503, detail: 'The service did not answer in time; retry later', retryAfterSeconds: 2 },
  // The 4xx answers API Gateway can generate, each with its own status, so that DEFAULT_4XX (whose status
  // a template cannot read) is left for types that do not occur in this API.
  ACCESS_DENIED: { status: 403, detail: 'Access denied' },
  UNAUTHORIZED: { status: 401, detail: 'Authentication is required' },
  BAD_REQUEST_BODY: { status: 400, detail: 'The request body is invalid' },
  BAD_REQUEST_PARAMETERS: { status: 400, detail: 'The request parameters are invalid' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: 'The request content type is not supported' },
  RESOURCE_NOT_FOUND: { status: 404, detail: 'No such resource' },
  DEFAULT_4XX: { status: 400, detail: 'The request was rejected' },
  DEFAULT_5XX: { status: 503, detail: 'The service is temporarily unavailable; retry later', retryAfterSeconds: 2 },
};

export const GATEWAY_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** The SCIM Error document (RFC 7644 §3.12) a gateway response carries. */
export function gatewayErrorBody(spec: GatewayResponseSpec): string {
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(spec.status),
    detail: spec.detail,
  });
}

export function gatewayHeaders(spec: GatewayResponseSpec): Record<string, string> {
  return {
    'Content-Type': GATEWAY_CONTENT_TYPE,
    ...(spec.retryAfterSeconds !== undefined ? { 'Retry-After': String(spec.retryAfterSeconds) } : {}),
  };
}
