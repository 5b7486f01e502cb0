import type { BuildOptions } from 'esbuild';

/**
 * The one set of esbuild options for every function: used by the CDK stack (through NodejsFunction) and by
 * `npm run bundle-report`, so the report measures exactly what is deployed.
 *
 * The AWS SDK is bundled rather than taken from the runtime: pinned versions, and a smaller cold start than
 * loading the runtime's full SDK.
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
};

/** Packages that must never end up in a Lambda bundle. */
export const FORBIDDEN_IN_BUNDLES = ['aws-cdk-lib', 'constructs', 'cdk-nag'];

/** Per-function budget for the minified bundle. */
export const MAX_BUNDLE_BYTES = 400 * 1024;
