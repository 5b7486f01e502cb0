import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  type AddToPrincipalPolicyResult,
  PolicyDocument,
  PolicyStatement,
  Role,
  type RoleProps,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { type RouteId, type RouteSpec, SCIM_BASE_PATH } from '../contract/routes';
import { FUNCTION_TIMEOUT_SECONDS } from '../contract/time-budget';
import { UNMATCHED_REQUEST_ENTRY } from '../contract/unmatched-requests';
import { esbuildOptions } from './bundling';
import type { LogLevel } from './settings';

/**
 * Which memory a route's function gets. Lambda gives CPU in proportion to memory (one vCPU at 1,769 MB), so the
 * size is a latency and cost choice as much as a memory one; `npm run bench -- --only memory` measures each
 * class's peak memory and CPU per request, and docs/performance.md "Lambda memory" gives the figures.
 *
 * - `password`: the routes that check an admin's password (scrypt at N = 2^17, r = 8: 128 MiB and the most CPU of
 *   any request).
 * - `scimGroups`: the SCIM Group routes, whose bodies reach 4 MiB and whose members reach the thousands.
 * - `scim`: the other SCIM routes, Okta's provisioning traffic: a few ms of CPU and a few DynamoDB calls.
 * - `standard`: the rest (OAuth token and metadata, console pages).
 */
export type RouteMemoryClass = 'password' | 'scimGroups' | 'scim' | 'standard';

export const ROUTE_MEMORY_MB: Readonly<Record<RouteMemoryClass, number>> = {
  password: 1024,
  scimGroups: 512,
  scim: 256,
  standard: 256,
};

/** The routes that verify an admin's password (core/oauth/passwords.ts). */
const PASSWORD_ROUTES: readonly RouteId[] = ['OAuthAuthorizeSubmit', 'ConsoleSignInSubmit'];

export function memoryClassOf(route: Pick<RouteSpec, 'id' | 'path'>): RouteMemoryClass {
  if ((PASSWORD_ROUTES as readonly string[]).includes(route.id)) return 'password';
  if (route.path === `${SCIM_BASE_PATH}/Groups` || route.path.startsWith(`${SCIM_BASE_PATH}/Groups/`)) {
    return 'scimGroups';
  }
  if (route.path.startsWith(`${SCIM_BASE_PATH}/`)) return 'scim';
  return 'standard';
}

export const functionMemoryOf = (route: Pick<RouteSpec, 'id' | 'path'>): number =>
  ROUTE_MEMORY_MB[memoryClassOf(route)];

/** The activity log's ingest (lib/activity-log.ts): batch writes of small items, off the request path. */
export const ACTIVITY_INGEST_MEMORY_MB = 512;

/** The functions' time budget (contract/time-budget.ts), within which every call to AWS is bounded. */
export const FUNCTION_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS);

export interface RouteFunctionProps {
  readonly route: RouteSpec;
  readonly projectRoot: string;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly logLevel: LogLevel;
  /** Concurrency reserved for this function (context key `reservedConcurrency`); none when undefined. */
  readonly reservedConcurrency?: number;
}

/**
 * A role whose statements are all in one inline policy of the role itself, rather than in a separate
 * AWS::IAM::Policy resource (CDK's default policy): the same statements and the same size limit (a role's
 * inline policies share 10,240 characters either way), one CloudFormation resource fewer per route, which keeps
 * the stack under CloudFormation's 500 resources per template as routes are added.
 */
class InlinePolicyRole extends Role {
  private readonly inlineDocument: PolicyDocument;

  constructor(scope: IConstruct, id: string, props: RoleProps) {
    const inlineDocument = new PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, access: inlineDocument } });
    this.inlineDocument = inlineDocument;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.inlineDocument.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/**
 * One Lambda function for one manifest route: Node.js 24 on arm64, bundled by esbuild with the options in
 * lib/bundling.ts (minified, source maps), JSON logs into its own log group, X-Ray tracing, and its own role
 * that starts with nothing but writing to that log group; the stack adds exactly what the manifest grants.
 */
export class RouteFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly route: RouteSpec;

  constructor(scope: Construct, props: RouteFunctionProps) {
    super(scope, props.route.id);
    this.route = props.route;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    // The signing key's policy names the roles that may sign: inline, their grant would make the role and the key
    // depend on each other, so a signing route keeps CDK's separate policy resource.
    const RoleOfRoute = props.route.capabilities?.includes('sign-tokens') ? Role : InlinePolicyRole;
    this.role = new RoleOfRoute(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.route.id}: ${props.route.method} ${props.route.path}`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* actions on every log group): write to this log group only.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Tracing is on: xray:PutTraceSegments and xray:PutTelemetryRecords, added by CDK for Tracing.ACTIVE, ' +
        'have no resource-level permissions in IAM, so their resource is "*". Every other statement of this ' +
        'role names its table, index, key or log group.',
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${props.projectRoot}/${props.route.entry}`,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: functionMemoryOf(props.route),
      timeout: FUNCTION_TIMEOUT,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      role: this.role,
      loggingFormat: LoggingFormat.JSON,
      // Lambda's filter and Powertools' level are the same setting (Powertools follows AWS_LAMBDA_LOG_LEVEL).
      applicationLogLevelV2: props.logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO,
      // INFO keeps the platform report lines: duration, init duration, timeouts.
      systemLogLevelV2: SystemLogLevel.INFO,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      description: `${props.route.method} ${props.route.path}`,
      environment: {
        ...props.environment,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundlingOptions(),
    });
  }
}

/** lib/bundling.ts's esbuild options, as NodejsFunction takes them. */
const bundlingOptions = () => ({
  minify: esbuildOptions.minify,
  sourceMap: esbuildOptions.sourcemap === true,
  target: esbuildOptions.target as string,
  format: OutputFormat.CJS,
  mainFields: esbuildOptions.mainFields,
  bundleAwsSDK: false,
  externalModules: esbuildOptions.external,
});

/**
 * 128 MB, Lambda's least: the lean profile's 404/405 function reads nothing and renders a fixed answer
 * (contract/unmatched-requests.ts).
 */
export const UNMATCHED_REQUESTS_MEMORY_MB = 128;

/**
 * The lean profile's function for requests no manifest route takes: the same runtime, bundling and JSON logs
 * as a route function, a role that may only write its own log group, and no tracing (it calls nothing).
 */
export function unmatchedRequestsFunction(
  scope: IConstruct,
  props: Omit<RouteFunctionProps, 'route' | 'environment' | 'reservedConcurrency'>,
): NodejsFunction {
  const construct = new Construct(scope, 'UnmatchedRequests');
  const logGroup = new LogGroup(construct, 'Logs', {
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
  });
  const role = new Role(construct, 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'UnmatchedRequests: the 404 and 405 answers of the HTTP API',
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
  );
  return new NodejsFunction(construct, 'Function', {
    entry: `${props.projectRoot}/${UNMATCHED_REQUEST_ENTRY}`,
    handler: 'handler',
    projectRoot: props.projectRoot,
    depsLockFilePath: `${props.projectRoot}/package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: UNMATCHED_REQUESTS_MEMORY_MB,
    timeout: FUNCTION_TIMEOUT,
    role,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: props.logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO,
    systemLogLevelV2: SystemLogLevel.INFO,
    logGroup,
    description: 'The HTTP API’s 404 and 405 answers',
    environment: { NODE_OPTIONS: '--enable-source-maps' },
    bundling: bundlingOptions(),
  });
}
