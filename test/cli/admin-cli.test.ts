import { randomUUID } from 'node:crypto';
import { authenticateClientSecret } from '../../core/oauth/clients';
import { verifyPassword } from '../../core/oauth/passwords';
import { passwordHashCost, WEAK_TEST_PASSWORD_HASHING } from '../../functions/_shared/password-hashing';
import { admin, onlyJson, run } from '../support/admin-cli';
import { useLocalEnvironment } from '../support/local-service';
import { OKTA_CALLBACK, OKTA_EMEA_CALLBACK, oauthStores } from '../support/oauth';

/** `admin create` asks for the admin's name (SCIM lists it on the admin's user). */
const ADMIN_NAME = ['--given-name', 'Ann', '--family-name', 'Smith'];

async function createTenant(name = `Acme ${randomUUID()}`): Promise<string> {
  const result = await admin(['tenant', 'create', '--name', name, '--json']);
  expect(result.code).toBe(0);
  return onlyJson(result).tenantId as string;
}

// Each step starts the real CLI (a TypeScript process); on a loaded machine a dozen of them outlast the default.
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

describe('admin CLI', () => {
  test('--help works on the CLI, on each group and on every command', async () => {
    const invocations = [
      [],
      ['tenant'],
      ['client'],
      ['grant'],
      ['admin'],
      ['admin', 'list'],
      ['admin', 'delete'],
      ['tenant', 'create'],
      ['tenant', 'list'],
      ['admin', 'create'],
      ['client', 'create'],
      ['client', 'list'],
      ['client', 'rotate-secret'],
      ['client', 'delete'],
      ['grant', 'list'],
      ['grant', 'revoke'],
    ];
    const results = await Promise.all(invocations.map((words) => admin([...words, '--help'])));
    for (const [index, result] of results.entries()) {
      expect({ words: invocations[index], code: result.code }).toEqual({ words: invocations[index], code: 0 });
      expect(result.stdout).toMatch(/^Usage: npm run admin -- /);
    }
    expect(results[9]?.stdout).toContain('--password-stdin');
    expect(results[12]?.stdout).toContain('--overlap');
  });

  test('tenant create --json prints {"tenantId"} and the tenant exists', async () => {
    const name = `Globex ${randomUUID()}`;
    const tenantId = await createTenant(name);
    await expect(oauthStores().tenants.get(tenantId)).resolves.toMatchObject({ tenantId, name });
  });

  test('admin create reads the password from stdin and stores only its scrypt hash, at the production cost', async () => {
    const tenantId = await createTenant();
    const password = 'correct horse battery staple';
    // The one place the tests pay the production cost: without the test run's setting, as operators run it.
    const result = await admin(
      [
        'admin',
        'create',
        ...ADMIN_NAME,
        '--tenant',
        tenantId,
        '--email',
        'Ann@Acme.example',
        '--password-stdin',
        '--json',
      ],
      `${password}\n`,
      { [WEAK_TEST_PASSWORD_HASHING]: undefined },
    );
    expect(result.code).toBe(0);
    const { userId } = onlyJson(result);
    const stored = await oauthStores().tenants.findAdminByEmail(tenantId, 'ann@acme.example');
    expect(stored?.userId).toBe(userId);
    expect(stored?.passwordHash).not.toContain(password);
    expect(stored?.passwordHash).toMatch(/^scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword(password, stored?.passwordHash as string)).resolves.toBe(true);
    expect(result.stdout + result.stderr).not.toContain(password);
  });

  test('in the test run, the CLI hashes at the test-only cost its environment carries', async () => {
    const tenantId = await createTenant();
    const password = 'correct horse battery staple';
    const result = await admin(
      [
        'admin',
        'create',
        '--tenant',
        tenantId,
        '--email',
        'bo@acme.example',
        '--given-name',
        'Bo',
        '--family-name',
        'Berg',
        '--password-stdin',
        '--json',
      ],
      `${password}\n`,
    );
    expect(result.code).toBe(0);
    const stored = await oauthStores().tenants.findAdminByEmail(tenantId, 'bo@acme.example');
    expect(stored?.passwordHash).toMatch(new RegExp(`^scrypt\\$ln=${passwordHashCost().log2Cost},r=8,p=1\\$`));
    expect(passwordHashCost().log2Cost).toBeLessThan(17);
    await expect(verifyPassword(password, stored?.passwordHash as string)).resolves.toBe(true);
  });

  test('admin create refuses an unknown tenant, a short password, a missing --password-stdin and a duplicate', async () => {
    const tenantId = await createTenant();
    const [unknownTenant, shortPassword, noStdinFlag, first] = await Promise.all([
      admin(
        ['admin', 'create', ...ADMIN_NAME, '--tenant', 'no-such-tenant', '--email', 'a@b.example', '--password-stdin'],
        'long enough password',
      ),
      admin(
        ['admin', 'create', ...ADMIN_NAME, '--tenant', tenantId, '--email', 'a@b.example', '--password-stdin'],
        'short',
      ),
      admin(['admin', 'create', ...ADMIN_NAME, '--tenant', tenantId, '--email', 'a@b.example']),
      admin(
        ['admin', 'create', ...ADMIN_NAME, '--tenant', tenantId, '--email', 'b@b.example', '--password-stdin'],
        'long enough password',
      ),
    ]);
    expect(unknownTenant).toMatchObject({ code: 1, stdout: '' });
    expect(unknownTenant.stderr).toContain('There is no tenant no-such-tenant');
    expect(shortPassword).toMatchObject({ code: 2, stdout: '' });
    expect(noStdinFlag).toMatchObject({ code: 2, stdout: '' });
    expect(first.code).toBe(0);
    const duplicate = await admin(
      ['admin', 'create', ...ADMIN_NAME, '--tenant', tenantId, '--email', 'B@b.example', '--password-stdin'],
      'long enough password',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already has an admin');
  });

  test('client create prints {"clientId", "clientSecret", "kind"} once; the secret authenticates and is not stored', async () => {
    const tenantId = await createTenant();
    const result = await admin([
      'client',
      'create',
      '--tenant',
      tenantId,
      '--name',
      'Okta',
      '--redirect-uri',
      OKTA_CALLBACK,
      '--redirect-uri',
      OKTA_EMEA_CALLBACK,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const created = onlyJson(result);
    expect(Object.keys(created).sort()).toEqual(['clientId', 'clientSecret', 'kind']);
    expect(created.kind).toBe('authorization_code');
    const { clients } = oauthStores();
    await expect(
      authenticateClientSecret(clients, created.clientId as string, created.clientSecret as string, new Date()),
    ).resolves.toMatchObject({
      tenantId,
      redirectUris: [OKTA_CALLBACK, OKTA_EMEA_CALLBACK],
    });
    const listed = await admin(['client', 'list', '--tenant', tenantId, '--json']);
    expect(listed.code).toBe(0);
    expect(onlyJson(listed).clients).toEqual([expect.objectContaining({ clientId: created.clientId, name: 'Okta' })]);
    expect(listed.stdout).not.toContain(created.clientSecret as string);
  });

  test.each([
    ['http on a public host', 'http://example.com/cb'],
    ['a fragment', 'https://example.com/cb#frag'],
    ['a relative URI', '/cb'],
  ])('AS-A4: client create refuses a redirect URI with %s (exit 2) and creates nothing', async (_case, uri) => {
    const tenantId = await createTenant();
    const result = await admin([
      'client',
      'create',
      '--tenant',
      tenantId,
      '--name',
      'x',
      '--redirect-uri',
      uri,
      '--json',
    ]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'usage', message: expect.stringMatching(/^The redirect URI/) },
    });
    await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
  });

  test('client create --grant client_credentials: a machine client with its token lifetime and secret expiry', async () => {
    const tenantId = await createTenant();
    const before = Math.floor(Date.now() / 1000);
    const result = await admin([
      'client',
      'create',
      '--grant',
      'client_credentials',
      '--tenant',
      tenantId,
      '--name',
      'Entra',
      '--token-lifetime',
      '2h',
      '--secret-expires-in',
      '2y',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const created = onlyJson(result);
    expect(created).toMatchObject({ kind: 'client_credentials', accessTokenLifetimeSeconds: 7200 });
    const secretExpiresAt = Date.parse(created.secretExpiresAt as string) / 1000;
    expect(secretExpiresAt).toBeGreaterThanOrEqual(before + 2 * 365 * 86_400);
    expect(secretExpiresAt).toBeLessThan(before + 2 * 365 * 86_400 + 600);
    const { clients } = oauthStores();
    await expect(
      authenticateClientSecret(clients, created.clientId as string, created.clientSecret as string, new Date()),
    ).resolves.toMatchObject({ tenantId, kind: 'client_credentials', redirectUris: [] });
    const listed = await admin(['client', 'list', '--tenant', tenantId]);
    expect(listed.stdout).toContain('client_credentials');
    expect(listed.stdout).not.toContain(created.clientSecret as string);
  });

  test("client create --grant client_credentials prints the values Entra's provisioning page asks for", async () => {
    const tenantId = await createTenant();
    const options = ['client', 'create', '--grant', 'client_credentials', '--tenant', tenantId, '--name', 'Entra'];
    const [text, json] = await Promise.all([
      admin([...options, '--base-url', 'https://scim.example.com/']),
      admin([...options, '--base-url', 'https://scim.example.com', '--json']),
    ]);
    expect(text.code).toBe(0);
    const clientId = /Client Identifier {2}(\S+)/.exec(text.stdout)?.[1];
    const clientSecret = /Client Secret {6}(\S+)/.exec(text.stdout)?.[1];
    expect(text.stdout).toContain('Tenant URL         https://scim.example.com/scim/v2\n');
    expect(text.stdout).toContain('Token Endpoint     https://scim.example.com/oauth/token\n');
    await expect(
      authenticateClientSecret(oauthStores().clients, clientId as string, clientSecret as string, new Date()),
    ).resolves.toMatchObject({ tenantId, kind: 'client_credentials' });
    expect(onlyJson(json)).toMatchObject({
      kind: 'client_credentials',
      tenantUrl: 'https://scim.example.com/scim/v2',
      tokenEndpoint: 'https://scim.example.com/oauth/token',
      accessTokenLifetimeSeconds: 3600,
    });
    const badUrl = await admin([...options, '--base-url', 'scim.example.com']);
    expect(badUrl).toMatchObject({ code: 2, stdout: '' });
  });

  test.each([
    ['a token lifetime under 60 minutes', ['--grant', 'client_credentials', '--token-lifetime', '59m']],
    ['a token lifetime over 6 hours', ['--grant', 'client_credentials', '--token-lifetime', '7h']],
    ['a secret expiry over 3 years', ['--grant', 'client_credentials', '--secret-expires-in', '4y']],
    ['a secret expiry under a day', ['--grant', 'client_credentials', '--secret-expires-in', '1h']],
    ['a redirect URI on a machine client', ['--grant', 'client_credentials', '--redirect-uri', OKTA_CALLBACK]],
    ['a token lifetime on a code client', ['--redirect-uri', OKTA_CALLBACK, '--token-lifetime', '2h']],
    ['an unknown grant', ['--grant', 'password']],
  ])('client create refuses %s (exit 2) and creates nothing', async (_case, options) => {
    const tenantId = await createTenant();
    const result = await admin(['client', 'create', '--tenant', tenantId, '--name', 'x', ...options, '--json']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'usage' } });
    await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
  });

  test('client create --multi-tenant: one client of no tenant, listed as multi-tenant; --tenant and machine kind refused', async () => {
    const result = await admin([
      'client',
      'create',
      '--multi-tenant',
      '--name',
      'Okta catalogue app',
      '--redirect-uri',
      OKTA_CALLBACK,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const created = onlyJson(result);
    expect(created).toMatchObject({ kind: 'authorization_code', multiTenant: true });
    const { clients } = oauthStores();
    const client = await authenticateClientSecret(
      clients,
      created.clientId as string,
      created.clientSecret as string,
      new Date(),
    );
    expect(client).toMatchObject({ clientId: created.clientId, redirectUris: [OKTA_CALLBACK] });
    expect(client?.tenantId).toBeUndefined();
    const listed = onlyJson(await admin(['client', 'list', '--json']));
    expect(listed.clients).toContainEqual(expect.objectContaining({ clientId: created.clientId, multiTenant: true }));

    const tenantId = await createTenant();
    const [withTenant, machine] = await Promise.all([
      admin([
        'client',
        'create',
        '--multi-tenant',
        '--tenant',
        tenantId,
        '--name',
        'x',
        '--redirect-uri',
        OKTA_CALLBACK,
      ]),
      admin(['client', 'create', '--multi-tenant', '--grant', 'client_credentials', '--name', 'x']),
    ]);
    expect(withTenant.code).toBe(2);
    expect(withTenant.stderr).toContain('leave out --tenant');
    expect(machine.code).toBe(2);
    expect(machine.stderr).toContain('belongs to one tenant');
    await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
  });

  test('client create refuses an unknown tenant and a missing redirect URI', async () => {
    const [unknown, missing] = await Promise.all([
      admin(['client', 'create', '--tenant', 'nope', '--name', 'x', '--redirect-uri', OKTA_CALLBACK]),
      admin(['client', 'create', '--tenant', 'nope', '--name', 'x']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no tenant nope');
    expect(missing.code).toBe(2);
  });

  test('client rotate-secret: both secrets work during the overlap; delete revokes the client’s grants', async () => {
    const tenantId = await createTenant();
    const created = onlyJson(
      await admin([
        'client',
        'create',
        '--tenant',
        tenantId,
        '--name',
        'Okta',
        '--redirect-uri',
        OKTA_CALLBACK,
        '--json',
      ]),
    );
    const clientId = created.clientId as string;
    const rotation = await admin(['client', 'rotate-secret', '--client', clientId, '--overlap', '1h', '--json']);
    expect(rotation.code).toBe(0);
    const rotated = onlyJson(rotation);
    const ends = Date.parse(rotated.previousSecretExpiresAt as string);
    expect(ends).toBeGreaterThan(Date.now() + 3500_000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 3600_000);
    const { clients, grants } = oauthStores();
    await expect(
      authenticateClientSecret(clients, clientId, created.clientSecret as string, new Date()),
    ).resolves.toBeDefined();
    await expect(
      authenticateClientSecret(clients, clientId, rotated.clientSecret as string, new Date()),
    ).resolves.toBeDefined();

    const grant = await grants.create({
      grantId: `grant-${clientId}`,
      tenantId,
      clientId,
      subject: 'admin',
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });
    const deleted = await admin(['client', 'delete', '--client', clientId, '--json']);
    expect(deleted.code).toBe(0);
    expect(onlyJson(deleted)).toEqual({ clientId, deleted: true, revokedGrants: 1 });
    await expect(grants.get(grant.grantId)).resolves.toMatchObject({
      status: 'revoked',
      revokedReason: 'client-deleted',
    });
    await expect(
      authenticateClientSecret(clients, clientId, rotated.clientSecret as string, new Date()),
    ).resolves.toBeUndefined();
    const again = await admin(['client', 'delete', '--client', clientId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`There is no client ${clientId}`);
  });

  test('AS-G7: admin list shows no hashes; admin delete revokes the grants that admin approved', async () => {
    const tenantId = await createTenant();
    const created = onlyJson(
      await admin(
        [
          'admin',
          'create',
          ...ADMIN_NAME,
          '--tenant',
          tenantId,
          '--email',
          'leaver@acme.example',
          '--password-stdin',
          '--json',
        ],
        'a long enough password',
      ),
    );
    const listed = await admin(['admin', 'list', '--tenant', tenantId, '--json']);
    expect(onlyJson(listed).admins).toEqual([
      { userId: created.userId, tenantId, email: 'leaver@acme.example', createdAt: expect.any(String) },
    ]);
    const { grants } = oauthStores();
    const approved = await grants.create({
      grantId: `grant-by-${created.userId as string}`,
      tenantId,
      clientId: 'client-x',
      subject: created.userId as string,
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });
    const deleted = await admin(['admin', 'delete', '--tenant', tenantId, '--email', 'Leaver@acme.example', '--json']);
    expect(onlyJson(deleted)).toEqual({ userId: created.userId, deleted: true, revokedGrants: 1 });
    await expect(grants.get(approved.grantId)).resolves.toMatchObject({
      status: 'revoked',
      revokedReason: 'approver-removed',
    });
    await expect(oauthStores().tenants.findAdminByEmail(tenantId, 'leaver@acme.example')).resolves.toBeUndefined();
    const again = await admin(['admin', 'delete', '--tenant', tenantId, '--email', 'leaver@acme.example']);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toContain(`Tenant ${tenantId} has no admin leaver@acme.example`);
  });

  test('grant list and grant revoke', async () => {
    const tenantId = await createTenant();
    const { grants } = oauthStores();
    const grant = await grants.create({
      grantId: `grant-${tenantId}`,
      tenantId,
      clientId: 'client-x',
      subject: 'admin',
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });
    const listed = onlyJson(await admin(['grant', 'list', '--tenant', tenantId, '--json']));
    expect(listed.grants).toEqual([expect.objectContaining({ grantId: grant.grantId, status: 'active' })]);
    const revoked = await admin(['grant', 'revoke', '--grant', grant.grantId, '--json']);
    expect(onlyJson(revoked)).toEqual({ grantId: grant.grantId, status: 'revoked' });
    await expect(grants.get(grant.grantId)).resolves.toMatchObject({ status: 'revoked', revokedReason: 'admin' });
    const unknown = await admin(['grant', 'revoke', '--grant', 'no-such-grant']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no grant no-such-grant');
  });

  test('a wrong command line is exit 2 with a message on stderr and nothing on stdout', async () => {
    const results = await Promise.all([
      admin(['tenant', 'explode']),
      admin(['nonsense']),
      admin(['tenant', 'create', '--name', 'x', '--unknown-option']),
      admin(['tenant', 'create']),
      admin(['client', 'rotate-secret', '--client', 'x', '--overlap', 'forever']),
    ]);
    for (const result of results) {
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/^admin: \S/);
    }
  });

  test('`npm run --silent admin -- … --json` prints exactly one JSON object on stdout (the scripting form)', async () => {
    const result = await run('npm', [
      'run',
      '--silent',
      'admin',
      '--',
      'tenant',
      'create',
      '--name',
      'Scripted',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(onlyJson(result)).toEqual({ tenantId: expect.any(String) });
  });
});
