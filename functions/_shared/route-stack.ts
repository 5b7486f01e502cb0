import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { REQUEST_LOG_MESSAGE } from '../../contract/activity';
import { type RouteSpec, routes } from '../../contract/routes';
import { activityLineKeys, withRequestActivity } from './activity';
import { type HttpRequest, type HttpResponse, readRequest, toProxyResult } from './http-event';
import { logger } from './logger';
import { publishRequestMetrics, requestLineMetrics, withRequestMetrics } from './metrics';
import { withRequestDeadline } from './request-deadline';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** How one protocol (SCIM, OAuth JSON, HTML pages) turns a thrown value into its own error response. */
export type ErrorRenderer = (error: unknown, request: HttpRequest | undefined) => HttpResponse;

/** The manifest entry a request was routed to, found by method and API Gateway resource path. */
export function routeFor(method: string, resourcePath: string): RouteSpec | undefined {
  return routes.find((route) => route.path === resourcePath && route.method === method);
}

interface RouteState {
  readonly startedAt: number;
  readonly route: RouteSpec | undefined;
  request?: HttpRequest;
}

const state = new WeakMap<object, RouteState>();

/**
 * The plumbing every function shares, as a middy stack:
 * 1. Powertools' `injectLambdaContext`: the Lambda context on every line, request keys reset after each request;
 * 2. `requestLog`: adds the route id and request id to the log keys and writes exactly one JSON line per
 *    request (route id, status, latency, request id, and the tenant once authentication has named it), which
 *    on the IdP's routes is also the activity record (functions/_shared/activity.ts) and carries the first
 *    metric the handler recorded (functions/_shared/metrics.ts), then publishes any other metric;
 * 3. `protocolErrors`: renders any thrown value in the protocol's own error shape. Errors below 500 carry
 *    their message to the client; anything else is logged with its stack and answered with a generic 500.
 *
 * Each invocation runs inside its own metrics record (`withRequestMetrics`) and under its own deadline
 * (`withRequestDeadline`: every call to AWS is aborted when the request's time is up), and Powertools keeps log keys
 * per invocation wherever the runtime runs invocations concurrently, so no request's tenant reaches another's
 * log line or metric.
 */
export function routeStack(
  renderError: ErrorRenderer,
  handle: (request: HttpRequest, context: Context) => Promise<HttpResponse>,
): ProxyHandler {
  const stack = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (req) => {
        const route = routeFor(req.event.httpMethod, req.event.requestContext?.resourcePath ?? req.event.resource);
        logger.appendKeys({ route: route?.id ?? 'unknown', requestId: req.event.requestContext?.requestId });
        state.set(req.event, { startedAt: performance.now(), route });
      },
      after: (req) => finishRequest(req.event, req.context, req.response ?? undefined),
      onError: (req) => finishRequest(req.event, req.context, req.response ?? undefined),
    })
    .use({
      onError: (req) => {
        req.response = toProxyResult(renderError(req.error, state.get(req.event)?.request));
      },
    })
    .handler(async (event, context) => {
      const request = readRequest(event);
      const routeState = state.get(event);
      if (routeState) routeState.request = request;
      return toProxyResult(await handle(request, context));
    });
  return (event, context) =>
    withRequestMetrics(() => withRequestActivity(() => withRequestDeadline(context, () => stack(event, context))));
}

/**
 * The request's one log line, with its activity keys for the tenant's log (functions/_shared/activity.ts) and
 * its first metric (functions/_shared/metrics.ts), then any other metric, once per request.
 */
function finishRequest(
  event: APIGatewayProxyEvent,
  context: Context,
  response: APIGatewayProxyResult | undefined,
): void {
  const status = response?.statusCode ?? 500;
  const routeState = state.get(event);
  const requestId = event.requestContext?.requestId;
  logger.info(REQUEST_LOG_MESSAGE, {
    method: event.httpMethod,
    status,
    latencyMs: routeState === undefined ? undefined : Math.round((performance.now() - routeState.startedAt) * 10) / 10,
    ...activityLineKeys(routeState?.route, requestId, status, response?.body),
    ...requestLineMetrics(),
  });
  publishRequestMetrics({ functionName: context.functionName });
}

/** A dependency failed in a way the client should retry (429/503): a warning, not an error with a stack. */
export function logDependencyFailure(kind: 'throttled' | 'unavailable', error: unknown): void {
  logger.warn('dependency failure', { kind, error: errorSummary(error) });
}

/** An error's name and message, and its cause's (an aborted call's cause says why: the request's deadline). */
function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const cause = error.cause instanceof Error ? { cause: { name: error.cause.name, message: error.cause.message } } : {};
  return { name: error.name, message: error.message, ...cause };
}

/** Logs an unexpected error with its stack, never its other properties (they may hold request data). */
export function logUnexpected(error: unknown): void {
  if (error instanceof Error) {
    logger.error('unhandled error', { error: { name: error.name, message: error.message, stack: error.stack } });
  } else {
    logger.error('unhandled non-error value thrown', { type: typeof error });
  }
}
