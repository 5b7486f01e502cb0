import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  DomainName,
  EndpointType,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { CatchAll, RouteSpec } from '../contract/routes';
import { AUTHENTICATION_IN_FUNCTIONS, OAUTH_METHOD_LIMITS } from './service-api';
import type { ServiceSettings } from './settings';

/**
 * The lean profile's access log: the REST API's fields (lib/service-api.ts `ACCESS_LOG_FIELDS`) under the same
 * names, so the dashboard's and the saved queries' fields read the same in both profiles. An HTTP API has no
 * resource path (its route key, `GET /scim/v2/Users/{id}`, says the same) and no WAF.
 */
export const HTTP_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  lambdaRequestId: '$context.awsEndpointRequestId',
  errorType: '$context.error.responseType',
  domainName: '$context.domainName',
};

/** `$context.error.messageString` is already a quoted JSON string, so it is added unquoted. */
function accessLogFormat(): string {
  const fields = Object.entries(HTTP_ACCESS_LOG_FIELDS).map(([name, variable]) => `"${name}":"${variable}"`);
  return `{${[...fields, '"errorMessage":$context.error.messageString'].join(',')}}`;
}

/**
 * What API Gateway waits for a function: Lambda's own timeout (contract/time-budget.ts) answers first, so this
 * is only the HTTP API's ceiling, which is also the REST API's default.
 */
const INTEGRATION_TIMEOUT = Duration.seconds(29);

export interface HttpServiceApiProps {
  readonly settings: ServiceSettings;
  /** The function that answers every request no manifest route takes (contract/unmatched-requests.ts). */
  readonly unmatched: IFunction;
}

/**
 * The lean profile's API: an HTTP API with every manifest route on a Lambda proxy integration of payload format
 * 1.0 (the REST proxy event the handlers read: `resource`, `requestContext.resourcePath`, multi-value headers and
 * query parameters), its `$default` stage (no stage prefix in paths, so `path` is what the client sent) with
 * stage and per-route throttling and a JSON access log, and the optional custom domain. The REST API's
 * answers that run no function there (405 and 404) come from one small function here: `ANY` on each manifest
 * path and the `$default` route.
 */
export class HttpServiceApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** `https://scim.example.com` or `https://{id}.execute-api.{region}.amazonaws.com`, no trailing slash. */
  readonly publicBaseUrl: string;
  /** The `$default` stage puts nothing before `/scim/v2` and `/oauth`, on the execute-api URL as on a domain. */
  readonly uriPrefix = '';
  /** Where to point a CNAME when the custom domain's zone is not managed by the stack. */
  readonly customDomainTarget?: { readonly domainName: string; readonly target: string };
  private readonly unmatched: HttpLambdaIntegration;
  private readonly routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: HttpServiceApiProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = settings.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.logRetention, removalPolicy });

    this.unmatched = new HttpLambdaIntegration('Unmatched', props.unmatched, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_1_0,
      // It answers any path of this API (404 or 405), so one permission for the API instead of one per route.
      scopePermissionToRoute: false,
      timeout: INTEGRATION_TIMEOUT,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `scim-provisioning-${settings.stage}`,
      description: 'SCIM 2.0 provisioning and OAuth 2.0 authorization server (lean profile: HTTP API, no WAF)',
      createDefaultStage: false,
      defaultIntegration: this.unmatched,
      // With a custom domain it is the only URL: the issuer and token audience have exactly one spelling.
      disableExecuteApiEndpoint: settings.customDomain !== undefined,
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `${AUTHENTICATION_IN_FUNCTIONS} The 404 and 405 answers of the $default and ANY routes need none.`,
    });

    let domain: DomainName | undefined;
    if (settings.customDomain) {
      const { domainName, certificateArn, hostedZone } = settings.customDomain;
      const zone = hostedZone
        ? HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: hostedZone.id, zoneName: hostedZone.name })
        : undefined;
      const certificate: ICertificate = certificateArn
        ? Certificate.fromCertificateArn(this, 'Certificate', certificateArn)
        : new Certificate(this, 'Certificate', { domainName, validation: CertificateValidation.fromDns(zone) });
      domain = new DomainName(this, 'Domain', {
        domainName,
        certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      if (zone) {
        new ARecord(this, 'DnsRecord', {
          zone,
          recordName: domainName,
          target: RecordTarget.fromAlias(
            new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
          ),
        });
      } else {
        this.customDomainTarget = { domainName, target: domain.regionalDomainName };
      }
      this.publicBaseUrl = `https://${domainName}`;
    } else {
      this.publicBaseUrl = `https://${this.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    }

    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: settings.throttle.rateLimit, burstLimit: settings.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
      ...(domain ? { domainMapping: { domainName: domain } } : {}),
    });
  }

  /** The route's method on its path, to its function, with the OAuth paths' tighter throttle where it has one. */
  addRoute(route: RouteSpec, fn: IFunction): void {
    const added = this.api.addRoutes({
      path: route.path,
      methods: [route.method as HttpMethod],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, fn, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_1_0,
        timeout: INTEGRATION_TIMEOUT,
      }),
    });
    const limits = OAUTH_METHOD_LIMITS[route.path];
    if (limits) {
      this.routeSettings[`${route.method} ${route.path}`] = {
        ThrottlingRateLimit: limits.rateLimit,
        ThrottlingBurstLimit: limits.burstLimit,
      };
      (this.stage.node.defaultChild as CfnStage).routeSettings = this.routeSettings;
      // A stage's route settings must name routes that exist already.
      for (const httpRoute of added) this.stage.node.addDependency(httpRoute);
    }
  }

  /**
   * `ANY` on the path: a method of the request that the path has no route for. An HTTP API prefers a route
   * naming the method to `ANY` on the same path, so this gets exactly the methods the manifest lacks.
   */
  addMethodNotAllowed(catchAll: CatchAll): void {
    this.api.addRoutes({ path: catchAll.path, methods: [HttpMethod.ANY], integration: this.unmatched });
  }
}
