import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '../../contract/routes';
import { ScimProvisioningStack } from '../../lib/scim-provisioning-stack';

describe('bundling', () => {
  test('the stack synthesizes with esbuild bundling, offline, for every route: minified, with source maps', () => {
    const outdir = join(__dirname, '..', '..', 'cdk.out', 'test-bundling');
    const app = new App({ outdir });
    const stack = new ScimProvisioningStack(app, 'Bundled', { stage: 'dev' });
    const template = Template.fromStack(stack);
    // One per route, and the activity log's ingest.
    template.resourceCountIs('AWS::Lambda::Function', routes.length + 1);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Code: { S3Key: string } };
    }[];
    for (const fn of functions) {
      const assetDir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(assetDir, 'index.js'), 'utf8');
      expect(existsSync(join(assetDir, 'index.js.map'))).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
      const lines = code.split('\n');
      // Minified: a few very long lines (plus preserved license comments and the line breaks of the pages'
      // HTML templates), not one statement per line.
      expect(Math.max(...lines.map((line) => line.length))).toBeGreaterThan(10_000);
      expect(code.length / lines.length).toBeGreaterThan(400);
    }
  });
});
