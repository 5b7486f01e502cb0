import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LOCAL_VERIFICATION_JWKS_ENV } from '../../contract/environment';
import { routes, SCIM_BASE_PATH } from '../../contract/routes';
import { tables } from '../../contract/tables';
import { WEAK_TEST_PASSWORD_HASHING } from '../../functions/_shared/password-hashing';
import { functionMemoryOf, memoryClassOf, ROUTE_MEMORY_MB } from '../../lib/route-function';
import { capabilityRoutes } from '../support/capability-routes';
import {
  type CfnResource,
  environmentOf,
  resourcesOfType,
  routeFunctionResources,
  synthTemplate,
} from '../support/synth';

type FunctionProps = {
  Runtime: string;
  Architectures: string[];
  MemorySize: number;
  Timeout: number;
  TracingConfig: { Mode: string };
  LoggingConfig: { LogFormat: string; ApplicationLogLevel: string; SystemLogLevel: string; LogGroup: unknown };
  Environment: { Variables: Record<string, unknown> };
};

const functionsOf = (template: ReturnType<typeof synthTemplate>['template']) =>
  Object.values(routeFunctionResources(template)).map((fn) => fn.Properties as FunctionProps);

describe('the functions', () => {
  const { template, stack } = synthTemplate({ routes: capabilityRoutes });
  const functions = functionsOf(template);

  test('are one per route', () => {
    expect(functions).toHaveLength(capabilityRoutes.length);
  });

  test('run Node.js 24 (22 or newer) on arm64', () => {
    for (const fn of functions) {
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Architectures).toEqual(['arm64']);
    }
  });

  test('have deliberate memory and a timeout well under API Gateway’s 29 seconds', () => {
    for (const routeFunction of stack.functions) {
      const fn = (routeFunction.function.node.defaultChild as CfnFunction).memorySize;
      expect(fn).toBe(functionMemoryOf(routeFunction.route));
    }
    for (const fn of functions) expect(fn.Timeout).toBeLessThanOrEqual(15);
  });

  test('size memory by route class: the password checks most, the SCIM user routes least', () => {
    const classOf = (id: string) => {
      const route = routes.find((candidate) => candidate.id === id);
      if (!route) throw new Error(`no route ${id}`);
      return memoryClassOf(route);
    };
    expect(classOf('ConsoleSignInSubmit')).toBe('password');
    expect(classOf('OAuthAuthorizeSubmit')).toBe('password');
    expect(classOf('ScimGroupReplace')).toBe('scimGroups');
    expect(classOf('ScimUserGet')).toBe('scim');
    expect(classOf('OAuthToken')).toBe('standard');
    // scrypt alone needs 128 MiB on top of the runtime.
    expect(ROUTE_MEMORY_MB.password).toBeGreaterThanOrEqual(512);
    expect(ROUTE_MEMORY_MB.scim).toBeLessThanOrEqual(ROUTE_MEMORY_MB.scimGroups);
  });

  test('trace with X-Ray, log JSON at INFO by default, and map stack traces through source maps', () => {
    for (const fn of functions) {
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
      });
      expect(fn.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: 'scim-provisioning',
      });
    }
  });

  test('set nothing that only a local test run honours', () => {
    for (const fn of functions) {
      expect(fn.Environment.Variables).not.toHaveProperty('NODE_ENV');
      expect(fn.Environment.Variables).not.toHaveProperty(LOCAL_VERIFICATION_JWKS_ENV);
      expect(fn.Environment.Variables).not.toHaveProperty(WEAK_TEST_PASSWORD_HASHING);
    }
  });

  test('reserve no concurrency by default, and what the context key reservedConcurrency says', () => {
    expect(functions.every((fn) => !('ReservedConcurrentExecutions' in fn))).toBe(true);
    const { stack: reserving } = synthTemplate({}, { reservedConcurrency: 'scim=80,OAuthToken=25' });
    const reserved = (fn: (typeof reserving.functions)[number]) =>
      (reserving.resolve((fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions) as
        | number
        | undefined) ?? null;
    const byRoute = new Map(reserving.functions.map((fn) => [fn.route.id, reserved(fn)]));
    expect(byRoute.get('OAuthToken')).toBe(25);
    expect(byRoute.get('OAuthAuthorize')).toBeNull();
    for (const route of routes.filter((candidate) => candidate.path.startsWith(SCIM_BASE_PATH))) {
      expect(byRoute.get(route.id)).toBe(80);
    }
  });

  test('take the log level from context', () => {
    for (const fn of functionsOf(synthTemplate({}, { logLevel: 'debug' }).template)) {
      expect(fn.LoggingConfig.ApplicationLogLevel).toBe('DEBUG');
      expect(fn.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    }
  });

  test('each write to their own log group, 30 days by default, 365 in prod, or the context value', () => {
    const groups = stack.functions.map((fn) => stack.resolve(fn.logGroup.logGroupName));
    expect(new Set(groups.map((group) => JSON.stringify(group))).size).toBe(functions.length);
    expect(functions.map((fn) => fn.LoggingConfig.LogGroup)).toEqual(groups);
    const retention = (result: ReturnType<typeof synthTemplate>) =>
      result.stack.functions.map((fn) => {
        const id = result.stack.getLogicalId(fn.logGroup.node.defaultChild as never);
        const group = (result.template.toJSON().Resources as Record<string, CfnResource>)[id];
        return [group?.Properties.RetentionInDays, group?.DeletionPolicy];
      });
    expect(retention({ template, stack, app: undefined as never })).toEqual(functions.map(() => [30, 'Delete']));
    expect(retention(synthTemplate({ stage: 'prod' }))).toEqual(routes.map(() => [365, 'Retain']));
    expect(retention(synthTemplate({}, { logRetentionDays: '90' }))).toEqual(routes.map(() => [90, 'Delete']));
  });

  test('have their table names only for the tables the manifest grants them', () => {
    const byId = Object.fromEntries(stack.functions.map((fn) => [fn.route.id, fn]));
    for (const route of capabilityRoutes) {
      const id = stack.getLogicalId(byId[route.id]?.function.node.defaultChild as never);
      const variables = environmentOf(template, id);
      const tableVariables = Object.keys(variables).filter((name) => name.endsWith('_TABLE_NAME'));
      expect(tableVariables.sort()).toEqual(
        Object.keys(route.tables)
          .map((key) => `${key.toUpperCase()}_TABLE_NAME`)
          .sort(),
      );
    }
  });
});

