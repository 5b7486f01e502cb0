import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PUBLIC_BASE_URL_ENV } from '../../contract/environment';
import { CONSOLE_BASE_PATH, type RouteSpec, routes } from '../../contract/routes';
import { tableEnvVar } from '../../contract/tables';
import { RouteFunction } from '../../lib/route-function';
import { apiEvent, lambdaContext } from '../support/api-event';
import { type CfnResource, synthTemplate } from '../support/synth';

/**
 * The console as deployed: every console route of the manifest is an API Gateway method of the REST API,
 * proxied to a function of its own that runs the route's entry with the environment the route needs; and a
 * console function given the REST API's event for a request on the execute-api URL (whose path starts with the
 * stage) or on a custom domain answers with links, redirects and `__Host-` cookies that are right there. The
 * functions invoked are the ones that answer without storage (the sign-in page, and a signed-in page visited
 * without a session); the signed-in pages themselves run in the browser tests on the local server.
 */
const consoleRoutes = routes.filter(
  (route) => route.path === CONSOLE_BASE_PATH || route.path.startsWith(`${CONSOLE_BASE_PATH}/`),
);
const API_ID = 'a1b2c3d4e5';
const REGION = 'eu-west-1';

type Resources = Record<string, CfnResource>;

/** `METHOD /path` of an API Gateway method, rebuilt from its resource's parent chain. */
function methodRoute(resources: Resources, method: CfnResource): string {
  const pathOf = (resourceId: unknown): string => {
    if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) return '';
    const resource = resources[(resourceId as { Ref: string }).Ref];
    if (!resource) throw new Error(`unknown resource ${JSON.stringify(resourceId)}`);
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart as string}`;
  };
  return `${method.Properties.HttpMethod as string} ${pathOf(method.Properties.ResourceId)}`;
}

/** The logical id of the function a proxy integration's URI invokes. */
function integratedFunction(method: CfnResource): string {
  const integration = method.Properties.Integration as { Type: string; Uri: unknown };
  expect(integration.Type).toBe('AWS_PROXY');
  const found = JSON.stringify(integration.Uri).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/);
  if (!found?.[1]) throw new Error(`no function in ${JSON.stringify(integration.Uri)}`);
  return found[1];
}

/** A template value with the references a deployment fills in replaced by this test's stand-ins. */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    return { 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com' }[ref] ?? (ref.includes('Api') ? API_ID : ref);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function deployed(settings: Parameters<typeof synthTemplate>[1] = {}) {
  const { stack, template } = synthTemplate({}, settings);
  const resources = template.toJSON().Resources as Resources;
  const methods = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGateway::Method');
  const functionOf = new Map<string, string>();
  for (const method of methods) {
    if ((method.Properties.Integration as { Type: string }).Type !== 'AWS_PROXY') continue;
    functionOf.set(methodRoute(resources, method), integratedFunction(method));
  }
  const routeFunctions = stack.node.findAll().filter((node): node is RouteFunction => node instanceof RouteFunction);
  const entryOf = new Map(
    routeFunctions.map((routeFunction) => [
      stack.getLogicalId(routeFunction.function.node.defaultChild as never),
      routeFunction.route.entry,
    ]),
  );
  const environmentOf = (route: RouteSpec): Record<string, string> => {
    const logicalId = functionOf.get(`${route.method} ${route.path}`) ?? '';
    const fn = resources[logicalId];
    if (!fn) throw new Error(`no function for ${route.id}`);
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)]));
  };
  return { resources, functionOf, entryOf, environmentOf };
}

const stack = deployed();

describe('the console in the deployed stack', () => {
  test('every console route is a method of the REST API, proxied to a function of its own running the route’s entry', () => {
    expect(consoleRoutes.length).toBeGreaterThan(10);
    const functions = consoleRoutes.map((route) => stack.functionOf.get(`${route.method} ${route.path}`));
    expect(functions.every((logicalId) => logicalId !== undefined)).toBe(true);
    expect(new Set(functions).size).toBe(consoleRoutes.length);
    for (const route of consoleRoutes) {
      const logicalId = stack.functionOf.get(`${route.method} ${route.path}`) ?? '';
      const fn = stack.resources[logicalId];
      expect({
        route: route.id,
        type: fn?.Type,
        handler: fn?.Properties.Handler,
        entry: stack.entryOf.get(logicalId),
      }).toEqual({
        route: route.id,
        type: 'AWS::Lambda::Function',
        handler: 'index.handler',
        entry: route.entry,
      });
      expect(fn?.Properties.Description).toBe(`${route.method} ${route.path}`);
    }
  });

  test('every console function gets the public base URL (with the stage) and the tables of its route, and no other', () => {
    for (const route of consoleRoutes) {
      const environment = stack.environmentOf(route);
      expect(environment[PUBLIC_BASE_URL_ENV]).toBe(`https://${API_ID}.execute-api.${REGION}.amazonaws.com/dev`);
      const tables = Object.keys(environment).filter((name) => name.endsWith('_TABLE') || name.includes('TABLE'));
      expect(tables.sort()).toEqual(
        Object.keys(route.tables)
          .map((key) => tableEnvVar(key as never))
          .sort(),
      );
    }
  });
});

