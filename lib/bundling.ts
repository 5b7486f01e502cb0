import type { BuildOptions } from 'esbuild';

/**
 * The one set of esbuild options for every function: used by the CDK stack (through NodejsFunction) and by
 * `npm run bundle-report`, so the report measures exactly what is deployed.
 *
 * The AWS SDK v3 is not bundled: the Lambda Node.js runtime ships it, and bundling it costs about 340 KB
 * minified for the DynamoDB document client alone, which would break the per-function budgets; the cold-start
 * bench measures both builds side by side (docs/performance.md "Cold start"). Locally the same imports resolve
 * to the pinned versions in node_modules.
 */
export const BUNDLE_TARGET = 'node22';
export const BUNDLE_FORMAT = 'cjs' as const;

export const esbuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: BUNDLE_TARGET,
  format: BUNDLE_FORMAT,
  minify: true,
  sourcemap: true,
  treeShaking: true,
  mainFields: ['module', 'main'],
  legalComments: 'none',
  external: ['@aws-sdk/*'],
};

/** Packages that must never end up in a Lambda bundle. */
export const FORBIDDEN_IN_BUNDLES = ['aws-cdk-lib', 'constructs', 'cdk-nag'];

/**
 * Per-function budget for the minified bundle: the largest measured is about 120 KB (the console's user pages,
 * the token endpoint), so a function that doubles its code fails the bundle report before it doubles its load.
 */
export const MAX_BUNDLE_BYTES = 250 * 1024;

/**
 * SCIM functions answer Okta's every provisioning call, so their cold starts matter most: the largest measured
 * is about 160 KB (PATCH of a user).
 */
export const MAX_SCIM_BUNDLE_BYTES = 200 * 1024;

export const bundleBudgetFor = (path: string): number =>
  path.startsWith('/scim/') ? MAX_SCIM_BUNDLE_BYTES : MAX_BUNDLE_BYTES;