describe('the tables', () => {
  type TableProps = {
    BillingMode: string;
    KeySchema: { AttributeName: string; KeyType: string }[];
    TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
    SSESpecification: { SSEEnabled: boolean; SSEType: string };
    Replicas: {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: boolean };
      DeletionProtectionEnabled?: boolean;
    }[];
    GlobalSecondaryIndexes?: { IndexName: string }[];
  };
  const tablesOf = (template: ReturnType<typeof synthTemplate>['template']) =>
    Object.values(resourcesOfType(template, 'AWS::DynamoDB::GlobalTable')).map((table) => ({
      props: table.Properties as TableProps,
      deletionPolicy: table.DeletionPolicy,
    }));

  test('are users, clients, grants and activity: on demand, PITR, TTL on expiresAt, encrypted at rest, indexes from the contract', () => {
    const { template } = synthTemplate();
    const found = tablesOf(template);
    expect(found).toHaveLength(4);
    for (const { props } of found) {
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(props.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      expect(props.Replicas[0]?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
    expect(
      found.map(({ props }) => (props.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName)).sort(),
    ).toEqual(
      Object.values(tables)
        .map((spec) => spec.globalIndexes.map((index) => index.name))
        .sort(),
    );
  });

  test('in dev can be destroyed: no deletion protection, deleted with the stack', () => {
    for (const { props, deletionPolicy } of tablesOf(synthTemplate({ stage: 'dev' }).template)) {
      expect(props.Replicas[0]?.DeletionProtectionEnabled).toBe(false);
      expect(deletionPolicy).toBe('Delete');
    }
  });

  test('in prod are protected from deletion and retained when the stack is deleted', () => {
    for (const { props, deletionPolicy } of tablesOf(synthTemplate({ stage: 'prod' }).template)) {
      expect(props.Replicas[0]?.DeletionProtectionEnabled).toBe(true);
      expect(deletionPolicy).toBe('Retain');
    }
  });
});
