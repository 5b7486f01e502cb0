import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { catchAllAt, unmatchedAnswer } from '../../contract/unmatched-requests';
import { toProxyResult } from '../_shared/http-event';

/**
 * The lean profile's answer to a request no manifest route takes (contract/unmatched-requests.ts): the HTTP API
 * invokes it from the `ANY` route of a manifest path (405 with that path's `Allow`) and from its `$default`
 * route (404; the console's page under /console). It reads no table and logs nothing: the API's access log records the request and its status.
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const answer = unmatchedAnswer(
    catchAllAt(event.requestContext?.resourcePath ?? event.resource),
    event.httpMethod,
    event.path,
  );
  return toProxyResult({ status: answer.status, headers: answer.headers, body: answer.body });
};
