import { Match } from 'aws-cdk-lib/assertions';
import { gatewayErrorBody, gatewayResponses } from '../../contract/gateway-responses';
import { methodNotAllowedAnswer } from '../../contract/method-not-allowed';
import { catchAllsOf, routes } from '../../contract/routes';
import { OUTPUT_KEYS } from '../../lib/scim-provisioning-stack';
import { ACCESS_LOG_FIELDS, OAUTH_METHOD_LIMITS } from '../../lib/service-api';
import { capabilityRoutes } from '../support/capability-routes';
import { flatten, resourcesOfType, routeFunctionResources, synthTemplate } from '../support/synth';
import { deployedRoutes } from '../support/template-routes';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

describe('the REST API', () => {
  const { template, stack } = synthTemplate({ routes: capabilityRoutes });
  const stageSettings = () =>
    Object.values(resourcesOfType(template, 'AWS::ApiGateway::Stage'))[0]?.Properties as {
      MethodSettings: Record<string, unknown>[];
      AccessLogSetting: { DestinationArn: unknown; Format: string };
      TracingEnabled: boolean;
    };

  test('has every route of the manifest it was given, ANY on each of their paths, and nothing else', () => {
    expect(deployedRoutes(template)).toEqual(
      [
        ...capabilityRoutes.map((route) => `${route.method} ${route.path}`),
        ...catchAllsOf(capabilityRoutes).map((catchAll) => `ANY ${catchAll.path}`),
      ].sort(),
    );
  });

  test('answers ANY itself (a mock integration) with the 405 the local server gives, whatever the request', () => {
    const anyMethods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod === 'ANY',
    );
    const deployed = anyMethods.map((method) => {
      const integration = method.Properties.Integration as Record<string, unknown>;
      // No request template and one default response: no body or content type can change or break the answer.
      expect(integration).toMatchObject({ Type: 'MOCK', PassthroughBehavior: 'WHEN_NO_TEMPLATES' });
      expect(integration.RequestTemplates).toBeUndefined();
      return {
        integrationResponses: integration.IntegrationResponses,
        methodResponses: method.Properties.MethodResponses,
      };
    });
    const headerParameters = (headers: Readonly<Record<string, string>>, value: (header: string) => unknown) =>
      Object.fromEntries(
        Object.entries(headers).map(([name, header]) => [`method.response.header.${name}`, value(header)]),
      );
    const expected = catchAllsOf(capabilityRoutes).map((catchAll) => {
      const answer = methodNotAllowedAnswer(catchAll, '$context.httpMethod');
      return {
        integrationResponses: [
          {
            StatusCode: '405',
            ResponseParameters: headerParameters(answer.headers, (header) => `'${header}'`),
            ResponseTemplates: { 'application/json': answer.body },
          },
        ],
        methodResponses: [{ StatusCode: '405', ResponseParameters: headerParameters(answer.headers, () => true) }],
      };
    });
    expect(deployed).toHaveLength(expected.length);
    expect(deployed).toEqual(expect.arrayContaining(expected));
    // The template is the local answer with the request's method filled in.
    const [scimPath] = catchAllsOf(capabilityRoutes).filter((catchAll) => catchAll.protocol === 'scim');
    if (!scimPath) throw new Error('the test manifest has a SCIM path');
    expect(methodNotAllowedAnswer(scimPath, '$context.httpMethod').body.replace('$context.httpMethod', 'PUT')).toBe(
      methodNotAllowedAnswer(scimPath, 'PUT').body,
    );
  });

  test('leaves the account-wide API Gateway logging role alone unless asked to create it (then retains it)', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const apiGatewayRoles = (candidate: ReturnType<typeof synthTemplate>['template']) =>
      Object.values(resourcesOfType(candidate, 'AWS::IAM::Role')).filter((role) =>
        JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('apigateway.amazonaws.com'),
      );
    expect(apiGatewayRoles(template)).toEqual([]);
    const { template: optedIn } = synthTemplate({ routes: capabilityRoutes }, { apiGatewayCloudWatchRole: 'true' });
    optedIn.resourceCountIs('AWS::ApiGateway::Account', 1);
    expect(apiGatewayRoles(optedIn)).toHaveLength(1);
    expect(apiGatewayRoles(optedIn)[0]?.DeletionPolicy).toBe('Retain');
  });

  test('is regional, and reachable on its execute-api URL when there is no custom domain', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: false,
    });
  });

  test('throttles the whole stage, with the defaults or the context values', () => {
    expect(stageSettings().MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      }),
    );
    const custom = synthTemplate({ routes: capabilityRoutes }, { throttleRateLimit: '40', throttleBurstLimit: 80 });
    custom.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 }),
      ]),
    });
  });

  test('limits /oauth/authorize (GET and POST) and /oauth/token (POST) tighter than the stage, by path', () => {
    const settings = stageSettings().MethodSettings;
    const authorize = OAUTH_METHOD_LIMITS['/oauth/authorize'];
    const token = OAUTH_METHOD_LIMITS['/oauth/token'];
    for (const method of ['GET', 'POST']) {
      expect(settings).toContainEqual(
        expect.objectContaining({
          HttpMethod: method,
          ResourcePath: '/~1oauth~1authorize',
          ThrottlingRateLimit: authorize?.rateLimit,
          ThrottlingBurstLimit: authorize?.burstLimit,
          LoggingLevel: 'ERROR',
        }),
      );
    }
    expect(settings).toContainEqual(
      expect.objectContaining({
        HttpMethod: 'POST',
        ResourcePath: '/~1oauth~1token',
        ThrottlingRateLimit: token?.rateLimit,
        ThrottlingBurstLimit: token?.burstLimit,
      }),
    );
    expect(token?.rateLimit).toBeLessThan(100);
    expect(authorize?.rateLimit).toBeLessThan(token?.rateLimit ?? 0);
  });

  test('sets no method limits for OAuth routes the manifest does not have (API Gateway rejects settings for missing methods)', () => {
    const { template: current } = synthTemplate();
    const settings = (Object.values(resourcesOfType(current, 'AWS::ApiGateway::Stage'))[0]?.Properties.MethodSettings ??
      []) as { ResourcePath: string }[];
    const manifestPaths = new Set(routes.map((route) => `/${route.path.replace(/\//g, '~1')}`));
    for (const setting of settings.filter((entry) => entry.ResourcePath !== '/*')) {
      expect(manifestPaths).toContain(setting.ResourcePath);
    }
  });

  test.each(Object.entries(gatewayResponses))('answers %s itself in SCIM Error JSON', (type, spec) => {
    const headers: Record<string, string> = {
      'gatewayresponse.header.Content-Type': "'application/scim+json; charset=utf-8'",
    };
    if (spec.retryAfterSeconds !== undefined) {
      headers['gatewayresponse.header.Retry-After'] = `'${spec.retryAfterSeconds}'`;
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: String(spec.status),
      ResponseParameters: headers,
      ResponseTemplates: Match.objectLike({
        'application/json': gatewayErrorBody(spec),
        'application/scim+json': gatewayErrorBody(spec),
      }),
    });
  });

  test('429 answers carry an integer Retry-After', () => {
    for (const type of ['THROTTLED', 'QUOTA_EXCEEDED']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '429',
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Retry-After': Match.stringLikeRegexp("^'\\d+'$"),
        }),
      });
    }
  });

  test('writes JSON access logs to their own log group, without headers or query strings', () => {
    const { AccessLogSetting } = stageSettings();
    const accessLogGroup = stack.resolve(stack.service.accessLogs.logGroupArn);
    expect(AccessLogSetting.DestinationArn).toEqual(accessLogGroup);
    const functionLogGroups = stack.functions.map((fn) => stack.resolve(fn.logGroup.logGroupArn));
    expect(functionLogGroups).not.toContainEqual(accessLogGroup);
    const line = JSON.parse(AccessLogSetting.Format.replace(/\$context\.error\.messageString/, '"message"')) as Record<
      string,
      string
    >;
    expect(line).toMatchObject(ACCESS_LOG_FIELDS);
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining([
        'requestId',
        'ip',
        'httpMethod',
        'resourcePath',
        'status',
        'responseLatency',
        'errorType',
      ]),
    );
    expect(AccessLogSetting.Format).not.toMatch(
      /\$(context|input|method)\.(request\.header|params|querystring|body)|authorization/i,
    );
  });

  test('logs execution errors only (never request data), traces, and gives API Gateway’s error log group a retention', () => {
    expect(stageSettings().MethodSettings).toContainEqual(
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false }),
    );
    expect(stageSettings().TracingEnabled).toBe(true);
    const executionLogs = Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup')).find((group) =>
      flatten(group.Properties.LogGroupName).startsWith('API-Gateway-Execution-Logs_'),
    );
    expect(flatten(executionLogs?.Properties.LogGroupName)).toBe(
      `API-Gateway-Execution-Logs_\${${stack.getLogicalId(stack.service.api.node.defaultChild as never)}}/dev`,
    );
    expect(executionLogs?.Properties.RetentionInDays).toBe(30);
  });

  test('grants API Gateway invoke permission per method only, with no console test-invoke path', () => {
    // The other permissions let CloudWatch Logs deliver activity lines to the ingest (test/infra/activity-log.test.ts).
    const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions).toHaveLength(capabilityRoutes.length);
    for (const permission of permissions) {
      expect(flatten(permission.Properties.SourceArn)).not.toContain('test-invoke-stage');
    }
  });

  test('outputs what Okta’s form and the admin CLI need, on the execute-api URL with the stage', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const base = `https://\${${stack.getLogicalId(stack.service.api.node.defaultChild as never)}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/dev`;
    expect(flatten(outputs[OUTPUT_KEYS.scimBaseUrl]?.Value)).toBe(`${base}/scim/v2`);
    expect(flatten(outputs[OUTPUT_KEYS.authorizationEndpoint]?.Value)).toBe(`${base}/oauth/authorize`);
    expect(flatten(outputs[OUTPUT_KEYS.tokenEndpoint]?.Value)).toBe(`${base}/oauth/token`);
    expect(flatten(outputs[OUTPUT_KEYS.issuer]?.Value)).toBe(base);
    expect(flatten(outputs[OUTPUT_KEYS.jwksUrl]?.Value)).toBe(`${base}/.well-known/jwks.json`);
    for (const [key, name] of Object.entries(OUTPUT_KEYS.tables)) {
      const table = stack.tables.byKey[key as keyof typeof stack.tables.byKey];
      expect(outputs[name]?.Value).toEqual(stack.resolve(table.tableName));
    }
    expect(Object.keys(outputs).filter((key) => key.startsWith('ServiceApiEndpoint'))).toEqual([]);
  });

  test('gives every route function the same public base URL the outputs use', () => {
    const base = stack.resolve(stack.service.publicBaseUrl);
    for (const fn of Object.values(routeFunctionResources(template))) {
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PUBLIC_BASE_URL).toEqual(
        base,
      );
    }
  });
});

