import '../local/sdk-warnings';
import { runCli } from './admin/cli';

/** `npm run admin -- <command>`: tenants, admins, OAuth clients and grants. See `npm run admin -- --help`. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new Error('Nothing on standard input: pipe the password, e.g. printf \'%s\' "$PASSWORD" | npm run …');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
