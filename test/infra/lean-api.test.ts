import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PUBLIC_BASE_URL_ENV } from '../../contract/environment';
import { consoleNotFoundAnswer, methodNotAllowedAnswer } from '../../contract/method-not-allowed';
import { catchAllsOf, routes } from '../../contract/routes';
import { handler as unmatched } from '../../functions/gateway/unmatched';
import { HTTP_ACCESS_LOG_FIELDS, HttpServiceApi } from '../../lib/http-service-api';
import { OAUTH_METHOD_LIMITS } from '../../lib/service-api';
import { capabilityRoutes } from '../support/capability-routes';
import { type CfnResource, environmentOf, flatten, resourcesOfType, synthTemplate } from '../support/synth';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

/** The lean profile's HTTP API routes as `ROUTE KEY → logical id of the function its integration invokes`. */
function routedFunctions(template: ReturnType<typeof synthTemplate>['template']): Map<string, string> {
  const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
  const routed = new Map<string, string>();
  for (const route of Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'))) {
    const target = flatten(route.Properties.Target); // integrations/${IntegrationId}
    const integrationId = /^integrations\/\$\{(\w+)\}$/.exec(target)?.[1] ?? '';
    const integration = integrations[integrationId] as CfnResource;
    expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '1.0' });
    const functionId = /^\$\{(\w+)\.Arn\}$/.exec(flatten(integration.Properties.IntegrationUri))?.[1] ?? '';
    routed.set(route.Properties.RouteKey as string, functionId);
  }
  return routed;
}

/** An HTTP API payload 1.0 event as the unmatched function receives it: only what it reads. */
const unmatchedEvent = (method: string, resource: string, path: string): APIGatewayProxyEvent =>
  ({
    resource,
    path,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    requestContext: { resourcePath: resource, httpMethod: method, path, requestId: 'lean-test' },
  }) as unknown as APIGatewayProxyEvent;

