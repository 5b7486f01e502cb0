import { Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  DomainName,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  ResponseType,
  RestApi,
  SecurityPolicy,
  type Stage,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import {
  type GatewayResponseType,
  gatewayErrorBody,
  gatewayHeaders,
  gatewayResponses,
} from '../contract/gateway-responses';
import { type FixedAnswer, methodNotAllowedAnswer } from '../contract/method-not-allowed';
import { type CatchAll, pathOf, type RoutePath, type RouteSpec } from '../contract/routes';
import type { ServiceSettings } from './settings';

/**
 * Tighter limits than the stage's for the OAuth endpoints, per method, applied by path to whichever of these
 * routes the manifest has. The login form and consent are human-paced; token requests come from Okta once per
 * access-token lifetime per connection, so a flood on either is an attack or a broken client.
 */
export const OAUTH_METHOD_LIMITS: Readonly<Record<string, { rateLimit: number; burstLimit: number }>> = {
  [pathOf('OAuthAuthorize')]: { rateLimit: 5, burstLimit: 10 },
  [pathOf('OAuthToken')]: { rateLimit: 10, burstLimit: 20 },
};

/** Why neither API has a gateway authorizer (cdk-nag AwsSolutions-APIG4). */
export const AUTHENTICATION_IN_FUNCTIONS =
  'Authentication happens in each function, per the manifest’s auth field: SCIM routes verify an RFC 9068 ' +
  'bearer JWT (signature, issuer, audience, expiry, grant still active), the token endpoint authenticates ' +
  'the OAuth client, and discovery documents and public keys are public by design (RFC 8414, RFC 7517).';

/** Execution logging (errors only, never request or response data) for every method override too. */
const EXECUTION_LOGGING: MethodDeploymentOptions = {
  loggingLevel: MethodLoggingLevel.ERROR,
  dataTraceEnabled: false,
  metricsEnabled: false,
};

/**
 * One JSON object per request in the access log group. Headers, query strings and bodies are never logged (they
 * carry tokens, codes and secrets); `lambdaRequestId` joins a line to the function's platform report.
 * Values API Gateway does not know are "-".
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  lambdaRequestId: '$context.awsEndpointRequestId',
  errorType: '$context.error.responseType',
  wafResponse: '$context.wafResponseCode',
  domainName: '$context.domainName',
};

/** `$context.error.messageString` is already a quoted JSON string, so it is added unquoted. */
function accessLogFormat(): string {
  const fields = Object.entries(ACCESS_LOG_FIELDS).map(([name, variable]) => `"${name}":"${variable}"`);
  return `{${[...fields, '"errorMessage":$context.error.messageString'].join(',')}}`;
}

/** Media types a client may send; each gets the same gateway-response body. */
const GATEWAY_RESPONSE_MEDIA_TYPES = ['application/json', 'application/scim+json', 'application/x-www-form-urlencoded'];

export interface ServiceApiProps {
  readonly settings: ServiceSettings;
  readonly routes: readonly RouteSpec[];
}

/**
 * The regional REST API: every manifest route, the stage with throttling, access and error logs and tracing,
 * gateway answers in SCIM Error JSON (contract/gateway-responses.ts, shared with the local server), and the
 * optional custom domain.
 */
export class ServiceApi extends Construct {
  readonly api: RestApi;
  readonly accessLogs: LogGroup;
  /** `https://scim.example.com` or `https://{id}.execute-api.{region}.amazonaws.com/{stage}`, no trailing slash. */
  readonly publicBaseUrl: string;
  readonly domain?: DomainName;
  /** The path prefix WAF sees before `/scim/v2` and `/oauth`: the stage on the execute-api URL, nothing on a domain. */
  readonly uriPrefix: string;
  /** Where to point a CNAME when the custom domain's zone is not managed by the stack. */
  readonly customDomainTarget?: { readonly domainName: string; readonly target: string };

  /** The deployed stage: WAF's association, the dashboard's and the alarms' metrics. */
  get stage(): Stage {
    return this.api.deploymentStage;
  }

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = settings.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetention, removalPolicy });

    this.api = new RestApi(this, 'Api', {
      restApiName: `scim-provisioning-${settings.stage}`,
      description: 'SCIM 2.0 provisioning and OAuth 2.0 authorization server',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // With a custom domain it is the only URL: the issuer and token audience have exactly one spelling.
      disableExecuteApiEndpoint: settings.customDomain !== undefined,
      cloudWatchRole: settings.apiGatewayCloudWatchRole,
      // Retained: the role is account-wide, other APIs in the account keep logging through it.
      ...(settings.apiGatewayCloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: settings.stage,
        throttlingRateLimit: settings.throttle.rateLimit,
        throttlingBurstLimit: settings.throttle.burstLimit,
        methodOptions: oauthMethodOptions(props.routes),
        ...EXECUTION_LOGGING,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(accessLogFormat()),
      },
    });
    // RestApi adds an output with the execute-api URL; the stack's own outputs say which URL to use.
    this.api.node.tryRemoveChild('Endpoint');
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason: AUTHENTICATION_IN_FUNCTIONS,
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'The service is its own OAuth 2.0 authorization server (Okta connects with our client credentials and ' +
          'tokens); a Cognito user pool authorizer would be a second identity system. See APIG4.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Request bodies and parameters are validated by the functions against the SCIM and OAuth rules (RFC 7643/' +
          '7644 schemas, size and depth limits, RFC 6749 parameters), which answer in the protocol’s error shape; ' +
          'API Gateway model validation would answer in its own shape and duplicate the rules.',
      },
    );
    if (settings.apiGatewayCloudWatchRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway uses to write access and execution logs; AWS maintains this policy ' +
          'for exactly that service role, and it is retained on delete so other APIs in the account keep logging.',
      });
    }

    // API Gateway creates the execution log group on first use with no expiry; creating it first gives it one.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${settings.stage}`,
      retention: settings.logRetention,
      removalPolicy,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    for (const [type, spec] of Object.entries(gatewayResponses) as [
      GatewayResponseType,
      (typeof gatewayResponses)[GatewayResponseType],
    ][]) {
      const body = gatewayErrorBody(spec);
      this.api.addGatewayResponse(type, {
        type: ResponseType.of(type),
        statusCode: String(spec.status),
        responseHeaders: Object.fromEntries(
          Object.entries(gatewayHeaders(spec)).map(([name, value]) => [name, `'${value}'`]),
        ),
        templates: Object.fromEntries(GATEWAY_RESPONSE_MEDIA_TYPES.map((mediaType) => [mediaType, body])),
      });
    }

    if (settings.customDomain) {
      const { domainName, certificateArn, hostedZone } = settings.customDomain;
      const zone = hostedZone
        ? HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: hostedZone.id, zoneName: hostedZone.name })
        : undefined;
      // A given certificate wins; otherwise one is created and validated in the hosted zone.
      const certificate: ICertificate = certificateArn
        ? Certificate.fromCertificateArn(this, 'Certificate', certificateArn)
        : new Certificate(this, 'Certificate', {
            domainName,
            validation: CertificateValidation.fromDns(zone),
          });
      this.domain = new DomainName(this, 'Domain', {
        domainName,
        certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
        mapping: this.api,
      });
      if (zone) {
        new ARecord(this, 'DnsRecord', {
          zone,
          recordName: domainName,
          target: RecordTarget.fromAlias(new ApiGatewayDomain(this.domain)),
        });
      } else {
        this.customDomainTarget = { domainName, target: this.domain.domainNameAliasDomainName };
      }
      this.publicBaseUrl = `https://${domainName}`;
      this.uriPrefix = '';
    } else {
      this.publicBaseUrl = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${settings.stage}`;
      this.uriPrefix = `/${settings.stage}`;
    }
  }

  /** The route's method on its path; the function only for this method. */
  addRoute(route: RouteSpec, fn: IFunction): void {
    this.resourceAt(route.path).addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }));
  }

  /** `ANY` on the path, for the methods it has no route for: API Gateway answers 405 itself (`addFixedAnswer`). */
  addMethodNotAllowed(catchAll: CatchAll): void {
    this.addFixedAnswer(this.resourceAt(catchAll.path), methodNotAllowedAnswer(catchAll, '$context.httpMethod'));
  }

  /**
   * `ANY <basePath>/{proxy+}`: every path below the base that no route has (API Gateway prefers any more
   * specific resource) gets the fixed answer: the console's own 404 page rather than the gateway's JSON.
   */
  addNotFoundBelow(basePath: RoutePath, answer: FixedAnswer): void {
    this.addFixedAnswer(this.resourceAt(basePath).addResource('{proxy+}'), answer);
  }

  /**
   * `ANY` on the resource, answered by API Gateway itself with a mock integration whose only (default)
   * integration response is the answer, so that neither the request's body nor its content type can change
   * it and no function is invoked.
   */
  private addFixedAnswer(resource: IResource, answer: FixedAnswer): void {
    const headerNames = Object.keys(answer.headers).map((name) => `method.response.header.${name}`);
    const integration = new MockIntegration({
      passthroughBehavior: PassthroughBehavior.WHEN_NO_TEMPLATES,
      integrationResponses: [
        {
          statusCode: String(answer.status),
          responseParameters: Object.fromEntries(
            Object.entries(answer.headers).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
          ),
          responseTemplates: { 'application/json': answer.body },
        },
      ],
    });
    resource.addMethod('ANY', integration, {
      methodResponses: [
        {
          statusCode: String(answer.status),
          responseParameters: Object.fromEntries(headerNames.map((name) => [name, true])),
        },
      ],
    });
  }

  /** The API resource of a manifest path, created segment by segment on first use. */
  private resourceAt(path: string): IResource {
    return path
      .split('/')
      .filter(Boolean)
      .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
  }
}

/** `'/oauth/token/POST'` → limits, for every manifest route on a limited OAuth path. */
export function oauthMethodOptions(routes: readonly RouteSpec[]): Record<string, MethodDeploymentOptions> {
  const options: Record<string, MethodDeploymentOptions> = {};
  for (const route of routes) {
    const limits = OAUTH_METHOD_LIMITS[route.path];
    if (!limits) continue;
    options[`${route.path}/${route.method}`] = {
      ...EXECUTION_LOGGING,
      throttlingRateLimit: limits.rateLimit,
      throttlingBurstLimit: limits.burstLimit,
    };
  }
  return options;
}
