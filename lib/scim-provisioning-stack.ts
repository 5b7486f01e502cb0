import { join } from 'node:path';
import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type IResource, LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type Access, type RouteSpec, routes } from '../contract/routes';
import { type TableKey, tableEnvVar } from '../contract/tables';
import { DataTables } from './data-tables';
import { RouteFunction } from './route-function';

export interface ScimProvisioningStackProps extends StackProps {
  /** `dev` (default) or `prod`; prod retains data on delete. */
  readonly stage: string;
  /** Routes to deploy; the whole manifest unless a test narrows it. */
  readonly routes?: readonly RouteSpec[];
}

/** Environment variable through which functions find the token signing key. */
export const SIGNING_KEY_ENV = 'TOKEN_SIGNING_KEY_ARN';

const PROJECT_ROOT = join(__dirname, '..');

/**
 * The whole service: a REST API whose routes come from contract/routes.ts, one function per route with exactly
 * the table access the manifest grants it, the three tables, and the KMS key that signs access tokens.
 */
export class ScimProvisioningStack extends Stack {
  readonly api: RestApi;
  readonly tables: DataTables;

  constructor(scope: Construct, id: string, props: ScimProvisioningStackProps) {
    super(scope, id, props);
    const production = props.stage === 'prod';

    this.tables = new DataTables(this, 'Data', { stage: props.stage });

    const signingKey = new Key(this, 'TokenSigningKey', {
      description: 'Signs the service’s OAuth access tokens (ES256); the private key never leaves KMS',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new Alias(this, 'TokenSigningKeyAlias', {
      aliasName: `alias/scim-provisioning-${props.stage}-token-signing`,
      targetKey: signingKey,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `scim-provisioning-${props.stage}`,
      description: 'SCIM 2.0 provisioning and OAuth 2.0 authorization server',
      deployOptions: { stageName: props.stage },
    });

    const publicBaseUrl = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${props.stage}`;
    const functionLogs = new LogGroup(this, 'FunctionLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    for (const route of props.routes ?? routes) {
      const fn = new RouteFunction(this, {
        route,
        projectRoot: PROJECT_ROOT,
        logGroup: functionLogs,
        environment: { PUBLIC_BASE_URL: publicBaseUrl, POWERTOOLS_SERVICE_NAME: 'scim-provisioning' },
      });
      for (const [key, access] of Object.entries(route.tables) as [TableKey, Access][]) {
        const table = this.tables.byKey[key];
        fn.addEnvironment(tableEnvVar(key), table.tableName);
        if (access === 'readWrite') table.grantReadWriteData(fn);
        else table.grantReadData(fn);
      }
      for (const capability of route.capabilities ?? []) {
        fn.addEnvironment(SIGNING_KEY_ENV, signingKey.keyArn);
        if (capability === 'sign-tokens') signingKey.grant(fn, 'kms:Sign', 'kms:GetPublicKey');
        else signingKey.grant(fn, 'kms:GetPublicKey');
      }
      resourceFor(this.api.root, route.path).addMethod(route.method, new LambdaIntegration(fn));
    }

    new CfnOutput(this, 'ScimBaseUrl', {
      value: `${publicBaseUrl}/scim/v2`,
      description: 'Okta: SCIM connector base URL',
    });
    for (const [key, table] of Object.entries(this.tables.byKey)) {
      new CfnOutput(this, `${key[0]?.toUpperCase()}${key.slice(1)}TableName`, { value: table.tableName });
    }
  }
}

/** The API Gateway resource for a path, created segment by segment on first use. */
function resourceFor(root: IResource, path: string): IResource {
  return path
    .split('/')
    .filter(Boolean)
    .reduce<IResource>((resource, part) => resource.getResource(part) ?? resource.addResource(part), root);
}
