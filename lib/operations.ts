import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnQueryDefinition, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  dimensionNames,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  metricNames,
  PROVISIONING_OPERATIONS,
  TOKEN_FAILURE_REASONS,
} from '../contract/metrics';
import { CONSOLE_BASE_PATH, SCIM_BASE_PATH } from '../contract/routes';
import type { TableKey } from '../contract/tables';
import { tables as tableSpecs } from '../contract/tables';
import type { RouteFunction } from './route-function';

/** When on-call gets paged. docs/deploy-and-operate.md "Operating it" explains each. */
export const ALARM_THRESHOLDS = {
  /** Percent of API responses that are 5xx over 5 minutes, in 2 of 3 periods, counted from 20 requests up. */
  serverErrorPercent: 5,
  serverErrorMinimumRequests: 20,
  /** Lambda errors (crashes, timeouts, out of memory: handlers answer every other failure) per function per 5 min. */
  functionErrors: 3,
  /** Throttled DynamoDB requests per table per 5 minutes (after the SDK's own retries, clients get 429). */
  tableThrottles: 10,
  /** Refused token requests per 5 minutes, all clients and reasons together. */
  tokenFailures: 20,
} as const;

const FIVE_MINUTES = Duration.minutes(5);
const ONE_MINUTE = Duration.minutes(1);

/**
 * Fields of the request log line that functions/_shared/route-stack.ts writes, which the saved queries use:
 * message "request", route, method, status, latencyMs, requestId, and tenant once authenticated.
 */
export const REQUEST_LOG_FIELDS = ['route', 'method', 'status', 'latencyMs', 'requestId', 'tenant'] as const;

/** Placeholder an operator replaces in the saved tenant query. */
export const TENANT_PLACEHOLDER = 'TENANT-ID';

/** Logs Insights can search at most 50 log groups in one query. */
const MAX_QUERY_LOG_GROUPS = 50;

export interface OperationsProps {
  /** The API's stage, REST or HTTP: both give these metrics. */
  readonly stage: Pick<
    Stage,
    'metricCount' | 'metricClientError' | 'metricServerError' | 'metricLatency' | 'metricIntegrationLatency'
  >;
  readonly production: boolean;
  readonly accessLogs: ILogGroup;
  readonly functions: readonly RouteFunction[];
  readonly tables: Readonly<Record<TableKey, TableV2>>;
  readonly alarmEmail?: string;
  /** The web ACL's name, when WAF is on, for its blocked-requests graph. */
  readonly webAclName?: string;
}

