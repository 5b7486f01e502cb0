import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Latency {
  p50: number;
  p99: number;
  p99_9: number;
  average: number;
  max: number;
}
export interface CannonResult {
  requests: { average: number; total: number };
  latency: Latency;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  resets: number;
}

/** Runs one of this folder's autocannon scripts in a child process with `options` as its one JSON argument. */
export function runLoadGenerator(
  script: string,
  options: Record<string, unknown>,
): Promise<{ result: CannonResult; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, script), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const parsed = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
        error?: string;
        result: CannonResult;
        statuses: Record<string, number>;
      };
      if (code !== 0 || parsed.error) reject(new Error(`autocannon failed: ${parsed.error ?? `exit ${code}`}`));
      else resolve(parsed);
    });
  });
}
