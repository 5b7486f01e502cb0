import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** One benchmark's result: a titled table plus free-form notes, ready for JSON and Markdown. */
export interface BenchSection {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  readonly notes?: readonly string[];
  /** Raw figures for the JSON report. */
  readonly data?: unknown;
}

export interface BenchEnvironment {
  readonly date: string;
  readonly commit: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  /** The machine's 1-minute load average when the run started and when it ended (other work on the cores). */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export function benchEnvironment(loadAtStart: number): BenchEnvironment {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // The results folder itself is what a run rewrites; it does not make the measured code differ.
    const status = execFileSync('git', ['status', '--porcelain', '--', '.', ':(exclude)bench/results'], {
      encoding: 'utf8',
    });
    const dirty = status.trim() !== '';
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout (e.g. an exported tarball): the report still says everything else.
  }
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: round(loadAtStart), end: round(loadavg()[0] ?? 0) },
  };
}

export function formatTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [columns, ...rows].map((row) => row.map(String));
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ');
  return [line(cells[0] ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

function markdownTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const escapeCell = (cell: string | number) => String(cell).replace(/\|/g, '\\|');
  return [
    `| ${columns.map(escapeCell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

/** Writes `latest.json` and `latest.md` into the results folder. */
export function writeReport(
  resultsDir: string,
  environment: BenchEnvironment,
  sections: readonly BenchSection[],
): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify({ environment, sections }, null, 2)}\n`);
  const markdown = [
    '# Benchmark results',
    '',
    `- date: ${environment.date}`,
    `- commit: ${environment.commit}`,
    `- node: ${environment.node}`,
    `- machine: ${environment.cpu}, ${environment.cores} cores, ${environment.memoryGiB} GiB, ${environment.platform}`,
    `- load average (1 min) at start and end: ${environment.loadAverage.start}, ${environment.loadAverage.end} (other processes sharing the cores)`,
    '',
    ...sections.flatMap((section) => [
      `## ${section.title}`,
      '',
      markdownTable(section.columns, section.rows),
      '',
      ...(section.notes ?? []).map((note) => `- ${note}`),
      ...(section.notes?.length ? [''] : []),
    ]),
  ].join('\n');
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
}

/** Percentile of already-collected samples (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
