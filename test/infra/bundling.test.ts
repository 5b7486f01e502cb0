import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '../../contract/routes';
import { ScimProvisioningStack } from '../../lib/scim-provisioning-stack';

describe('bundling', () => {
  test('the stack synthesizes with esbuild bundling, offline, for every route', () => {
    const app = new App({ outdir: `${__dirname}/../../cdk.out/test-bundling` });
    const stack = new ScimProvisioningStack(app, 'Bundled', { stage: 'dev' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', routes.length);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });
});