/**
 * What an operator opens: one dashboard, alarms to an SNS topic (with an optional email subscription), and
 * saved Logs Insights queries for the questions that come up during an incident.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  readonly queries: CfnQueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    // CloudWatch can only publish to an encrypted topic through a customer managed key that lets it.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts ${stackName} alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${stackName} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.addAlarms(props, stackName);
    this.dashboard = this.buildDashboard(props, stackName);
    this.addQueries(props, stackName);
  }

  private alarm(id: string, props: ConstructorParameters<typeof Alarm>[2]): Alarm {
    const alarm = new Alarm(this, id, { treatMissingData: TreatMissingData.NOT_BREACHING, ...props });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private addAlarms(props: OperationsProps, stackName: string): void {
    this.alarm('ServerErrorRate', {
      alarmName: `${stackName} API 5xx rate`,
      alarmDescription:
        `More than ${ALARM_THRESHOLDS.serverErrorPercent}% of API responses were 5xx in 2 of the last 3 five-minute ` +
        'periods. Dashboard: "4xx and 5xx by route"; saved query "Unhandled errors". Okta retries 5xx, so a ' +
        'lasting outage shows there as failed provisioning tasks.',
      metric: new MathExpression({
        expression: `IF(requests >= ${ALARM_THRESHOLDS.serverErrorMinimumRequests}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: props.stage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
          requests: props.stage.metricCount({ statistic: 'Sum', period: FIVE_MINUTES }),
        },
        label: 'API 5xx (%)',
        period: FIVE_MINUTES,
      }),
      threshold: ALARM_THRESHOLDS.serverErrorPercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    for (const [index, group] of functionErrorGroups(props.functions).entries()) {
      const metrics = Object.fromEntries(
        group.functions.map((routeFunction, position) => [
          `f${position}`,
          routeFunction.function.metricErrors({
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: routeFunction.route.id,
          }),
        ]),
      );
      const routes = group.functions.map((routeFunction) => routeFunction.route.id).join(', ');
      this.alarm(`FunctionErrors${index + 1}`, {
        alarmName: `${stackName} ${group.name} function errors`,
        alarmDescription:
          `One of these functions failed (crash, timeout, out of memory) at least ${ALARM_THRESHOLDS.functionErrors} ` +
          `times in 5 minutes: ${routes}. The alarm's graph has one line per function; its log group has the ` +
          'platform report with the cause; saved query "Unhandled errors".',
        metric: new MathExpression({
          expression: Object.keys(metrics)
            .map((name) => `FILL(${name}, 0)`)
            .join(' + '),
          usingMetrics: metrics,
          label: `${group.name} function errors`,
          period: FIVE_MINUTES,
        }),
        threshold: ALARM_THRESHOLDS.functionErrors,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    for (const [key, table] of Object.entries(props.tables) as [TableKey, TableV2][]) {
      const throttleMetrics = tableThrottleMetrics(key, table);
      this.alarm(`${tableSpecs[key].constructId}Throttles`, {
        alarmName: `${stackName} ${key} table throttling`,
        alarmDescription:
          `The ${key} table (or its index) throttled at least ${ALARM_THRESHOLDS.tableThrottles} requests in 5 ` +
          'minutes; callers got 429 with Retry-After. On-demand tables throttle past twice their previous peak or ' +
          'on a hot partition: check the dashboard for a traffic burst or one tenant dominating.',
        metric: new MathExpression({
          expression: Object.keys(throttleMetrics)
            .map((name) => `FILL(${name}, 0)`)
            .join(' + '),
          usingMetrics: throttleMetrics,
          label: `${key} throttled requests`,
          period: FIVE_MINUTES,
        }),
        threshold: ALARM_THRESHOLDS.tableThrottles,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    this.alarm('TokenFailureBurst', {
      alarmName: `${stackName} token request failures`,
      alarmDescription:
        `At least ${ALARM_THRESHOLDS.tokenFailures} token requests were refused in 5 minutes: a client with a ` +
        'wrong or rotated secret retrying, or someone guessing. Saved query "Token failures by reason".',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: metricNames.tokenFailures,
        dimensionsMap: { [dimensionNames.service]: METRICS_SERVICE },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      threshold: ALARM_THRESHOLDS.tokenFailures,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  private buildDashboard(props: OperationsProps, stackName: string): Dashboard {
    const perFunction = (metric: (fn: RouteFunction) => IMetric) => props.functions.map(metric);
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stackName.replace(/[^A-Za-z0-9_-]/g, '-'),
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# ${stackName}\nRequests and errors come from API Gateway; per-route tables from the access log; ` +
          `provisioning and token metrics from the functions (namespace ${METRICS_NAMESPACE}).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Requests, 4xx and 5xx',
        left: [
          props.stage.metricCount({ statistic: 'Sum', period: ONE_MINUTE, label: 'requests' }),
          props.stage.metricClientError({ statistic: 'Sum', period: ONE_MINUTE, label: '4xx' }),
          props.stage.metricServerError({ statistic: 'Sum', period: ONE_MINUTE, label: '5xx' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Latency (ms)',
        left: [
          props.stage.metricLatency({ statistic: 'p50', period: ONE_MINUTE, label: 'p50' }),
          props.stage.metricLatency({ statistic: 'p99', period: ONE_MINUTE, label: 'p99' }),
          props.stage.metricIntegrationLatency({ statistic: 'p99', period: ONE_MINUTE, label: 'function p99' }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Requests by route',
        logGroupNames: [props.accessLogs.logGroupName],
        queryLines: ['stats count(*) as requests by httpMethod, resourcePath', 'sort requests desc', 'limit 50'],
        view: LogQueryVisualizationType.TABLE,
        width: 12,
      }),
      new LogQueryWidget({
        title: '4xx and 5xx by route',
        logGroupNames: [props.accessLogs.logGroupName],
        queryLines: [
          'filter status >= 400',
          'stats count(*) as responses by httpMethod, resourcePath, status, errorType',
          'sort responses desc',
          'limit 50',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: perFunction((fn) => fn.function.metricErrors({ statistic: 'Sum', label: fn.route.id })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda throttles',
        left: perFunction((fn) => fn.function.metricThrottles({ statistic: 'Sum', label: fn.route.id })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Cold starts',
        left: perFunction(
          (fn) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: metricNames.coldStart,
              dimensionsMap: {
                [dimensionNames.service]: METRICS_SERVICE,
                [dimensionNames.functionName]: fn.function.functionName,
              },
              statistic: 'Sum',
              label: fn.route.id,
            }),
        ),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function duration p99 (ms)',
        left: perFunction((fn) => fn.function.metricDuration({ statistic: 'p99', label: fn.route.id })),
        width: 8,
      }),
      new GraphWidget({
        title: 'DynamoDB throttled requests',
        left: (Object.entries(props.tables) as [TableKey, TableV2][]).map(
          ([key, table]) =>
            new MathExpression({
              expression: Object.keys(tableThrottleMetrics(key, table))
                .map((name) => `FILL(${name}, 0)`)
                .join(' + '),
              usingMetrics: tableThrottleMetrics(key, table),
              label: key,
              period: FIVE_MINUTES,
            }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'WAF blocked requests',
        left: props.webAclName
          ? [
              new Metric({
                namespace: 'AWS/WAFV2',
                metricName: 'BlockedRequests',
                dimensionsMap: { WebACL: props.webAclName, Region: Aws.REGION, Rule: 'ALL' },
                statistic: 'Sum',
                label: 'blocked',
              }),
            ]
          : [],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Provisioning operations',
        left: PROVISIONING_OPERATIONS.map(
          (operation) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: metricNames.provisioningOperations,
              dimensionsMap: { [dimensionNames.service]: METRICS_SERVICE, [dimensionNames.operation]: operation },
              statistic: 'Sum',
              label: operation,
            }),
        ),
        stacked: true,
        width: 12,
      }),
      new GraphWidget({
        title: 'Token failures by reason',
        left: TOKEN_FAILURE_REASONS.map(
          (reason) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: metricNames.tokenFailures,
              dimensionsMap: { [dimensionNames.service]: METRICS_SERVICE, [dimensionNames.reason]: reason },
              statistic: 'Sum',
              label: reason,
            }),
        ),
        stacked: true,
        width: 12,
      }),
    );
    return dashboard;
  }

  private addQueries(props: OperationsProps, stackName: string): void {
    const groupsOf = (functions: readonly RouteFunction[]) => functions.map((fn) => fn.logGroup.logGroupName);
    const scimFunctions = props.functions.filter((fn) => fn.route.path.startsWith(`${SCIM_BASE_PATH}/`));
    const tokenFunctions = props.functions.filter((fn) => fn.route.capabilities?.includes('sign-tokens'));
    const query = (name: string, logGroupNames: string[], lines: string[]) => {
      if (logGroupNames.length === 0) return;
      if (logGroupNames.length > MAX_QUERY_LOG_GROUPS) {
        throw new Error(
          `Saved query "${name}" would search ${logGroupNames.length} log groups; Logs Insights allows ${MAX_QUERY_LOG_GROUPS}`,
        );
      }
      const id = name.replace(/[^A-Za-z0-9]/g, '');
      this.queries.push(
        new CfnQueryDefinition(this, `Query${id}`, {
          name: `${stackName}/${name}`,
          queryString: lines.join('\n| '),
          logGroupNames,
        }),
      );
    };

    query('Failed provisioning calls for a tenant', groupsOf(scimFunctions), [
      'fields @timestamp, route, method, status, latencyMs, requestId',
      `filter message = "request" and tenant = "${TENANT_PLACEHOLDER}" and status >= 400`,
      'sort @timestamp desc',
      'limit 200',
    ]);
    query('Token failures by reason', groupsOf(tokenFunctions), [
      `filter ispresent(${metricNames.tokenFailures})`,
      `stats sum(${metricNames.tokenFailures}) as failures by reason, bin(5m)`,
      'sort failures desc',
    ]);
    query('Refused token requests', groupsOf(tokenFunctions), [
      'fields @timestamp, status, latencyMs, requestId',
      'filter message = "request" and status >= 400',
      'sort @timestamp desc',
      'limit 200',
    ]);
    // Every function's log groups are more than one query may search: one query per part of the service.
    const consoleFunctions = props.functions.filter((fn) => fn.route.path.startsWith(CONSOLE_BASE_PATH));
    const parts = [
      { part: 'SCIM and OAuth', functions: props.functions.filter((fn) => !consoleFunctions.includes(fn)) },
      { part: 'console', functions: consoleFunctions },
    ];
    for (const { part, functions } of parts) {
      query(`Slowest requests (${part})`, groupsOf(functions), [
        'fields @timestamp, route, method, status, latencyMs, tenant, requestId',
        'filter message = "request"',
        'sort latencyMs desc',
        'limit 50',
      ]);
      query(`Unhandled errors (${part})`, groupsOf(functions), [
        'fields @timestamp, route, requestId, tenant, error.name, error.message',
        'filter level = "ERROR"',
        'sort @timestamp desc',
        'limit 100',
      ]);
    }
    query(
      'Gateway errors (WAF, throttling, unknown routes)',
      [props.accessLogs.logGroupName],
      [
        'fields @timestamp, ip, httpMethod, path, status, errorType, wafResponse, errorMessage',
        'filter status >= 400 and errorType != "-"',
        'sort @timestamp desc',
        'limit 200',
      ],
    );
  }
}

/** Base-table and index throttle counts of one table, keyed by math-expression id. */
function tableThrottleMetrics(key: TableKey, table: TableV2): Record<string, IMetric> {
  const metric = (metricName: string, index?: string) =>
    new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, ...(index ? { GlobalSecondaryIndexName: index } : {}) },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  const metrics: Record<string, IMetric> = {
    [`${key}Reads`]: metric('ReadThrottleEvents'),
    [`${key}Writes`]: metric('WriteThrottleEvents'),
  };
  for (const index of tableSpecs[key].globalIndexes) {
    metrics[`${key}${index.name}Reads`] = metric('ReadThrottleEvents', index.name);
    metrics[`${key}${index.name}Writes`] = metric('WriteThrottleEvents', index.name);
  }
  return metrics;
}

