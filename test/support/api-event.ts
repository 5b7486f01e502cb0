import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { FUNCTION_TIMEOUT_SECONDS } from '../../contract/time-budget';
import { matchRoute, toProxyEvent } from '../../local/api-gateway';

/** A REST API v1 proxy event for a request, built by the same code the local server uses. */
export function apiEvent(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string; sourceIp?: string } = {},
): APIGatewayProxyEvent {
  const path = url.split('?')[0] ?? '/';
  const match = matchRoute(method, path);
  if (!match) throw new Error(`No manifest route for ${method} ${path}`);
  return toProxyEvent(
    {
      method,
      url,
      rawHeaders: Object.entries(options.headers ?? {}).flat(),
      body: Buffer.from(options.body ?? ''),
      sourceIp: options.sourceIp ?? '127.0.0.1',
    },
    match,
  );
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:test',
    memoryLimitInMB: '256',
    awsRequestId: 'test-request',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => FUNCTION_TIMEOUT_SECONDS * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
