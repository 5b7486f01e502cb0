import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScimProvisioningStack } from './scim-provisioning-stack';
import { readSettings } from './settings';

/**
 * The app's content: one stack per stage, named `ScimProvisioning-<stage>`, in the account and region of the
 * caller's credentials, and cdk-nag's AWS Solutions checks on every synth: a finding without a written
 * acknowledgement next to its construct fails `cdk synth` and `cdk deploy`.
 */
export function defineServiceApp(app: App): ScimProvisioningStack {
  const { stage } = readSettings((key) => app.node.tryGetContext(key));
  const stack = new ScimProvisioningStack(app, `ScimProvisioning-${stage}`, {
    stage,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
