import { randomUUID } from 'node:crypto';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ACCOUNT_POLICY, accountThrottleKey } from '../../core/oauth/login-throttle';
import { verifyPassword } from '../../core/oauth/passwords';
import { documentClient, tableName } from '../../functions/_shared/services';
import { admin, onlyJson, type Run } from '../support/admin-cli';
import { testDynamoDbEndpoint, useLocalEnvironment } from '../support/local-service';
import { oauthStores } from '../support/oauth';

/**
 * Admin accounts from the real CLI: a name for the admin's user, a new password, lifting a sign-in lock-out,
 * tenants that cannot share a name, and errors as JSON.
 */
// Each step starts the real CLI (a TypeScript process); on a loaded machine a dozen of them outlast the default.
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

async function ok(args: readonly string[], stdin?: string): Promise<Record<string, unknown>> {
  const result = await admin([...args, '--json'], stdin);
  expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: dataLine() });
  return onlyJson(result);
}

/** The line every command that opens the data writes on stderr first: which data it works on. */
const dataLine = () => `admin: using DynamoDB Local at ${testDynamoDbEndpoint()}\n`;

/**
 * A refusal with --json: nothing on stdout, one JSON object as the last line of stderr, after at most the
 * data line (a usage error is refused before any data is opened).
 */
function jsonError(result: Run, exitCode: 1 | 2): { code: string; message: string } {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: exitCode, stdout: '' });
  const lines = result.stderr.trim().split('\n');
  expect(lines.slice(0, -1).every((line) => `${line}\n` === dataLine())).toBe(true);
  expect(lines.length).toBeLessThanOrEqual(2);
  const parsed = JSON.parse(lines.at(-1) as string) as { error: { code: string; message: string } };
  expect(parsed).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  return parsed.error;
}

const newTenant = async () => (await ok(['tenant', 'create', '--name', `Acme ${randomUUID()}`])).tenantId as string;

const PASSWORD = 'the first long password';

async function newAdmin(tenantId: string, email: string): Promise<string> {
  const created = await ok(
    [
      'admin',
      'create',
      '--tenant',
      tenantId,
      '--email',
      email,
      '--given-name',
      'Ann',
      '--family-name',
      'Smith',
      '--password-stdin',
    ],
    PASSWORD,
  );
  return created.userId as string;
}

async function recentActions(tenantId: string, user: string): Promise<{ action: string; actor: string }[]> {
  const shown = await ok(['user', 'show', '--tenant', tenantId, '--user', user]);
  return shown.recentChanges as { action: string; actor: string }[];
}