describe('the lean profile (context apiProfile=lean)', () => {
  // The whole manifest once: every route must be there, so a narrowed manifest would prove less.
  const { template, stack } = synthTemplate({}, { apiProfile: 'lean' });
  const routed = routedFunctions(template);
  const functionIdOf = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);

  test('routes every manifest route to its own function, ANY on each path and $default to the 404/405 function', () => {
    const unmatchedId = stack.unmatchedRequests ? functionIdOf(stack.unmatchedRequests) : 'none';
    const expected = new Map<string, string>([
      ...stack.functions.map(
        (fn) => [`${fn.route.method} ${fn.route.path}`, functionIdOf(fn.function)] as [string, string],
      ),
      ...catchAllsOf(routes).map((catchAll) => [`ANY ${catchAll.path}`, unmatchedId] as [string, string]),
      ['$default', unmatchedId],
    ]);
    expect(stack.functions.map((fn) => fn.route.id)).toEqual(routes.map((route) => route.id));
    expect([...routed].sort()).toEqual([...expected].sort());
  });

  test('has an HTTP API and no REST API, no web ACL and no execution logs', () => {
    expect(stack.service).toBeInstanceOf(HttpServiceApi);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    const resources = Object.values(template.toJSON().Resources as Record<string, CfnResource>);
    expect(resources.filter((resource) => resource.Type.startsWith('AWS::ApiGateway::'))).toEqual([]);
    expect(resources.filter((resource) => resource.Type.startsWith('AWS::WAFv2::'))).toEqual([]);
    expect(stack.firewall).toBeUndefined();
  });

  test('serves on the $default stage, so the base URL and the functions’ paths have no stage prefix', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    const apiId = stack.getLogicalId(stack.service.api.node.defaultChild as never);
    const base = `https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}`;
    expect(flatten(stack.resolve(stack.service.publicBaseUrl))).toBe(base);
    const [first] = stack.functions;
    if (!first) throw new Error('no route function');
    expect(flatten(environmentOf(template, functionIdOf(first.function))[PUBLIC_BASE_URL_ENV])).toBe(base);
  });

  test('throttles the stage, and the OAuth routes tighter, since no WAF rate rule stands in front', () => {
    const stage = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties ?? {};
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const expected = Object.fromEntries(
      routes
        .filter((route) => OAUTH_METHOD_LIMITS[route.path])
        .map((route) => {
          const limits = OAUTH_METHOD_LIMITS[route.path];
          return [
            `${route.method} ${route.path}`,
            { ThrottlingRateLimit: limits?.rateLimit, ThrottlingBurstLimit: limits?.burstLimit },
          ];
        }),
    );
    expect(Object.keys(expected).length).toBeGreaterThan(1);
    expect(stage.RouteSettings).toEqual(expected);
    const custom = synthTemplate({ routes: capabilityRoutes }, { apiProfile: 'lean', throttleRateLimit: '40' });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 200 },
    });
  });

  test('writes one JSON access log line per request, with the REST API’s field names and no request data', () => {
    const stage = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'))[0]?.Properties as {
      AccessLogSettings: { DestinationArn: unknown; Format: string };
    };
    expect(stage.AccessLogSettings.DestinationArn).toEqual(stack.resolve(stack.service.accessLogs.logGroupArn));
    const line = JSON.parse(
      stage.AccessLogSettings.Format.replace('$context.error.messageString', '"quoted by API Gateway"'),
    ) as Record<string, string>;
    expect(line).toEqual({ ...HTTP_ACCESS_LOG_FIELDS, errorMessage: 'quoted by API Gateway' });
    for (const field of ['requestId', 'ip', 'httpMethod', 'routeKey', 'status', 'lambdaRequestId', 'errorType']) {
      expect(Object.keys(line)).toContain(field);
    }
    expect(stage.AccessLogSettings.Format).not.toMatch(/header|querystring|body|authorization/i);
  });

  test('on a custom domain: the domain is the only URL, mapped to the $default stage', () => {
    const { template: onDomain, stack: domainStack } = synthTemplate(
      { routes: capabilityRoutes },
      { apiProfile: 'lean', domainName: 'scim.example.com', certificateArn: CERTIFICATE_ARN },
    );
    onDomain.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    onDomain.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'scim.example.com' });
    onDomain.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(domainStack.service.publicBaseUrl).toBe('https://scim.example.com');
    onDomain.hasOutput('CustomDomainTarget', {});
  });

  test('the default profile keeps the REST API behind the web ACL', () => {
    const { template: standard } = synthTemplate({ routes: capabilityRoutes });
    standard.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    standard.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    standard.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });
});

describe('the lean profile’s 404/405 function', () => {
  test.each(catchAllsOf(routes).map((catchAll) => [catchAll.path, catchAll]))(
    'answers a method %s has no route for with the REST API’s 405',
    async (_path, catchAll) => {
      const path = catchAll.path.replace(/\{\w+\}/g, 'x');
      const result = await unmatched(unmatchedEvent('TRACE', catchAll.path, path));
      const expected = methodNotAllowedAnswer(catchAll, 'TRACE');
      expect(result.statusCode).toBe(405);
      expect(result.body).toBe(expected.body);
      expect(result.headers).toEqual(expected.headers);
    },
  );

  test('answers a path no route has ($default) with the REST API’s 404 in SCIM Error JSON', async () => {
    const result = await unmatched(unmatchedEvent('GET', '$default', '/scim/v2/Nothing'));
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['Content-Type']).toBe('application/scim+json; charset=utf-8');
    expect(JSON.parse(result.body)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '404',
      detail: 'No such endpoint',
    });
  });

  test('answers an unknown path under /console with the console’s own 404 page, as the REST API does', async () => {
    const result = await unmatched(unmatchedEvent('GET', '$default', '/console/nothing-here'));
    const expected = consoleNotFoundAnswer();
    expect(result.statusCode).toBe(404);
    expect(result.body).toBe(expected.body);
    expect(result.headers).toEqual(expected.headers);
  });
});
