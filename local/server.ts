import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  type GatewayResponseSpec,
  gatewayErrorBody,
  gatewayHeaders,
  gatewayResponses,
} from '../contract/gateway-responses';
import { consoleNotFoundAnswer, type FixedAnswer } from '../contract/method-not-allowed';
import { protocolOf, type RouteSpec } from '../contract/routes';
import { FUNCTION_TIMEOUT_SECONDS } from '../contract/time-budget';
import { useLocalActivityIngest } from './activity-ingest';
import { MAX_GATEWAY_PAYLOAD_BYTES, matchRoute, methodNotAllowedFor, toProxyEvent } from './api-gateway';
import { useLocalSigner } from './environment';
import { runInvocation, useConcurrentInvocations } from './invocations';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const PROJECT_ROOT = join(__dirname, '..');

/** Handlers are loaded on first use, as a Lambda cold start would, and kept. */
const handlers = new Map<string, Promise<ProxyHandler>>();

function loadHandler(route: RouteSpec): Promise<ProxyHandler> {
  let handler = handlers.get(route.id);
  if (!handler) {
    handler = import(join(PROJECT_ROOT, route.entry)).then((module: { handler?: ProxyHandler }) => {
      if (typeof module.handler !== 'function') throw new Error(`${route.entry} does not export handler`);
      return module.handler;
    });
    handlers.set(route.id, handler);
  }
  return handler;
}

/** The context Lambda gives an invocation, with the deployed function's timeout, so deadlines are the same. */
function lambdaContext(route: RouteSpec, requestId: string): Context {
  const deadline = Date.now() + FUNCTION_TIMEOUT_SECONDS * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: route.id,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${route.id}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${route.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function writeGatewayResponse(response: ServerResponse, spec: GatewayResponseSpec): void {
  response.writeHead(spec.status, gatewayHeaders(spec));
  response.end(gatewayErrorBody(spec));
}

function writeFixedAnswer(response: ServerResponse, answer: FixedAnswer): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_GATEWAY_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Serves every manifest route by turning each HTTP request into the REST API v1 proxy event API Gateway would
 * send, calling the route's real handler, and writing its result back. What API Gateway answers without a
 * function (unknown route, payload too large, handler crash) comes from contract/gateway-responses.ts, and a
 * method a path has no route for gets contract/method-not-allowed.ts's answer, as the mock integration gives.
 */
export function createLocalServer(): Server {
  useConcurrentInvocations();
  useLocalSigner();
  useLocalActivityIngest();
  return createServer(async (request, response) => {
    try {
      const method = request.method ?? 'GET';
      const [path = '/'] = (request.url ?? '/').split('?');
      const match = matchRoute(method, path);
      if (!match) {
        request.resume();
        // As deployed: a known path without this method is the gateway's own 405; an unknown path its 404.
        const methodNotAllowed = methodNotAllowedFor(method, path);
        if (methodNotAllowed) return writeFixedAnswer(response, methodNotAllowed);
        // Under /console the console's own 404 page, as API Gateway's `/console/{proxy+}` answers.
        return protocolOf(path) === 'console'
          ? writeFixedAnswer(response, consoleNotFoundAnswer())
          : writeGatewayResponse(response, gatewayResponses.MISSING_AUTHENTICATION_TOKEN);
      }
      const body = await readBody(request);
      if (!body) return writeGatewayResponse(response, gatewayResponses.REQUEST_TOO_LARGE);
      const event = toProxyEvent(
        {
          method,
          url: request.url ?? '/',
          rawHeaders: request.rawHeaders,
          body,
          sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        },
        match,
      );
      const handler = await loadHandler(match.route);
      const requestId = event.requestContext.requestId;
      const result = await runInvocation(requestId, () => handler(event, lambdaContext(match.route, requestId)));
      const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
        headers[name] = values.map(String);
      }
      response.writeHead(result.statusCode, headers);
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      // API Gateway answers a failed invocation with 502; we keep the gateway's integration-failure answer.
      process.stderr.write(`local server: handler failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!response.headersSent) writeGatewayResponse(response, gatewayResponses.INTEGRATION_FAILURE);
      else response.end();
    }
  });
}

/** Fails, with the same one-line explanation as `listen`, when the port is taken; before anything slow starts. */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listen(probe, port, host);
  await new Promise((resolve) => probe.close(resolve));
}

/** Listens and resolves with the bound port; a port in use rejects with a one-line explanation. */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use (set PORT to another port)`) : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
