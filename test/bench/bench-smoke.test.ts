import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarks, runBenchmarks } from '../../bench/run';
import { testDynamoDbEndpoint } from '../support/local-service';

// A tiny run of every benchmark script, so that `npm run bench` cannot rot; the figures themselves are not
// asserted (speed targets live in the benchmarks, not in tests).
describe('npm run bench (smoke run)', () => {
  test('every benchmark runs and the report is written', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    const sections = await runBenchmarks({
      quick: true,
      resultsDir,
      dynamoDbEndpoint: testDynamoDbEndpoint(),
      print: () => undefined,
    });
    expect(sections.map((section) => section.name)).toEqual(Object.keys(benchmarks));
    for (const section of sections) expect(section.rows.length).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8')) as {
      environment: { node: string; commit: string; date: string };
    };
    expect(report.environment.node).toBe(process.version);
    expect(readFileSync(join(resultsDir, 'latest.md'), 'utf8')).toContain('# Benchmark results');
  }, 120_000);
});
