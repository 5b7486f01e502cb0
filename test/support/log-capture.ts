type Write = typeof process.stdout.write;

/**
 * Captures what the functions write to stdout and stderr (Powertools writes JSON lines there), so that tests
 * can assert on log lines and on the absence of secrets. Restoring puts back whatever writer was there before
 * and passes the captured lines on to it.
 */
export function captureLogs(): { lines: () => string[]; json: () => Record<string, unknown>[]; restore: () => void } {
  const captured: string[] = [];
  const previousStdout = process.stdout.write;
  const previousStderr = process.stderr.write;
  const capture = ((chunk: string | Uint8Array) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as Write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const lines = () =>
    captured
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  return {
    lines,
    json: () =>
      lines().flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    restore: () => {
      process.stdout.write = previousStdout;
      process.stderr.write = previousStderr;
      // Hand what was captured on to the writer underneath (the run's log file), so that the end-of-run
      // secret scan reads these lines too.
      if (captured.length > 0) process.stdout.write(captured.join(''));
    },
  };
}
