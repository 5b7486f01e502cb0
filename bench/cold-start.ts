import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LOCAL_VERIFICATION_JWKS_ENV } from '../contract/environment';
import { type RouteSpec, routes } from '../contract/routes';
import { verificationKeys } from '../functions/_shared/services';
import { esbuildOptions } from '../lib/bundling';
import { matchRoute, toProxyEvent } from '../local/api-gateway';
import type { BenchContext } from './lib/context';
import { type BenchSection, percentile, round } from './lib/report';

const ROOT = join(__dirname, '..');
const WORK_DIR = join(ROOT, '.local', 'bench', 'cold-start');

interface Measurement {
  /** Spawn to exit of the whole Node process, as seen from outside. */
  processMs: number;
  loadMs: number;
  firstRequestMs: number;
  totalMs: number;
  status: number;
}

/**
 * `sdk: 'runtime'` is how the functions deploy (lib/bundling.ts leaves `@aws-sdk/*` to the Lambda runtime);
 * `sdk: 'bundled'` puts the SDK in the bundle, tree-shaken, which AWS recommends for cold starts.
 */
async function bundle(
  name: string,
  entry: string,
  sdk: 'runtime' | 'bundled' = 'runtime',
): Promise<{ path: string; bytes: number }> {
  const outfile = join(WORK_DIR, sdk === 'runtime' ? name : `${name}-sdk-bundled`, 'index.js');
  const result = await build({
    ...esbuildOptions,
    ...(sdk === 'bundled' ? { external: [] } : {}),
    entryPoints: [join(ROOT, entry)],
    outfile,
    sourcemap: false,
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.js'))?.[1].bytes ?? 0;
  return { path: outfile, bytes };
}

/** A first request the route can answer: its path with `{param}` filled in, a JSON body where it takes one. */
function sampleEvent(route: RouteSpec, authorization: string | undefined) {
  const path = route.path.replace(/\{\w+\}/g, 'bench-probe');
  const method = route.method;
  const match = matchRoute(method, path);
  if (!match) throw new Error(`no route for ${method} ${path}`);
  const takesBody = ['POST', 'PUT', 'PATCH'].includes(method);
  const headers = [
    'Accept',
    'application/scim+json',
    ...(takesBody ? ['Content-Type', 'application/scim+json'] : []),
    ...(authorization ? ['Authorization', authorization] : []),
  ];
  return toProxyEvent(
    { method, url: path, rawHeaders: headers, body: Buffer.from(takesBody ? '{}' : ''), sourceIp: '127.0.0.1' },
    match,
  );
}

/**
 * The environment of the fresh process: this one's (DynamoDB Local, the tables, the base URL), plus the public
 * half of the local signing key, which the local server hands its functions in-process and a fresh process
 * cannot get otherwise, so that a Bearer route's first request verifies a real token and reads its grant.
 */
async function childEnvironment(): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    NODE_ENV: 'test',
    [LOCAL_VERIFICATION_JWKS_ENV]: JSON.stringify({ keys: await verificationKeys() }),
  };
}

function measure(bundlePath: string, eventPath: string, env: NodeJS.ProcessEnv): Measurement {
  const spawnedAt = performance.now();
  const child = spawnSync(process.execPath, [join(__dirname, 'lib', 'cold-start-child.cjs'), bundlePath, eventPath], {
    env,
    encoding: 'utf8',
  });
  const line = child.stderr.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as Measurement & { error?: string };
  if (parsed.error) throw new Error(`cold start failed: ${parsed.error}`);
  // A 5xx first request measures a failure path, not the route: the figures would be silently wrong.
  if (parsed.status >= 500) throw new Error(`cold start of ${bundlePath} answered ${parsed.status}`);
  return { ...parsed, processMs: performance.now() - spawnedAt };
}

/**
 * Cold start per function: the minified bundle's size and the time a fresh Node process takes to load it and
 * answer a first request against DynamoDB Local, next to an empty handler bundled the same way.
 */
