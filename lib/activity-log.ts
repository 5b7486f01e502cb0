import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, type RetentionDays, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACTIVITY_INGEST_ENTRY, ACTIVITY_LOG_MESSAGE, recordsActivity } from '../contract/activity';
import { tableEnvVar } from '../contract/tables';
import { esbuildOptions } from './bundling';
import { ACTIVITY_INGEST_MEMORY_MB, type RouteFunction } from './route-function';
import type { LogLevel } from './settings';

export interface ActivityLogProps {
  readonly projectRoot: string;
  readonly activityTable: TableV2;
  readonly clientsTable: TableV2;
  /** Every route function; those of the IdP's routes (contract/activity.ts) are subscribed. */
  readonly functions: readonly RouteFunction[];
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly logLevel: LogLevel;
  readonly alarmTopic: ITopic;
}

/** CloudWatch Logs invokes the ingest asynchronously; Lambda retries a failed delivery this often. */
export const INGEST_RETRY_ATTEMPTS = 2;

/**
 * The tenant activity log's write path, off the request path: a subscription filter on the log group of every
 * IdP-facing function selects its request lines (each is also the request's activity record,
 * contract/activity.ts) and delivers them, in batches, to one ingest function that batch-writes them to the
 * activity table. The ingest may write that table (BatchWriteItem) and read client
 * items (GetItem, to find a refused token request's tenant), nothing else. A delivery that still fails after
 * Lambda's retries goes to a dead-letter queue, and a message there is an alarm (docs/deploy-and-operate.md
 * "Activity log"), so no activity is lost silently.
 */
export class ActivityLog extends Construct {
  readonly ingest: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly deadLetters: Queue;
  readonly subscriptions: SubscriptionFilter[];
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: ActivityLogProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'ActivityIngest: writes the activity lines of the IdP-facing functions to the activity table',
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [props.activityTable.tableArn] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.clientsTable.tableArn] }),
    );
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the activity ingest function: what fails here is ' +
        'kept 14 days and raises the DeadLettersAlarm, and a queue behind it would hold nothing.',
    });

    this.ingest = new NodejsFunction(this, 'Function', {
      entry: `${props.projectRoot}/${ACTIVITY_INGEST_ENTRY}`,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: ACTIVITY_INGEST_MEMORY_MB,
      timeout: Duration.seconds(60),
      role: this.role,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: props.logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      logGroup: this.logGroup,
      description: 'Writes the tenant activity log from the activity lines of the functions',
      environment: {
        [tableEnvVar('activity')]: props.activityTable.tableName,
        [tableEnvVar('clients')]: props.clientsTable.tableName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: 'scim-provisioning',
        NODE_OPTIONS: '--enable-source-maps',
      },
      retryAttempts: INGEST_RETRY_ATTEMPTS,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
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

    const destination = new LambdaDestination(this.ingest);
    this.subscriptions = props.functions
      .filter((routeFunction) => recordsActivity(routeFunction.route))
      .map(
        (routeFunction) =>
          new SubscriptionFilter(this, `${routeFunction.route.id}Activity`, {
            logGroup: routeFunction.logGroup,
            destination,
            filterPattern: FilterPattern.stringValue('$.message', '=', ACTIVITY_LOG_MESSAGE),
          }),
      );

    const stackName = Stack.of(this).stackName;
    this.alarms = [
      new Alarm(this, 'DeadLettersAlarm', {
        alarmName: `${stackName} activity log deliveries failed`,
        alarmDescription:
          'A batch of activity lines could not be written to the activity table after Lambda’s retries and is ' +
          'in the dead-letter queue (its message names the failure). Fix the cause, then replay the message; ' +
          'docs/deploy-and-operate.md "Activity log".',
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(new SnsAction(props.alarmTopic));
      alarm.addOkAction(new SnsAction(props.alarmTopic));
    }
  }
}
