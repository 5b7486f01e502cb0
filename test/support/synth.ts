import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ScimProvisioningStack, type ScimProvisioningStackProps } from '../../lib/scim-provisioning-stack';

/** Synthesizes the stack without running esbuild (100–200 ms instead of seconds per synth). */
export function synthTemplate(props: Partial<ScimProvisioningStackProps> = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ScimProvisioningStack(app, 'Test', { stage: 'dev', ...props });
  return { app, stack, template: Template.fromStack(stack) };
}
