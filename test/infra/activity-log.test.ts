import { ACTIVITY_LOG_MESSAGE, recordsActivity } from '../../contract/activity';
import { routes } from '../../contract/routes';
import { INGEST_RETRY_ATTEMPTS } from '../../lib/activity-log';
import { flatten, resourcesOfType, roleStatements, synthTemplate } from '../support/synth';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/**
 * The activity log's write path in AWS: the IdP-facing functions' log groups, and only theirs, deliver their
 * activity lines to one ingest function, which may write the activity table in batches and read client items,
 * nothing else; a delivery that keeps failing lands in a dead-letter queue that raises an alarm. No route
 * function is granted the activity table: the request path never writes it.
 */
describe('the activity log ingest', () => {
  const { template, stack } = synthTemplate();
  const resolved = (value: unknown) => flatten(stack.resolve(value));
  const { activityLog } = stack;

  test('a subscription filter on the log group of every IdP-facing function, for its activity lines only', () => {
    const filters = Object.values(resourcesOfType(template, 'AWS::Logs::SubscriptionFilter'));
    const recorded = stack.functions.filter((fn) => recordsActivity(fn.route));
    expect(recorded.map((fn) => fn.route.id)).toEqual(
      routes.filter((route) => route.auth === 'scim-bearer' || route.auth === 'oauth-client').map((route) => route.id),
    );
    expect(recorded.map((fn) => fn.route.id)).toContain('OAuthToken');
    expect(filters.map((filter) => flatten(filter.Properties.LogGroupName)).sort()).toEqual(
      recorded.map((fn) => resolved(fn.logGroup.logGroupName)).sort(),
    );
    const deliveries = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 'logs.amazonaws.com',
    );
    expect(deliveries.map((permission) => flatten(permission.Properties.SourceArn)).sort()).toEqual(
      recorded.map((fn) => resolved(fn.logGroup.logGroupArn)).sort(),
    );
    for (const filter of filters) {
      expect(filter.Properties.FilterPattern).toBe(`{ $.message = "${ACTIVITY_LOG_MESSAGE}" }`);
      expect(flatten(filter.Properties.DestinationArn)).toBe(resolved(activityLog.ingest.functionArn));
    }
  });

  test('the ingest may batch-write the activity table, read client items and write its own logs, nothing more', () => {
    const roleId = stack.getLogicalId(activityLog.role.node.defaultChild as never);
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .map((statement) => ({
        actions: [statement.Action].flat().sort(),
        resources: [statement.Resource].flat().map(flatten),
      }));
    expect(statements).toEqual(
      expect.arrayContaining([
        { actions: ['dynamodb:BatchWriteItem'], resources: [resolved(stack.tables.byKey.activity.tableArn)] },
        { actions: ['dynamodb:GetItem'], resources: [resolved(stack.tables.byKey.clients.tableArn)] },
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [resolved(activityLog.logGroup.logGroupArn)],
        },
        { actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], resources: [expect.any(String)] },
      ]),
    );
    expect(statements).toHaveLength(4);
  });

  test('of the route functions only the console’s Activity page may read the activity table, none write it', () => {
    const activityTableId = stack.getLogicalId(stack.tables.byKey.activity.node.defaultChild as never);
    const granted = stack.functions.filter((fn) => {
      const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
      return JSON.stringify(roleStatements(template, roleId)).includes(`"${activityTableId}"`);
    });
    expect(granted.map((fn) => fn.route.id)).toEqual(['ConsoleActivity']);
    expect(routes.filter((route) => route.tables.activity !== undefined)).toEqual([
      expect.objectContaining({ id: 'ConsoleActivity', tables: expect.objectContaining({ activity: 'read' }) }),
    ]);
    const filters = Object.values(resourcesOfType(template, 'AWS::Logs::SubscriptionFilter'));
    expect(filters.map((filter) => flatten(filter.Properties.LogGroupName))).not.toContain(
      resolved(activityLog.logGroup.logGroupName),
    );
  });

  test('a delivery that keeps failing goes to an encrypted dead-letter queue, whose first message is an alarm', () => {
    const [config] = Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig'));
    expect(config?.Properties.MaximumRetryAttempts).toBe(INGEST_RETRY_ATTEMPTS);
    expect(stack.resolve(config?.Properties.DestinationConfig)).toEqual({
      OnFailure: { Destination: stack.resolve(activityLog.deadLetters.queueArn) },
    });
    const queueId = stack.getLogicalId(activityLog.deadLetters.node.defaultChild as never);
    expect(resourcesOfType(template, 'AWS::SQS::Queue')[queueId]?.Properties.SqsManagedSseEnabled).toBe(true);
    const alarm = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).find(
      (candidate) => candidate.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(flatten(alarm?.Properties.AlarmActions)).toBe(resolved(stack.operations.topic.topicArn));
  });

  test('the activity table keeps entries 30 days by TTL and has the three sparse indexes the reads use', () => {
    const tableId = stack.getLogicalId(stack.tables.byKey.activity.node.defaultChild as never);
    const table = resourcesOfType(template, 'AWS::DynamoDB::GlobalTable')[tableId];
    expect(table?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(
      ((table?.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map((index) => index.IndexName),
    ).toEqual(['gsi1', 'gsi2', 'gsi3']);
  });
});
