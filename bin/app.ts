import { App } from 'aws-cdk-lib';
import { ScimProvisioningStack } from '../lib/scim-provisioning-stack';

/** The CDK app: `npx cdk synth`, `npx cdk deploy -c stage=prod`. */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
  throw new Error(`Context "stage" must be lower-case letters, digits and dashes (got "${stage}")`);
}
new ScimProvisioningStack(app, `ScimProvisioning-${stage}`, {
  stage,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
