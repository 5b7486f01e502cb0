import '../local/sdk-warnings';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { bigRequestsBench } from './big-requests';
import { coldStartBench } from './cold-start';
import { costBench } from './cost';
import { cpuBench } from './cpu';
import { dynamoDbWorkBench } from './dynamodb-work';
import { floorBench } from './floor';
import { groupScaleBench } from './group-scale';
import { importScaleBench } from './import-scale';
import { type BenchContext, openBenchContext } from './lib/context';
import { type BenchSection, benchEnvironment, formatTable, writeReport } from './lib/report';
import { memoryBench } from './memory';
import { overheadBench } from './overhead';
import { throughputBench } from './throughput';

/**
 * `npm run bench`: every benchmark in turn against one fresh DynamoDB Local, each printing its table; the
 * report goes to bench/results/latest.json and latest.md. The cost model comes last: it reads the units, CPU
 * and log bytes the benchmarks before it measured (and runs them itself when `--only` left them out). `--quick` is the smoke run `npm test` uses.
 */
export const benchmarks: Record<
  string,
  (context: BenchContext, earlier: readonly BenchSection[]) => Promise<BenchSection>
> = {
  coldStart: coldStartBench,
  overhead: overheadBench,
  cpu: cpuBench,
  memory: memoryBench,
  dynamoDbWork: dynamoDbWorkBench,
  importScale: importScaleBench,
  groupScale: groupScaleBench,
  throughput: throughputBench,
  bigRequests: bigRequestsBench,
  floor: floorBench,
  cost: costBench,
};

export async function runBenchmarks(options: {
  quick: boolean;
  only?: readonly string[];
  resultsDir: string;
  dynamoDbEndpoint?: string;
  print?: (text: string) => void;
}): Promise<BenchSection[]> {
  const print = options.print ?? ((text: string) => process.stdout.write(text));
  const loadAtStart = loadavg()[0] ?? 0;
  const { context, close } = await openBenchContext(options);
  const sections: BenchSection[] = [];
  try {
    for (const [name, bench] of Object.entries(benchmarks)) {
      if (options.only && !options.only.includes(name)) continue;
      const section = await bench(context, sections);
      sections.push(section);
      print(`\n${section.title}\n\n${formatTable(section.columns, section.rows)}\n`);
      for (const note of section.notes ?? []) print(`  ${note}\n`);
    }
  } finally {
    await close();
  }
  writeReport(options.resultsDir, benchEnvironment(loadAtStart), sections);
  return sections;
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex > 0 ? process.argv[onlyIndex + 1]?.split(',') : undefined;
  // A quick run (smoke sizes) never replaces the committed figures of a full run.
  const resultsDir = quick ? join(__dirname, '..', '.local', 'bench', 'results-quick') : join(__dirname, 'results');
  runBenchmarks({ quick, only, resultsDir })
    .then(() => {
      process.stdout.write(`\nReport written to ${relative(process.cwd(), resultsDir)}/latest.md and latest.json\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
