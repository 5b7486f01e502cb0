import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { RouteSpec } from '../contract/routes';
import { esbuildOptions } from './bundling';

export interface RouteFunctionProps {
  readonly route: RouteSpec;
  readonly projectRoot: string;
  readonly logGroup: ILogGroup;
  readonly environment: Record<string, string>;
  readonly memorySize?: number;
}

/**
 * One Lambda function for one manifest route, with the defaults every route shares: Node.js 24 on arm64,
 * bundled by esbuild with the options in lib/bundling.ts, JSON logs, tracing.
 */
export class RouteFunction extends NodejsFunction {
  constructor(scope: Construct, props: RouteFunctionProps) {
    super(scope, props.route.id, {
      entry: `${props.projectRoot}/${props.route.entry}`,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // 256 MB: enough for a JSON API; more memory also buys CPU, which shortens cold starts.
      memorySize: props.memorySize ?? 256,
      // Well under API Gateway's 29 s integration timeout, so a slow dependency is our 503, not a gateway 504.
      timeout: Duration.seconds(10),
      loggingFormat: LoggingFormat.JSON,
      logGroup: props.logGroup,
      tracing: Tracing.ACTIVE,
      description: `${props.route.method} ${props.route.path}`,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: esbuildOptions.minify,
        sourceMap: esbuildOptions.sourcemap === true,
        target: esbuildOptions.target as string,
        format: OutputFormat.CJS,
        mainFields: esbuildOptions.mainFields,
        bundleAwsSDK: false,
        externalModules: esbuildOptions.external,
      },
    });
  }
}
