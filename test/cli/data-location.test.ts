import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDynamoDbEndpoint } from '../support/local-service';

const ROOT = join(__dirname, '..', '..');

/** The admin CLI as a user runs it, with only the environment given here deciding where its data is. */
function admin(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...args],
      { cwd: ROOT, env: { ...process.env, SCIM_ADMIN_DYNAMODB_ENDPOINT: '', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('the admin CLI says which data it works on', () => {
  test('a state folder without a database: a warning that a new, empty one is created, then the folder it uses', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'scim-local-'));
    const first = await admin(['tenant', 'list'], { SCIM_LOCAL_DIR: localDir });
    expect(first).toMatchObject({ code: 0, stdout: 'No tenants.\n' });
    expect(first.stderr.trim().split('\n')).toEqual([
      `admin: warning: there is no database in ${join(localDir, 'dynamodb')} yet, so this command starts a new, empty one (an npm start run with SCIM_LOCAL_DIR keeps its data elsewhere: set the same SCIM_LOCAL_DIR here)`,
      `admin: using the local state folder ${localDir} (no npm start is running; its database is opened for this command)`,
    ]);

    const created = await admin(['tenant', 'create', '--name', 'Kept', '--json'], { SCIM_LOCAL_DIR: localDir });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(
      `admin: using the local state folder ${localDir} (no npm start is running; its database is opened for this command)\n`,
    );
    const { tenantId } = JSON.parse(created.stdout) as { tenantId: string };
    const listed = await admin(['tenant', 'list', '--json'], { SCIM_LOCAL_DIR: localDir });
    expect(JSON.parse(listed.stdout)).toEqual({ tenants: [expect.objectContaining({ tenantId, name: 'Kept' })] });
  }, 90_000);

  test('an explicit DynamoDB endpoint is named, with no warning', async () => {
    const endpoint = testDynamoDbEndpoint();
    const result = await admin(['tenant', 'list', '--json', '--endpoint', endpoint], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`admin: using DynamoDB Local at ${endpoint}\n`);
  }, 30_000);

  test('a command that needs no data (help, a wrong command line) names none', async () => {
    const help = await admin(['tenant', 'list', '--help'], {});
    expect(help).toMatchObject({ code: 0, stderr: '' });
    const wrong = await admin(['tenant', 'list', '--no-such-option'], {});
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).not.toContain('using');
  }, 30_000);
});