/** CloudWatch allows at most 10 metrics in one alarm's metric math expression. */
export const METRICS_PER_ALARM = 10;

/**
 * The route functions in groups of at most METRICS_PER_ALARM, by area (SCIM, OAuth and discovery, the console)
 * in manifest order, each watched by one alarm: one alarm per function would put the stack past CloudFormation's
 * 500 resources and cost $0.10 a month each.
 */
export function functionErrorGroups(
  functions: readonly RouteFunction[],
): { readonly name: string; readonly functions: readonly RouteFunction[] }[] {
  const areaOf = (routeFunction: RouteFunction) =>
    routeFunction.route.path.startsWith(`${SCIM_BASE_PATH}/`)
      ? 'SCIM'
      : routeFunction.route.path.startsWith(CONSOLE_BASE_PATH)
        ? 'console'
        : 'OAuth';
  const groups: { name: string; functions: RouteFunction[] }[] = [];
  for (const area of ['SCIM', 'OAuth', 'console']) {
    const members = functions.filter((routeFunction) => areaOf(routeFunction) === area);
    const parts = Math.ceil(members.length / METRICS_PER_ALARM);
    for (let part = 0; part < parts; part += 1) {
      groups.push({
        name: parts > 1 ? `${area} ${part + 1} of ${parts}` : area,
        functions: members.slice(part * METRICS_PER_ALARM, (part + 1) * METRICS_PER_ALARM),
      });
    }
  }
  return groups;
}
