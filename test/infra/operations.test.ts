import { PROVISIONING_OPERATIONS, TOKEN_FAILURE_REASONS } from '../../contract/metrics';
import { routes } from '../../contract/routes';
import { logger } from '../../functions/_shared/logger';
import { scimRoute } from '../../functions/_shared/scim-route';
import {
  ALARM_THRESHOLDS,
  functionErrorGroups,
  METRICS_PER_ALARM,
  REQUEST_LOG_FIELDS,
  TENANT_PLACEHOLDER,
} from '../../lib/operations';
import type { RouteFunction } from '../../lib/route-function';
import { apiEvent, lambdaContext } from '../support/api-event';
import { capabilityRoutes } from '../support/capability-routes';
import { useEnvironmentWithoutDatabase } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { type CfnResource, flatten, resourcesOfType, synthTemplate } from '../support/synth';

type AlarmProps = {
  AlarmName: string;
  AlarmDescription: string;
  Threshold: number;
  ComparisonOperator: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: { MetricName: string; Namespace: string; Dimensions?: { Name: string; Value: unknown }[] };
    };
  }[];
  TreatMissingData: string;
};

describe('operations', () => {
  const synth = synthTemplate({ routes: capabilityRoutes });
  const { template, stack } = synth;
  const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties as AlarmProps,
  );
  const alarmNamed = (suffix: string) => {
    const found = alarms.find((alarm) => alarm.AlarmName === `Test ${suffix}`);
    if (!found) throw new Error(`no alarm "Test ${suffix}"; have ${alarms.map((alarm) => alarm.AlarmName).join(', ')}`);
    return found;
  };
  const topic = stack.resolve(stack.operations.topic.topicArn);

  describe('the dashboard', () => {
    const body = flatten(
      Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
    );
    type Widget = { properties: { title?: string; metrics?: unknown[][]; query?: string } };
    const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
    const widget = (title: string) => {
      const found = widgets.find((candidate) => candidate.properties.title === title);
      if (!found) throw new Error(`no widget "${title}"`);
      return found.properties;
    };
    /** Each graphed metric as "Namespace MetricName dim=value … stat", expressions as their text. */
    const metricsOf = (title: string) =>
      (widget(title).metrics ?? []).map((entry) => {
        const options = entry.at(-1) as { stat?: string; expression?: string };
        if (options.expression) return options.expression;
        const [namespace, name, ...dimensions] = entry.slice(0, -1) as string[];
        const pairs: string[] = [];
        for (let index = 0; index < dimensions.length; index += 2)
          pairs.push(`${dimensions[index]}=${dimensions[index + 1]}`);
        return [namespace, name, ...pairs, options.stat].join(' ');
      });

    test('graphs API requests, 4xx and 5xx, and latency p50 and p99', () => {
      const stage = `Stage=\${${stack.getLogicalId(stack.service.stage.node.defaultChild as never)}}`;
      expect(metricsOf('Requests, 4xx and 5xx')).toEqual(
        ['Count', '4XXError', '5XXError'].map(
          (name) => `AWS/ApiGateway ${name} ApiName=scim-provisioning-dev ${stage} Sum`,
        ),
      );
      expect(metricsOf('Latency (ms)')).toEqual([
        `AWS/ApiGateway Latency ApiName=scim-provisioning-dev ${stage} p50`,
        `AWS/ApiGateway Latency ApiName=scim-provisioning-dev ${stage} p99`,
        `AWS/ApiGateway IntegrationLatency ApiName=scim-provisioning-dev ${stage} p99`,
      ]);
    });

    test('breaks requests, 4xx and 5xx down by route from the access log', () => {
      const accessLogs = flatten(stack.resolve(stack.service.accessLogs.logGroupName));
      expect(widget('Requests by route').query).toContain(`SOURCE '${accessLogs}'`);
      expect(widget('Requests by route').query).toContain('stats count(*) as requests by httpMethod, resourcePath');
      expect(widget('4xx and 5xx by route').query).toContain(`SOURCE '${accessLogs}' | filter status >= 400`);
      expect(widget('4xx and 5xx by route').query).toContain('by httpMethod, resourcePath, status');
    });

    test('graphs every function’s errors, throttles, cold starts (the EMF metric) and duration', () => {
      const functionNames = stack.functions.map((fn) => flatten(stack.resolve(fn.function.functionName)));
      expect(metricsOf('Lambda errors')).toEqual(
        functionNames.map((name) => `AWS/Lambda Errors FunctionName=${name} Sum`),
      );
      expect(metricsOf('Lambda throttles')).toEqual(
        functionNames.map((name) => `AWS/Lambda Throttles FunctionName=${name} Sum`),
      );
      expect(metricsOf('Function duration p99 (ms)')).toEqual(
        functionNames.map((name) => `AWS/Lambda Duration FunctionName=${name} p99`),
      );
      expect(metricsOf('Cold starts')).toEqual(
        functionNames.map((name) => `ScimProvisioning ColdStart function_name=${name} service=scim-provisioning Sum`),
      );
    });

    test('graphs DynamoDB throttling of every table and its index', () => {
      const graphed = metricsOf('DynamoDB throttled requests');
      expect(graphed).toContain('FILL(usersReads, 0) + FILL(usersWrites, 0)');
      expect(graphed).toContain(
        'FILL(grantsReads, 0) + FILL(grantsWrites, 0) + FILL(grantsgsi1Reads, 0) + FILL(grantsgsi1Writes, 0)',
      );
      const grants = flatten(stack.resolve(stack.tables.byKey.grants.tableName));
      expect(graphed).toContain(
        `AWS/DynamoDB WriteThrottleEvents GlobalSecondaryIndexName=gsi1 TableName=${grants} Sum`,
      );
    });

    test('graphs what WAF blocks', () => {
      expect(metricsOf('WAF blocked requests')).toEqual([
        `AWS/WAFV2 BlockedRequests Region=\${AWS::Region} Rule=ALL WebACL=Test-api Sum`,
      ]);
    });

    test('graphs provisioning operations by type and token failures by reason, as the functions emit them', () => {
      expect(metricsOf('Provisioning operations')).toEqual(
        PROVISIONING_OPERATIONS.map(
          (operation) => `ScimProvisioning ProvisioningOperations operation=${operation} service=scim-provisioning Sum`,
        ),
      );
      expect(metricsOf('Token failures by reason')).toEqual(
        TOKEN_FAILURE_REASONS.map(
          (reason) => `ScimProvisioning TokenFailures reason=${reason} service=scim-provisioning Sum`,
        ),
      );
    });
  });

  describe('the alarms', () => {
    test('all notify the topic when they fire and when they recover', () => {
      expect(alarms.length).toBeGreaterThan(0);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual([topic]);
        expect(alarm.OKActions).toEqual([topic]);
        expect(alarm.TreatMissingData).toBe('notBreaching');
        expect(alarm.AlarmDescription.length).toBeGreaterThan(60);
      }
    });

    test('5xx rate: percent of requests, only once there is traffic', () => {
      const alarm = alarmNamed('API 5xx rate');
      expect(alarm.Threshold).toBe(ALARM_THRESHOLDS.serverErrorPercent);
      const expression = alarm.Metrics?.find((metric) => metric.Expression)?.Expression;
      expect(expression).toBe(
        `IF(requests >= ${ALARM_THRESHOLDS.serverErrorMinimumRequests}, 100 * errors / requests, 0)`,
      );
      expect(
        alarm.Metrics?.map((metric) => metric.MetricStat?.Metric.MetricName)
          .filter(Boolean)
          .sort(),
      ).toEqual(['5XXError', 'Count']);
    });

    test('Lambda errors: every function in exactly one alarm, at most METRICS_PER_ALARM functions each', () => {
      const watched = alarms
        .filter((alarm) => alarm.AlarmName.endsWith(' function errors'))
        .flatMap((alarm) => {
          const stats = (alarm.Metrics ?? []).filter((metric) => metric.MetricStat);
          expect(stats.length).toBeLessThanOrEqual(METRICS_PER_ALARM);
          expect(alarm.Threshold).toBe(ALARM_THRESHOLDS.functionErrors);
          return stats.map((metric) => {
            expect(metric.MetricStat?.Metric).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors' });
            return metric.MetricStat?.Metric.Dimensions;
          });
        });
      expect(watched).toHaveLength(stack.functions.length);
      for (const fn of stack.functions) {
        expect(watched).toContainEqual([{ Name: 'FunctionName', Value: stack.resolve(fn.function.functionName) }]);
      }
    });

    test('Lambda errors: the whole manifest splits into groups of one area each, none over the limit', () => {
      const functions = routes.map((route) => ({ route }) as unknown as RouteFunction);
      const groups = functionErrorGroups(functions);
      expect(groups.flatMap((group) => group.functions)).toHaveLength(routes.length);
      for (const group of groups) expect(group.functions.length).toBeLessThanOrEqual(METRICS_PER_ALARM);
      expect(new Set(groups.map((group) => group.name)).size).toBe(groups.length);
      expect(groups.filter((group) => group.name.startsWith('console')).length).toBeGreaterThan(1);
    });

    test('DynamoDB throttling: one alarm per table, base table and index', () => {
      for (const key of ['users', 'clients', 'grants']) {
        const alarm = alarmNamed(`${key} table throttling`);
        expect(alarm.Threshold).toBe(ALARM_THRESHOLDS.tableThrottles);
        const names = alarm.Metrics?.map((metric) => metric.MetricStat?.Metric.MetricName).filter(Boolean);
        expect(names).toEqual(
          key === 'users'
            ? ['ReadThrottleEvents', 'WriteThrottleEvents']
            : ['ReadThrottleEvents', 'WriteThrottleEvents', 'ReadThrottleEvents', 'WriteThrottleEvents'],
        );
      }
    });

    test('a burst of failed token requests, on the reason-less total the functions emit', () => {
      expect(alarmNamed('token request failures')).toMatchObject({
        Namespace: 'ScimProvisioning',
        MetricName: 'TokenFailures',
        Dimensions: [{ Name: 'service', Value: 'scim-provisioning' }],
        Threshold: ALARM_THRESHOLDS.tokenFailures,
      });
    });
  });

  describe('the alarm topic', () => {
    test('is encrypted with a rotating customer managed key CloudWatch may use, and refuses non-TLS publishing', () => {
      const topicResource = Object.values(resourcesOfType(template, 'AWS::SNS::Topic'))[0] as CfnResource;
      const keyId = (topicResource.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const key = resourcesOfType(template, 'AWS::KMS::Key')[keyId as string];
      expect(key?.Properties.EnableKeyRotation).toBe(true);
      expect(JSON.stringify(key?.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Principal: '*',
              Resource: topic,
            },
          ],
        },
      });
    });

    test('emails the address given in context, and nobody by default', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      synthTemplate({}, { alarmEmail: 'oncall@example.com' }).template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
    });
  });

  describe('the saved Logs Insights queries', () => {
    const queries = Object.values(resourcesOfType(template, 'AWS::Logs::QueryDefinition')).map((query) => ({
      name: query.Properties.Name as string,
      text: query.Properties.QueryString as string,
      groups: (query.Properties.LogGroupNames as unknown[]).map(flatten),
    }));
    const named = (name: string) => {
      const found = queries.find((query) => query.name === `Test/${name}`);
      if (!found) throw new Error(`no query ${name}`);
      return found;
    };
    const groupsOf = (predicate: (routeId: string) => boolean) =>
      stack.functions
        .filter((fn) => predicate(fn.route.id))
        .map((fn) => flatten(stack.resolve(fn.logGroup.logGroupName)));

    test('failed provisioning calls for a tenant: SCIM functions, request lines with that tenant and status ≥ 400', () => {
      const query = named('Failed provisioning calls for a tenant');
      expect(query.groups).toEqual(groupsOf((id) => id.startsWith('Scim')));
      expect(query.text).toContain(`filter message = "request" and tenant = "${TENANT_PLACEHOLDER}" and status >= 400`);
    });

    test('token failures: the token function’s EMF counts by reason, and its refused requests', () => {
      expect(named('Token failures by reason').groups).toEqual(groupsOf((id) => id === 'OAuthToken'));
      expect(named('Token failures by reason').text).toContain('stats sum(TokenFailures) as failures by reason');
      expect(named('Refused token requests').text).toContain('filter message = "request" and status >= 400');
    });

    test('slowest requests and unhandled errors search every function of the whole manifest, the console in a query of its own', () => {
      const whole = synthTemplate();
      const wholeQueries = Object.values(resourcesOfType(whole.template, 'AWS::Logs::QueryDefinition'));
      const groupsNamed = (name: string) => {
        const found = wholeQueries.find((query) => query.Properties.Name === `Test/${name}`);
        if (!found) throw new Error(`no query ${name}`);
        return {
          text: found.Properties.QueryString as string,
          groups: (found.Properties.LogGroupNames as unknown[]).map(flatten),
        };
      };
      const groupsWhere = (predicate: (routeId: string) => boolean) =>
        whole.stack.functions
          .filter((fn) => predicate(fn.route.id))
          .map((fn) => flatten(whole.stack.resolve(fn.logGroup.logGroupName)));
      for (const name of ['Slowest requests', 'Unhandled errors']) {
        const [service, ofConsole] = [groupsNamed(`${name} (SCIM and OAuth)`), groupsNamed(`${name} (console)`)];
        expect(ofConsole.groups).toEqual(groupsWhere((id) => id.startsWith('Console')));
        expect([...service.groups, ...ofConsole.groups].sort()).toEqual(groupsWhere(() => true).sort());
        for (const query of [service, ofConsole]) expect(query.groups.length).toBeLessThanOrEqual(50);
      }
      expect(groupsNamed('Slowest requests (console)').text).toContain('sort latencyMs desc');
      expect(groupsNamed('Unhandled errors (SCIM and OAuth)').text).toContain('filter level = "ERROR"');
      expect(named('Slowest requests (SCIM and OAuth)').groups).toEqual(groupsOf(() => true));
    });

    test('gateway errors search the access log', () => {
      expect(named('Gateway errors (WAF, throttling, unknown routes)').groups).toEqual([
        flatten(stack.resolve(stack.service.accessLogs.logGroupName)),
      ]);
    });

    test('only use fields the request log line really has', async () => {
      useEnvironmentWithoutDatabase('https://scim.example.test');
      const handler = scimRoute(async () => {
        logger.appendKeys({ tenant: 'tenant-q' });
        return { status: 200, body: {} };
      });
      const logs = captureLogs();
      try {
        await handler(apiEvent('GET', '/scim/v2/ServiceProviderConfig'), lambdaContext());
      } finally {
        logs.restore();
      }
      const line = logs.json().find((candidate) => candidate.message === 'request');
      expect(Object.keys(line ?? {})).toEqual(expect.arrayContaining(['message', ...REQUEST_LOG_FIELDS]));
      const requestQueries = queries.filter((query) => query.text.includes('message = "request"'));
      expect(requestQueries.length).toBeGreaterThanOrEqual(3);
      const fieldsUsed = requestQueries.flatMap((query) =>
        query.text.split('\n| ').flatMap((part) => {
          if (part.startsWith('fields ')) return part.slice('fields '.length).split(', ');
          if (part.startsWith('sort ')) return [part.split(' ')[1] as string];
          if (part.startsWith('filter '))
            return [...part.matchAll(/(\w+) (?:=|>=)/g)].map((match) => match[1] as string);
          return [];
        }),
      );
      const known = new Set<string>(['@timestamp', 'message', ...REQUEST_LOG_FIELDS]);
      expect(fieldsUsed.length).toBeGreaterThan(10);
      expect(fieldsUsed.filter((field) => !known.has(field))).toEqual([]);
    });
  });
});
