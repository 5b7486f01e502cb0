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
import type { RouteSpec } from '../contract/routes';
import { FUNCTION_TIMEOUT_SECONDS } from '../contract/time-budget';
import { esbuildOptions } from './bundling';
import type { LogLevel } from './settings';

/**
 * 512 MB: Lambda gives CPU in proportion to memory, so this roughly halves cold-start and JSON/crypto time
 * compared with 256 MB, for about $0.53 per million requests (request charge included) at a 50 ms average
 * (docs/deploy-and-operate.md "Cost"); API Gateway's own charge is $3.50.
 */
export const FUNCTION_MEMORY_MB = 512;

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
      memorySize: FUNCTION_MEMORY_MB,
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
      bundling: {
        minify: esbuildOptions.minify,
        sourceMap: esbuildOptions.sourcemap === true,
        target: esbuildOptions.target as string,
        format: OutputFormat.CJS,
        mainFields: esbuildOptions.mainFields,
        bundleAwsSDK: false,
        externalModules: esbuildOptions.external,
      },
    });
  }
}
