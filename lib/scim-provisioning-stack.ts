import { join } from 'node:path';
import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyDocument } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import {
  FAIR_SHARE_SCIM_REQUESTS_ENV,
  FAIR_SHARE_TOKEN_REQUESTS_ENV,
  PUBLIC_BASE_URL_ENV,
  SIGNING_KEY_ENV,
  VERIFICATION_KEYS_ENV,
} from '../contract/environment';
import { FAIR_SHARE_TABLE } from '../contract/fair-share';
import { consoleNotFoundAnswer } from '../contract/method-not-allowed';
import { type Access, CONSOLE_BASE_PATH, catchAllsOf, protocolOf, type RouteSpec, routes } from '../contract/routes';
import { type TableKey, tableEnvVar } from '../contract/tables';
import { ActivityLog } from './activity-log';
import { adminCliPolicyDocument } from './admin-cli-policy';
import { DataTables } from './data-tables';
import { publicEndpoints } from './endpoints';
import { HttpServiceApi } from './http-service-api';
import { Operations } from './operations';
import { RouteFunction, unmatchedRequestsFunction } from './route-function';
import { ServiceApi } from './service-api';
import { readSettings, reservedConcurrencyOf, type ServiceSettings } from './settings';
import { SigningKeys } from './signing-keys';
import { fairShareStatement, scimTokenUseStatement, tableAccessStatements } from './table-access';
import { WebFirewall } from './web-firewall';

export { SIGNING_KEY_ENV, VERIFICATION_KEYS_ENV } from '../contract/environment';

export interface ScimProvisioningStackProps extends StackProps {
  /** Overrides the `stage` context key (bin/app.ts passes the one it named the stack after). */
  readonly stage?: string;
  /** Routes to deploy; the whole manifest unless a test narrows it. */
  readonly routes?: readonly RouteSpec[];
}

const PROJECT_ROOT = join(__dirname, '..');

/** The stack output keys the admin CLI reads with `--stack` (and docs/deploy-and-operate.md names). */
export const OUTPUT_KEYS = {
  scimBaseUrl: 'ScimBaseUrl',
  authorizationEndpoint: 'AuthorizationEndpoint',
  tokenEndpoint: 'TokenEndpoint',
  issuer: 'Issuer',
  jwksUrl: 'JwksUrl',
  adminCliPolicyArn: 'AdminCliPolicyArn',
  tables: {
    users: 'UsersTableName',
    clients: 'ClientsTableName',
    grants: 'GrantsTableName',
    activity: 'ActivityTableName',
  } as Record<TableKey, string>,
} as const;

/**
 * The whole service: a regional REST API whose routes come from contract/routes.ts behind a web ACL, one
 * function per route with exactly the table and key access the manifest grants it, the tables, the tenant
 * activity log's ingest (lib/activity-log.ts), the KMS keys that sign access tokens, and the dashboard, alarms and saved queries an operator needs. Settings come
 * from CDK context (lib/settings.ts).
 */
