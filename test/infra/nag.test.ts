import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ScimProvisioningStack } from '../../lib/scim-provisioning-stack';
import { defineServiceApp } from '../../lib/service-app';
import { capabilityRoutes } from '../support/capability-routes';

const ROOT = join(__dirname, '..', '..');
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

function appWith(context: Record<string, unknown>, routes = capabilityRoutes) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ScimProvisioningStack(app, 'Nagged', { routes });
  return { app, stack };
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AWS Solutions checks', () => {
  test.each<[string, Record<string, unknown>]>([
    ['dev defaults', {}],
    [
      'prod with a custom domain in a hosted zone and an alarm email',
      {
        stage: 'prod',
        domainName: 'scim.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
        alarmEmail: 'oncall@example.com',
      },
    ],
    [
      'a custom domain with an existing certificate',
      { domainName: 'scim.example.com', certificateArn: CERTIFICATE_ARN },
    ],
    ['a sandbox without WAF', { stage: 'sandbox', waf: 'false' }],
    ['the lean profile (HTTP API, no WAF)', { apiProfile: 'lean' }],
    [
      'the lean profile on a custom domain in a hosted zone',
      {
        apiProfile: 'lean',
        domainName: 'scim.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        hostedZoneName: 'example.com',
      },
    ],
    ['an account whose API Gateway logging role this stack creates', { apiGatewayCloudWatchRole: 'true' }],
    ['a signing key rotation in progress', { signingKeys: '1,2', activeSigningKey: '2' }],
  ])('%s: no unacknowledged finding, and synthesis with the plugin passes', (_name, context) => {
    const { app } = appWith(context);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  test('the current manifest passes too', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new ScimProvisioningStack(app, 'Current');
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  test('every acknowledgement names a rule and says why, next to its construct', () => {
    const found = acknowledgements(appWith({ waf: 'false', apiGatewayCloudWatchRole: 'true' }).app);
    // CDK records acknowledgements under an "Annotation::" prefix, which cdk-nag strips when matching.
    const ids = found.map((entry) => entry.id.replace(/^Annotation::/, ''));
    expect(new Set(ids)).toEqual(
      new Set([
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-SQS3',
      ]),
    );
    for (const entry of found) {
      expect(entry.id).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+/);
      expect(entry.reason.length).toBeGreaterThan(80);
      expect(entry.path).not.toBe('Nagged');
    }
  });

  test('is not vacuous: an unacknowledged wildcard policy fails synthesis', () => {
    const app = new App();
    const stack = new Stack(app, 'Careless');
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((violation) => violation.ruleName)).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
    ]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });

  test('the app runs the checks itself: a finding slipped into its stack fails synthesis', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'dev' } });
    const stack = defineServiceApp(app);
    expect(stack.stackName).toBe('ScimProvisioning-dev');
    const role = new Role(stack, 'Careless', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
  });

  test('bin/app.ts (what `npx cdk synth` runs) synthesizes clean, offline', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'scim-provisioning-synth-'));
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ stage: 'dev', 'aws:cdk:bundling-stacks': [] }),
      },
    });
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    expect(manifest.artifacts['ScimProvisioning-dev']?.type).toBe('aws:cloudformation:stack');
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  }, 60_000);
});