describe('admin accounts and tenants from the CLI', () => {
  test('--help works on the new commands and names their options', async () => {
    const invocations = [
      ['admin', 'set-name'],
      ['admin', 'set-password'],
      ['admin', 'unlock'],
      ['tenant', 'create'],
      ['admin', 'create'],
    ];
    const results = await Promise.all(invocations.map((words) => admin([...words, '--help'])));
    for (const [index, result] of results.entries()) {
      expect({ words: invocations[index], code: result.code }).toEqual({ words: invocations[index], code: 0 });
      expect(result.stdout).toMatch(/^Usage: npm run admin -- /);
    }
    expect(results[0]?.stdout).toContain('--given-name');
    expect(results[1]?.stdout).toContain('--password-stdin');
    expect(results[3]?.stdout).toContain('--force');
    expect(results[4]?.stdout).toContain('--family-name');
  });

  test('admin create needs the admin’s name and gives it to the admin’s user; set-name names older admins', async () => {
    const tenantId = await newTenant();
    const [noNames, blankName] = await Promise.all([
      admin(
        ['admin', 'create', '--tenant', tenantId, '--email', 'a@acme.example', '--password-stdin', '--json'],
        PASSWORD,
      ),
      admin(
        [
          'admin',
          'create',
          '--tenant',
          tenantId,
          '--email',
          'a@acme.example',
          '--given-name',
          ' ',
          '--family-name',
          'Smith',
          '--password-stdin',
        ],
        PASSWORD,
      ),
    ]);
    expect(jsonError(noNames, 2)).toEqual({ code: 'usage', message: '--given-name is required' });
    expect(blankName).toMatchObject({ code: 2, stdout: '', stderr: 'admin: --given-name is required\n' });

    const userId = await newAdmin(tenantId, 'ann@acme.example');
    const shown = await ok(['user', 'show', '--tenant', tenantId, '--user', userId]);
    expect(shown.user).toMatchObject({ userName: 'ann@acme.example', givenName: 'Ann', familyName: 'Smith' });

    const { tenants } = oauthStores();
    const legacy = await ok(['user', 'create', '--tenant', tenantId, '--email', 'old@acme.example']);
    await tenants.createAdmin({
      tenantId,
      email: 'old@acme.example',
      passwordHash: 'h',
      userId: legacy.userId as string,
    });
    const named = await ok([
      'admin',
      'set-name',
      '--tenant',
      tenantId,
      '--email',
      'OLD@acme.example',
      '--given-name',
      'Olga',
      '--family-name',
      'Old',
      '--actor',
      'helpdesk',
    ]);
    expect(named.user).toMatchObject({ userId: legacy.userId, givenName: 'Olga', familyName: 'Old' });
    expect((await recentActions(tenantId, legacy.userId as string))[0]).toMatchObject({
      action: 'user.name',
      actor: 'helpdesk',
    });
    const unknown = await admin([
      'admin',
      'set-name',
      '--tenant',
      tenantId,
      '--email',
      'ghost@acme.example',
      '--given-name',
      'G',
      '--family-name',
      'H',
    ]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain(`Tenant ${tenantId} has no admin ghost@acme.example`);
  });

  test('admin set-password reads the new password from stdin; the old one stops working, grants stay', async () => {
    const tenantId = await newTenant();
    const userId = await newAdmin(tenantId, 'pat@acme.example');
    const { tenants, grants } = oauthStores();
    const approved = await grants.create({
      grantId: `grant-${randomUUID()}`,
      tenantId,
      clientId: 'client-x',
      subject: userId,
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });
    const newPassword = 'a brand new long password';
    const changed = await ok(
      [
        'admin',
        'set-password',
        '--tenant',
        tenantId,
        '--email',
        'PAT@acme.example',
        '--password-stdin',
        '--actor',
        'helpdesk',
      ],
      `${newPassword}\n`,
    );
    expect(changed).toEqual({ userId, email: 'pat@acme.example', passwordChanged: true });
    const stored = (await tenants.findAdminByEmail(tenantId, 'pat@acme.example'))?.passwordHash as string;
    await expect(verifyPassword(newPassword, stored)).resolves.toBe(true);
    await expect(verifyPassword(PASSWORD, stored)).resolves.toBe(false);
    await expect(grants.get(approved.grantId)).resolves.toMatchObject({ status: 'active' });
    expect((await recentActions(tenantId, userId))[0]).toMatchObject({ action: 'admin.password', actor: 'helpdesk' });

    const [noStdin, short, asArgument, unknown] = await Promise.all([
      admin(['admin', 'set-password', '--tenant', tenantId, '--email', 'pat@acme.example'], newPassword),
      admin(
        ['admin', 'set-password', '--tenant', tenantId, '--email', 'pat@acme.example', '--password-stdin'],
        'short',
      ),
      admin(['admin', 'set-password', '--tenant', tenantId, '--email', 'pat@acme.example', '--password', newPassword]),
      admin(
        ['admin', 'set-password', '--tenant', tenantId, '--email', 'ghost@acme.example', '--password-stdin', '--json'],
        newPassword,
      ),
    ]);
    expect(noStdin).toMatchObject({ code: 2, stdout: '' });
    expect(short).toMatchObject({ code: 2, stdout: '' });
    expect(asArgument).toMatchObject({ code: 2, stdout: '' });
    expect(jsonError(unknown, 1)).toEqual({
      code: 'unknown-admin',
      message: `Tenant ${tenantId} has no admin ghost@acme.example (list them with: admin list)`,
    });
    const after = (await tenants.findAdminByEmail(tenantId, 'pat@acme.example'))?.passwordHash;
    expect(after).toBe(stored);
  });

  test('admin unlock lifts the sign-in lock-out of that account only, and records it; grants stay', async () => {
    const tenantId = await newTenant();
    const userId = await newAdmin(tenantId, 'locked@acme.example');
    await newAdmin(tenantId, 'other@acme.example');
    const throttle = new LoginThrottleStore(documentClient(), tableName('grants'));
    // Failed sign-ins a minute apart until the counter locks (15 minutes from the last one).
    const lockOut = async (email: string) => {
      const start = Math.floor(Date.now() / 1000);
      for (let attempt = 0; attempt < ACCOUNT_POLICY.lockAfterFailures; attempt += 1) {
        const at = start + attempt * (ACCOUNT_POLICY.maxDelaySeconds + 1);
        await throttle.reserveAttempt(accountThrottleKey(tenantId, email), ACCOUNT_POLICY, at);
      }
    };
    const waits = async (email: string) =>
      (await throttle.read(accountThrottleKey(tenantId, email))).nextAttemptAt > Math.floor(Date.now() / 1000);
    await lockOut('locked@acme.example');
    await lockOut('other@acme.example');
    expect(await waits('locked@acme.example')).toBe(true);
    const { grants } = oauthStores();
    const approved = await grants.create({
      grantId: `grant-${randomUUID()}`,
      tenantId,
      clientId: 'client-x',
      subject: userId,
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });

    const unlocked = await ok(['admin', 'unlock', '--tenant', tenantId, '--email', 'Locked@acme.example']);
    expect(unlocked).toEqual({ userId, email: 'locked@acme.example', unlocked: true });
    expect(await waits('locked@acme.example')).toBe(false);
    expect(await waits('other@acme.example')).toBe(true);
    await expect(grants.get(approved.grantId)).resolves.toMatchObject({ status: 'active' });
    expect((await recentActions(tenantId, userId))[0]).toMatchObject({ action: 'admin.unlock' });
    const unknown = await admin(['admin', 'unlock', '--tenant', tenantId, '--email', 'ghost@acme.example']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('has no admin ghost@acme.example');
  });

  test('tenant create refuses a name another tenant has (any letter case) unless --force; errors as JSON', async () => {
    const name = `Initech ${randomUUID()}`;
    const first = (await ok(['tenant', 'create', '--name', name])).tenantId as string;
    const [again, plain] = await Promise.all([
      admin(['tenant', 'create', '--name', ` ${name.toUpperCase()} `, '--json']),
      admin(['tenant', 'create', '--name', name.toLowerCase()]),
    ]);
    expect(jsonError(again, 1)).toEqual({
      code: 'duplicate-tenant-name',
      message: `A tenant named "${name.toUpperCase()}" already exists (${first}); choose another name, or add --force to create a second one`,
    });
    expect(plain).toMatchObject({ code: 1, stdout: '' });
    expect(plain.stderr).toMatch(/^admin: A tenant named .* already exists/m);
    const forced = (await ok(['tenant', 'create', '--name', name, '--force'])).tenantId as string;
    expect(forced).not.toBe(first);
    const listed = (await ok(['tenant', 'list'])).tenants as { tenantId: string; name: string }[];
    expect(listed.filter((tenant) => tenant.name === name).map((tenant) => tenant.tenantId)).toEqual([first, forced]);
  });

  test('with --json, usage errors and unknown commands are JSON objects too', async () => {
    const [unknownCommand, badOption, unknownTenant] = await Promise.all([
      admin(['tenant', 'explode', '--json']),
      admin(['tenant', 'create', '--name', 'x', '--bogus', '--json']),
      admin(['brand', 'list', '--tenant', 'no-such-tenant', '--json']),
    ]);
    expect(jsonError(unknownCommand, 2).code).toBe('usage');
    expect(jsonError(badOption, 2).code).toBe('usage');
    expect(jsonError(unknownTenant, 1)).toEqual({
      code: 'unknown-tenant',
      message: 'There is no tenant no-such-tenant (list them with: tenant list)',
    });
  });
});
