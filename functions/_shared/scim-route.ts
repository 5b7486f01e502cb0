import type { Context } from 'aws-lambda';
import { SCIM_BASE_PATH } from '../../contract/routes';
import { isJsonMediaType, parseJsonBody } from '../../core/http/json-body';
import {
  internalError,
  invalidSyntax,
  payloadTooLarge,
  ScimError,
  serviceUnavailable,
  tooManyRequests,
  unsupportedMediaType,
} from '../../core/scim/errors';
import { noteActivity } from './activity';
import type { ScimPrincipal } from './bearer-auth';
import { scimBaseUrl } from './configuration';
import { classifyDependencyError } from './dependency-errors';
import type { HttpRequest, HttpResponse } from './http-event';
import { logger } from './logger';
import { logDependencyFailure, logUnexpected, type ProxyHandler, routeFor, routeStack } from './route-stack';

/** RFC 7644 §8.1: SCIM responses are `application/scim+json`; we always say the charset. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export interface ScimRequest extends HttpRequest {
  /** The parsed JSON body on POST, PUT and PATCH; undefined otherwise. */
  readonly json: unknown;
  /** The SCIM base URL, e.g. `https://api.example.com/scim/v2`, for `meta.location`. */
  readonly scimBaseUrl: string;
  /** The verified caller on routes whose manifest `auth` is `scim-bearer`; undefined on public routes. */
  readonly principal: ScimPrincipal | undefined;
}

/** The caller's tenant; a `scim-bearer` route without a principal is a wiring mistake, hence a 500. */
export function tenantOf(request: ScimRequest): string {
  if (!request.principal) throw new Error('SCIM route used without scim-bearer authentication in the manifest');
  return request.principal.tenantId;
}

export interface ScimResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The Bearer check and the tenant's fair share, loaded by the first request that needs them: a public SCIM route
 * (discovery) never verifies a token or reads a table, so its cold start does not load them, nor the AWS SDK
 * they are built on.
 */
let callerChecks: Promise<[typeof import('./bearer-auth'), typeof import('./fair-share')]> | undefined;
const loadCallerChecks = () => {
  callerChecks ??= Promise.all([import('./bearer-auth'), import('./fair-share')]);
  return callerChecks;
};

export interface ScimRouteOptions {
  /** The request body limit, when the route's resource may be larger than most (a group with its members). */
  readonly maxBodyBytes?: number;
}

/** The SCIM middy stack: JSON in (scim+json or json, any charset), scim+json out, SCIM Error JSON on failure. */
export function scimRoute(
  handle: (request: ScimRequest, context: Context) => Promise<ScimResult>,
  options: ScimRouteOptions = {},
): ProxyHandler {
  return routeStack(renderScimError, async (request, context) => {
    const checks =
      routeFor(request.method, request.resourcePath)?.auth === 'scim-bearer' ? await loadCallerChecks() : undefined;
    const principal = checks ? await checks[0].authenticateBearer(request) : undefined;
    if (checks && principal) {
      const [{ callerOf }, { takeFairShare }] = checks;
      logger.appendKeys({ tenant: principal.tenantId });
      noteActivity({ tenantId: principal.tenantId, clientId: callerOf(principal) });
      const share = await takeFairShare({ kind: 'scim', id: principal.tenantId });
      if (!share.allowed) throw tooManyRequests(share.retryAfterSeconds);
    }
    const json = parseScimBody(request, options.maxBodyBytes);
    noteUser(request, json);
    const result = await handle({ ...request, json, scimBaseUrl: scimBaseUrl(), principal }, context);
    return renderScimResult(result);
  });
}

/** The user a Users request is about, as far as the request names it: the path's id, the body's userName. */
function noteUser(request: HttpRequest, json: unknown): void {
  if (!request.resourcePath.startsWith(`${SCIM_BASE_PATH}/Users`)) return;
  const userName = typeof json === 'object' && json !== null ? (json as { userName?: unknown }).userName : undefined;
  noteActivity({
    userId: request.pathParams.id,
    ...(typeof userName === 'string' ? { userName } : {}),
  });
}

function parseScimBody(request: HttpRequest, maxBodyBytes: number | undefined): unknown {
  if (!METHODS_WITH_BODY.has(request.method)) return undefined;
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !isJsonMediaType(contentType)) throw unsupportedMediaType(contentType);
  if (request.body === undefined || request.body.trim() === '') throw invalidSyntax('The request body is empty');
  const parsed = parseJsonBody(request.body, request.bodyBytes, maxBodyBytes);
  if (parsed.ok) return parsed.value;
  switch (parsed.problem.kind) {
    case 'tooLarge':
      throw payloadTooLarge(parsed.problem.limitBytes);
    case 'tooDeep':
      throw invalidSyntax(`The request body is nested deeper than ${parsed.problem.limitDepth} levels`);
    case 'malformed':
      throw invalidSyntax(parsed.problem.detail);
  }
}

export function renderScimResult(result: ScimResult): HttpResponse {
  const hasBody = result.body !== undefined && result.status !== 204 && result.status !== 304;
  return {
    status: result.status,
    headers: { ...(hasBody ? { 'Content-Type': SCIM_CONTENT_TYPE } : {}), ...result.headers },
    body: hasBody ? JSON.stringify(result.body) : '',
  };
}

/** Any thrown value as a SCIM Error response (RFC 7644 §3.12); internals never leave the service. */
export function renderScimError(error: unknown): HttpResponse {
  const scimError = toScimError(error);
  return renderScimResult({ status: scimError.status, body: scimError.toJSON(), headers: scimError.headers });
}

function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError && error.status < 500) return error;
  if (error instanceof ScimError && error.status === 503) return error;
  const failure = classifyDependencyError(error);
  if (failure) logDependencyFailure(failure.kind, error);
  if (failure?.kind === 'throttled') return tooManyRequests(failure.retryAfterSeconds);
  if (failure?.kind === 'unavailable') return serviceUnavailable(failure.retryAfterSeconds);
  logUnexpected(error);
  return internalError();
}
