import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { routes } from '../contract/routes';
import { bundleBudgetFor, esbuildOptions, FORBIDDEN_IN_BUNDLES } from '../lib/bundling';

/**
 * `npm run bundle-report`: bundles every manifest entry with the options the stack deploys with, prints each
 * function's minified size and its largest inputs, and fails when a bundle is over budget or pulls in the CDK.
 */
const ROOT = join(__dirname, '..');

export interface BundleReport {
  readonly routeId: string;
  readonly entry: string;
  readonly bytes: number;
  readonly budgetBytes: number;
  readonly forbidden: string[];
  readonly largestInputs: { path: string; bytes: number }[];
}

export async function bundleRoute(entry: string): Promise<Omit<BundleReport, 'routeId' | 'budgetBytes'>> {
  const result = await build({
    ...esbuildOptions,
    entryPoints: [join(ROOT, entry)],
    write: false,
    metafile: true,
    sourcemap: false,
    outfile: 'index.js',
    logLevel: 'silent',
  });
  const output = result.outputFiles.find((file) => file.path.endsWith('index.js'));
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const inputPaths = Object.keys(inputs);
  const forbidden = FORBIDDEN_IN_BUNDLES.filter((name) =>
    inputPaths.some((path) => path.includes(`node_modules/${name}/`)),
  );
  const largestInputs = Object.entries(inputs)
    .map(([path, input]) => ({ path: relative(ROOT, join(ROOT, path)), bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
  return { entry, bytes: output?.contents.byteLength ?? 0, forbidden, largestInputs };
}

export async function bundleReport(): Promise<BundleReport[]> {
  const reports: BundleReport[] = [];
  for (const route of routes) {
    reports.push({ routeId: route.id, budgetBytes: bundleBudgetFor(route.path), ...(await bundleRoute(route.entry)) });
  }
  return reports;
}

async function main(): Promise<void> {
  const reports = await bundleReport();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const idWidth = Math.max(...reports.map((report) => report.routeId.length), 5);
  process.stdout.write(`${'route'.padEnd(idWidth)}  ${'minified'.padStart(10)}  largest inputs\n`);
  let failed = false;
  for (const report of reports) {
    const problems = [
      ...(report.bytes > report.budgetBytes ? [`over its ${kb(report.budgetBytes)} budget`] : []),
      ...report.forbidden.map((name) => `contains ${name}`),
    ];
    failed ||= problems.length > 0;
    const inputs = report.largestInputs.map(
      (input) => `${input.path.replace(/^node_modules\//, '')} ${kb(input.bytes)}`,
    );
    process.stdout.write(
      `${report.routeId.padEnd(idWidth)}  ${kb(report.bytes).padStart(10)}  ${inputs.join(', ')}${problems.length ? `  ✗ ${problems.join('; ')}` : ''}\n`,
    );
  }
  const total = reports.reduce((sum, report) => sum + report.bytes, 0);
  process.stdout.write(
    `\n${reports.length} functions, ${kb(total)} in all (AWS SDK v3 comes from the Lambda runtime)\n`,
  );
  if (failed) {
    process.stderr.write('bundle-report: some bundles break the rules above\n');
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bundle-report: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