export class ScimProvisioningStack extends Stack {
  readonly settings: ServiceSettings;
  /** The REST API (default profile) or the HTTP API (lean profile, context key `apiProfile`). */
  readonly service: ServiceApi | HttpServiceApi;
  /** The lean profile's answer to requests no route takes (the REST API answers those without a function). */
  readonly unmatchedRequests?: NodejsFunction;
  readonly tables: DataTables;
  readonly signingKeys: SigningKeys;
  readonly functions: RouteFunction[];
  readonly firewall?: WebFirewall;
  readonly operations: Operations;
  readonly activityLog: ActivityLog;
  /** For the operator's role or user: what the admin CLI needs with `--stack`. */
  readonly adminCliPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ScimProvisioningStackProps = {}) {
    super(scope, id, props);
    this.settings = readSettings((key) =>
      key === 'stage' && props.stage ? props.stage : this.node.tryGetContext(key),
    );
    const { settings } = this;
    const manifest = props.routes ?? routes;
    const dataRemovalPolicy = settings.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tables = new DataTables(this, 'Data', { stage: settings.stage });
    this.signingKeys = new SigningKeys(this, 'TokenSigningKeys', {
      stage: settings.stage,
      generations: settings.signingKeys,
      active: settings.activeSigningKey,
      production: settings.production,
    });
    if (settings.apiProfile === 'lean') {
      this.unmatchedRequests = unmatchedRequestsFunction(this, {
        projectRoot: PROJECT_ROOT,
        logRetention: settings.logRetention,
        logRemovalPolicy: dataRemovalPolicy,
        logLevel: settings.logLevel,
      });
      this.service = new HttpServiceApi(this, 'Service', { settings, unmatched: this.unmatchedRequests });
    } else {
      this.service = new ServiceApi(this, 'Service', { settings, routes: manifest });
    }

    this.functions = manifest.map((route) => {
      const routeFunction = new RouteFunction(this, {
        route,
        projectRoot: PROJECT_ROOT,
        environment: {
          [PUBLIC_BASE_URL_ENV]: this.service.publicBaseUrl,
          POWERTOOLS_SERVICE_NAME: 'scim-provisioning',
        },
        logRetention: settings.logRetention,
        logRemovalPolicy: dataRemovalPolicy,
        logLevel: settings.logLevel,
        reservedConcurrency: reservedConcurrencyOf(settings, route),
      });
      this.grantManifestAccess(routeFunction);
      this.service.addRoute(route, routeFunction.function);
      return routeFunction;
    });
    for (const catchAll of catchAllsOf(manifest)) this.service.addMethodNotAllowed(catchAll);
    // The HTTP API's `$default` route already reaches the unmatched-request function, which answers the same page.
    if (this.service instanceof ServiceApi && manifest.some((route) => protocolOf(route.path) === 'console')) {
      this.service.addNotFoundBelow(CONSOLE_BASE_PATH, consoleNotFoundAnswer());
    }

    // The lean profile's HTTP API cannot have a web ACL (docs/deploy-and-operate.md "The lean API profile").
    if (this.service instanceof ServiceApi && settings.waf) {
      this.firewall = new WebFirewall(this, 'Firewall', {
        stage: this.service.stage,
        uriPrefix: this.service.uriPrefix,
        oauthRateLimit: settings.oauthRateLimit,
        logRetention: settings.logRetention,
        logRemovalPolicy: dataRemovalPolicy,
      });
    } else if (this.service instanceof ServiceApi) {
      Validations.of(this.service.stage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF was switched off explicitly with the context key waf=false, for a sandbox deployment that carries ' +
          'no customer data; every other deployment gets the web ACL (docs/deploy-and-operate.md "Context keys").',
      });
    }

    this.operations = new Operations(this, 'Operations', {
      stage: this.service.stage,
      production: settings.production,
      accessLogs: this.service.accessLogs,
      functions: this.functions,
      tables: this.tables.byKey,
      alarmEmail: settings.alarmEmail,
      webAclName: this.firewall?.webAcl.name,
    });

    this.activityLog = new ActivityLog(this, 'ActivityLog', {
      projectRoot: PROJECT_ROOT,
      activityTable: this.tables.byKey.activity,
      clientsTable: this.tables.byKey.clients,
      functions: this.functions,
      logRetention: settings.logRetention,
      logRemovalPolicy: dataRemovalPolicy,
      logLevel: settings.logLevel,
      alarmTopic: this.operations.topic,
    });

    this.adminCliPolicy = new ManagedPolicy(this, 'AdminCliPolicy', {
      description: `What the admin CLI needs to manage ${this.stackName} with --stack: its outputs and the table items`,
      document: PolicyDocument.fromJson(
        adminCliPolicyDocument({
          stackArn: Aws.STACK_ID,
          tableArns: Object.fromEntries(
            Object.entries(this.tables.byKey).map(([key, table]) => [key, table.tableArn]),
          ) as Record<TableKey, string>,
        }),
      ),
    });

    this.addOutputs();
  }

  /** The manifest entry's tables and capabilities become environment variables and exactly those permissions. */
  private grantManifestAccess(routeFunction: RouteFunction): void {
    const { route, role } = routeFunction;
    for (const [key, access] of Object.entries(route.tables) as [TableKey, Access][]) {
      const table = this.tables.byKey[key];
      routeFunction.function.addEnvironment(tableEnvVar(key), table.tableName);
      for (const statement of tableAccessStatements(key, table, access)) role.addToPrincipalPolicy(statement);
    }
    const capabilities = route.capabilities ?? [];
    if (capabilities.includes('sign-tokens') || capabilities.includes('read-signing-key')) {
      routeFunction.function.addEnvironment(SIGNING_KEY_ENV, this.signingKeys.activeKeyArn);
      routeFunction.function.addEnvironment(VERIFICATION_KEYS_ENV, this.signingKeys.publishedKeyArnList);
    }
    if (capabilities.includes('record-scim-token-use')) {
      role.addToPrincipalPolicy(scimTokenUseStatement(this.tables.byKey.grants));
    }
    if (capabilities.includes('sign-tokens')) this.signingKeys.allowSigning(role);
    else if (capabilities.includes('read-signing-key')) this.signingKeys.allowReadingPublicKeys(role);
    if (capabilities.includes('take-fair-share')) {
      role.addToPrincipalPolicy(fairShareStatement(this.tables.byKey[FAIR_SHARE_TABLE]));
      const { scimRequestsPerTenant, tokenRequestsPerClient } = this.settings.fairShare;
      routeFunction.function.addEnvironment(FAIR_SHARE_SCIM_REQUESTS_ENV, String(scimRequestsPerTenant));
      routeFunction.function.addEnvironment(FAIR_SHARE_TOKEN_REQUESTS_ENV, String(tokenRequestsPerClient));
    }
  }

  private addOutputs(): void {
    const endpoints = publicEndpoints(this.service.publicBaseUrl);
    new CfnOutput(this, OUTPUT_KEYS.scimBaseUrl, {
      value: endpoints.scimBaseUrl,
      description: 'Okta provisioning form: SCIM connector base URL',
    });
    new CfnOutput(this, OUTPUT_KEYS.authorizationEndpoint, {
      value: endpoints.authorizationEndpoint,
      description: 'Okta provisioning form: Authorization endpoint',
    });
    new CfnOutput(this, OUTPUT_KEYS.tokenEndpoint, {
      value: endpoints.tokenEndpoint,
      description: 'Okta provisioning form: Token endpoint',
    });
    new CfnOutput(this, OUTPUT_KEYS.issuer, {
      value: endpoints.issuer,
      description: 'OAuth issuer (iss of access tokens, RFC 8414 metadata)',
    });
    new CfnOutput(this, OUTPUT_KEYS.jwksUrl, {
      value: endpoints.jwksUrl,
      description: 'Public keys that verify access tokens',
    });
    for (const [key, table] of Object.entries(this.tables.byKey) as [TableKey, DataTables['byKey'][TableKey]][]) {
      new CfnOutput(this, OUTPUT_KEYS.tables[key], {
        value: table.tableName,
        description: `The ${key} table, for the admin CLI`,
      });
    }
    new CfnOutput(this, OUTPUT_KEYS.adminCliPolicyArn, {
      value: this.adminCliPolicy.managedPolicyArn,
      description: 'Attach to the role or user that runs the admin CLI against this stack',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.operations.topic.topicArn,
      description: 'Alarm notifications: subscribe a pager or chat endpoint here',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.operations.dashboard.dashboardName}`,
      description: 'The CloudWatch dashboard',
    });
    new CfnOutput(this, 'TokenSigningKeyAlias', {
      value: this.signingKeys.aliasName,
      description: 'Alias of the KMS key that signs access tokens',
    });
    const domain = this.service.customDomainTarget;
    if (domain) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: domain.target,
        description: `Point a CNAME (or alias) record for ${domain.domainName} at this name`,
      });
    }
  }
}