export async function coldStartBench(context: BenchContext): Promise<BenchSection> {
  mkdirSync(WORK_DIR, { recursive: true });
  const runs = context.quick ? 1 : 5;
  const hello = await bundle('Hello', 'bench/fixtures/hello.ts');
  const selected = context.quick ? routes.slice(0, 2) : routes;
  const token = await context.bearerToken();
  const env = await childEnvironment();
  const measureMedian = (bundlePath: string, eventPath: string) => {
    const samples = Array.from({ length: runs }, () => measure(bundlePath, eventPath, env));
    return {
      totalMs: percentile(
        samples.map((sample) => sample.totalMs),
        50,
      ),
      processMs: percentile(
        samples.map((sample) => sample.processMs),
        50,
      ),
      status: samples[0]?.status ?? 0,
    };
  };
  const helloEvent = join(WORK_DIR, 'Hello', 'event.json');
  writeFileSync(helloEvent, JSON.stringify(sampleEvent(selected[0] as RouteSpec, undefined)));
  const baseline = measureMedian(hello.path, helloEvent);
  const rows: (string | number)[][] = [
    [
      '(empty hello handler)',
      round(hello.bytes / 1024, 1),
      round(baseline.totalMs, 1),
      round(baseline.processMs, 1),
      1,
      baseline.status,
      '',
      '',
    ],
  ];
  const data: Record<string, unknown>[] = [];
  for (const route of selected) {
    const bundled = await bundle(route.id, route.entry);
    const eventPath = join(WORK_DIR, route.id, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify(sampleEvent(route, route.auth === 'scim-bearer' ? `Bearer ${token}` : undefined)),
    );
    const result = measureMedian(bundled.path, eventPath);
    const ratio = round(result.processMs / baseline.processMs, 2);
    const withSdk = await bundle(route.id, route.entry, 'bundled');
    const resultWithSdk = measureMedian(withSdk.path, eventPath);
    const ratioWithSdk = round(resultWithSdk.processMs / baseline.processMs, 2);
    rows.push([
      route.id,
      round(bundled.bytes / 1024, 1),
      round(result.totalMs, 1),
      round(result.processMs, 1),
      ratio,
      result.status,
      round(withSdk.bytes / 1024, 1),
      ratioWithSdk,
    ]);
    data.push({
      route: route.id,
      bytes: bundled.bytes,
      loadAndFirstRequestMs: result.totalMs,
      processMs: result.processMs,
      ratio,
      status: result.status,
      sdkBundled: { bytes: withSdk.bytes, processMs: resultWithSdk.processMs, ratio: ratioWithSdk },
    });
  }
  return {
    name: 'coldStart',
    title: 'Cold start per function',
    columns: [
      'function',
      'bundle KB',
      'load + first request ms',
      'whole process ms',
      '× hello (process)',
      'status',
      'SDK bundled: KB',
      'SDK bundled: × hello',
    ],
    rows,
    notes: [
      `Median of ${runs} fresh Node ${process.version} processes per function; each loads the minified bundle (AWS SDK v3 resolved from node_modules, as the Lambda runtime provides it) and answers one request against DynamoDB Local.`,
      'Times are medians. "load + first request" is measured inside the process; "whole process" adds Node start-up, and its ratio to the empty handler is what a cold start costs beyond a bare runtime. Lambda adds its own sandbox start-up on top.',
      'The last two columns build the same function with the AWS SDK inside the bundle (minified, tree-shaken) instead of from the runtime, and measure it the same way. The goal is ≤ 1.5 × hello for every function.',
      'A Bearer route verifies its first token with the local JWKS document it is given, so it does not load the KMS client, which it loads only at its first use; in AWS its first request does, to fetch the public keys (about 10 ms of CPU on the bench machine, besides the call).',
    ],
    data,
  };
}