describe('the custom domain', () => {
  test('with a certificate ARN: regional TLS 1.2 domain mapped to the stage, execute-api off, URLs on the domain', () => {
    const { template, stack } = synthTemplate(
      { routes: capabilityRoutes },
      { domainName: 'scim.example.com', certificateArn: CERTIFICATE_ARN },
    );
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'scim.example.com',
      RegionalCertificateArn: CERTIFICATE_ARN,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUT_KEYS.scimBaseUrl]?.Value).toBe('https://scim.example.com/scim/v2');
    expect(outputs[OUTPUT_KEYS.tokenEndpoint]?.Value).toBe('https://scim.example.com/oauth/token');
    expect(outputs[OUTPUT_KEYS.authorizationEndpoint]?.Value).toBe('https://scim.example.com/oauth/authorize');
    expect(outputs[OUTPUT_KEYS.issuer]?.Value).toBe('https://scim.example.com');
    expect(flatten(outputs.CustomDomainTarget?.Value)).toContain('RegionalDomainName');
    for (const fn of Object.values(routeFunctionResources(template))) {
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.PUBLIC_BASE_URL).toBe(
        'https://scim.example.com',
      );
    }
    expect(stack.service.uriPrefix).toBe('');
  });

  test('with a hosted zone: a DNS-validated certificate and an alias record are created', () => {
    const { template } = synthTemplate(
      {},
      { domainName: 'scim.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' },
    );
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'scim.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'scim.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'scim.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.anyValue(),
    });
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('CustomDomainTarget');
  });
});
