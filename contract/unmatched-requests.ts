import { gatewayErrorBody, gatewayHeaders, gatewayResponses } from './gateway-responses';
import { consoleNotFoundAnswer, type FixedAnswer, methodNotAllowedAnswer } from './method-not-allowed';
import { type CatchAll, catchAllsOf, protocolOf, routes } from './routes';

/**
 * The function that gives, behind an HTTP API (the lean profile, lib/http-service-api.ts), the answers the
 * REST API gives without a function: an HTTP API has neither mock integrations nor gateway responses, so its
 * `ANY` route on each manifest path and its `$default` route invoke this one function instead.
 */
export const UNMATCHED_REQUEST_ENTRY = 'functions/gateway/unmatched.ts';

const catchAllsByPath = new Map(catchAllsOf(routes).map((catchAll) => [catchAll.path, catchAll]));

/** The catch-all of a manifest path, as the HTTP API's route (`ANY /scim/v2/Users/{id}`) names it. */
export const catchAllAt = (path: string): CatchAll | undefined => catchAllsByPath.get(path as CatchAll['path']);

/**
 * A method a manifest path has no route for: that path's 405 (the REST API's mock answer); an unknown path under
 * the console: the console's 404 page (the REST API's `/console/{proxy+}`); any other request: the REST API's 404
 * for a path it does not know, in SCIM Error JSON.
 */
export function unmatchedAnswer(catchAll: CatchAll | undefined, method: string, path: string): FixedAnswer {
  if (catchAll) return methodNotAllowedAnswer(catchAll, method);
  if (protocolOf(path) === 'console') return consoleNotFoundAnswer();
  const notFound = gatewayResponses.MISSING_AUTHENTICATION_TOKEN;
  return {
    status: notFound.status,
    headers: gatewayHeaders(notFound),
    body: gatewayErrorBody(notFound),
  };
}