/** The REST API's proxy event for a request on the execute-api URL: the path API Gateway received has the stage. */
function restApiEvent(
  method: string,
  path: string,
  options: { host: string; stagePrefix: string; headers?: Record<string, string>; body?: string },
): APIGatewayProxyEvent {
  const event = apiEvent(method, path, {
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
  });
  const headers = { ...event.headers, Host: options.host, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '443' };
  return {
    ...event,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value ?? '']])),
    requestContext: {
      ...event.requestContext,
      domainName: options.host,
      apiId: API_ID,
      stage: 'dev',
      path: `${options.stagePrefix}${path.split('?')[0]}`,
    },
  };
}

const setCookies = (result: APIGatewayProxyResult): string[] => {
  const multi = result.multiValueHeaders?.['Set-Cookie'] ?? result.multiValueHeaders?.['set-cookie'];
  if (multi) return multi.map(String);
  const single = result.headers?.['Set-Cookie'] ?? result.headers?.['set-cookie'];
  return single === undefined ? [] : [String(single)];
};

const header = (result: APIGatewayProxyResult, name: string): string => {
  const found = Object.entries(result.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found ? String(found[1]) : '';
};

async function invoke(route: RouteSpec, event: APIGatewayProxyEvent, environment: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  try {
    const { handler } = (await import(`../../${route.entry}`)) as {
      handler: (
        event: APIGatewayProxyEvent,
        context: ReturnType<typeof lambdaContext>,
      ) => Promise<APIGatewayProxyResult>;
    };
    return await handler(event, lambdaContext());
  } finally {
    process.env = saved;
  }
}

const routeOf = (id: string): RouteSpec => {
  const route = consoleRoutes.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`no console route ${id}`);
  return route;
};

describe.each([
  {
    name: 'on the execute-api URL (the stage in the path)',
    settings: {},
    host: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
    stagePrefix: '/dev',
  },
  {
    name: 'on a custom domain (no prefix)',
    settings: {
      domainName: 'scim.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    },
    host: 'scim.example.com',
    stagePrefix: '',
  },
])('a console function invoked by the REST API $name', ({ settings, host, stagePrefix }) => {
  const site = deployed(settings);
  const base = `https://${host}${stagePrefix}`;

  test('the sign-in page: its form and links under the prefix, a __Host- cookie for the whole host, the CSP and framing headers', async () => {
    const route = routeOf('ConsoleSignIn');
    const environment = site.environmentOf(route);
    expect(environment[PUBLIC_BASE_URL_ENV]).toBe(base);
    const result = await invoke(route, restApiEvent('GET', route.path, { host, stagePrefix }), environment);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain(`action="${base}/console/sign-in"`);
    const [cookie, ...others] = setCookies(result);
    expect(others).toEqual([]);
    expect(cookie).toMatch(/^__Host-[\w-]+=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookie).not.toContain('Domain=');
    expect(header(result, 'Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(header(result, 'Content-Security-Policy')).toContain("default-src 'none'");
    expect(header(result, 'X-Frame-Options')).toBe('DENY');
    expect(header(result, 'Cache-Control')).toContain('no-store');
  });

  test('a signed-in page visited without a session: to the sign-in page under the prefix, the session cookie cleared', async () => {
    for (const id of ['ConsoleMachineClients', 'ConsoleScimTokens', 'ConsoleApplications']) {
      const route = routeOf(id);
      const result = await invoke(
        route,
        restApiEvent('GET', route.path, { host, stagePrefix }),
        site.environmentOf(route),
      );
      expect(result.statusCode).toBe(303);
      expect(header(result, 'Location')).toBe(`${base}/console/sign-in`);
      expect(setCookies(result)).toEqual(['__Host-console=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax']);
    }
    const home = routeOf('ConsoleHome');
    const result = await invoke(home, restApiEvent('GET', home.path, { host, stagePrefix }), site.environmentOf(home));
    expect(header(result, 'Location')).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/console/`));
  });

  test('a form post from another origin is refused before any storage is read', async () => {
    const route = routeOf('ConsoleScimTokenCreate');
    const event = restApiEvent('POST', route.path, {
      host,
      stagePrefix,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://attacker.example' },
      body: 'name=Forged',
    });
    const result = await invoke(route, event, site.environmentOf(route));
    expect(result.statusCode).toBe(403);
    expect(header(result, 'Content-Type')).toContain('text/html');
  });
});
