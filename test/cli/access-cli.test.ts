import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { documentClient, tableName } from '../../functions/_shared/services';
import { admin, onlyJson, type Run } from '../support/admin-cli';
import { testDynamoDbEndpoint, useLocalEnvironment } from '../support/local-service';
import { oauthStores } from '../support/oauth';

/** `admin create` asks for the admin's name (SCIM lists it on the admin's user). */
const ADMIN_NAME = ['--given-name', 'Ann', '--family-name', 'Smith'];

/** The access-model commands of the real CLI, as a child process, against the test run's DynamoDB Local. */
// Each step starts the real CLI (a TypeScript process); on a loaded machine a dozen of them outlast the default.
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

const users = () => new DynamoDbUserStore(documentClient(), tableName('users'));

async function ok(args: readonly string[], stdin?: string): Promise<Record<string, unknown>> {
  const result = await admin([...args, '--json'], stdin);
  expect({ args, code: result.code, stderr: result.stderr }).toEqual({
    args,
    code: 0,
    stderr: `admin: using DynamoDB Local at ${testDynamoDbEndpoint()}\n`,
  });
  return onlyJson(result);
}

function refused(result: Run, code: 1 | 2, message: string | RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).toMatch(/^admin: /);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
}

async function newTenant(): Promise<string> {
  return (await ok(['tenant', 'create', '--name', `Acme ${randomUUID()}`])).tenantId as string;
}

async function newUser(tenantId: string, email: string): Promise<string> {
  return (await ok(['user', 'create', '--tenant', tenantId, '--email', email])).userId as string;
}

type ShownUser = { userId: string; role: string; allBrands: boolean; brands: string[] } & Record<string, unknown>;

async function show(tenantId: string, user: string) {
  return (await ok(['user', 'show', '--tenant', tenantId, '--user', user])) as {
    user: ShownUser;
    adminAccount: string | null;
    recentChanges: { at: string; actor: string; action: string; details: Record<string, unknown> }[];
  };
}

describe('access-model commands', () => {
  test('--help works on the brand, role and user groups and on each of their commands', async () => {
    const invocations = [
      ['brand'],
      ['role'],
      ['user'],
      ['admin', 'link'],
      ...['create', 'list', 'rename', 'delete'].flatMap((action) => [
        ['brand', action],
        ['role', action],
      ]),
      ...['create', 'list', 'show', 'set-role', 'set-brands'].map((action) => ['user', action]),
    ];
    const results = await Promise.all(invocations.map((words) => admin([...words, '--help'])));
    for (const [index, result] of results.entries()) {
      expect({ words: invocations[index], code: result.code }).toEqual({ words: invocations[index], code: 0 });
      expect(result.stdout).toMatch(/^Usage: npm run admin -- /);
    }
    const main = await admin(['--help']);
    for (const command of ['brand create', 'brand rename', 'role rename', 'role delete', 'user set-brands']) {
      expect(main.stdout).toContain(command);
    }
  });

  test('user create makes an ordinary SCIM user; list, filter and show find it, by email in any case', async () => {
    const tenantId = await newTenant();
    const userId = await newUser(tenantId, 'Ann.Lee@Acme.example');
    const created = await ok([
      'user',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'bo@acme.example',
      '--given-name',
      'Bo',
      '--family-name',
      'Ek',
    ]);
    const stored = await users().get(tenantId, userId);
    expect(stored).toMatchObject({
      version: 1,
      attributes: {
        userName: 'Ann.Lee@Acme.example',
        active: true,
        emails: [{ value: 'Ann.Lee@Acme.example', type: 'work', primary: true }],
      },
      access: { role: 'collaborator', allBrands: true, brands: [] },
    });
    await expect(users().get(tenantId, created.userId as string)).resolves.toMatchObject({
      attributes: { name: { givenName: 'Bo', familyName: 'Ek' } },
    });

    const listed = (await ok(['user', 'list', '--tenant', tenantId])).users as ShownUser[];
    expect(listed.map((user) => user.userId)).toEqual([userId, created.userId]);
    const filtered = await ok(['user', 'list', '--tenant', tenantId, '--filter', 'userName eq "ANN.LEE@acme.EXAMPLE"']);
    expect(filtered.users).toEqual([expect.objectContaining({ userId, role: 'collaborator', allBrands: true })]);
    const byName = await ok(['user', 'list', '--tenant', tenantId, '--filter', 'name.givenName sw "B"']);
    expect(byName.users).toEqual([expect.objectContaining({ userId: created.userId, givenName: 'Bo' })]);

    const shown = await show(tenantId, 'ann.lee@acme.EXAMPLE');
    expect(shown.user).toMatchObject({
      userId,
      userName: 'Ann.Lee@Acme.example',
      role: 'collaborator',
      allBrands: true,
    });
    expect(shown.adminAccount).toBeNull();
    expect(shown.recentChanges).toEqual([
      expect.objectContaining({ action: 'user.create', actor: userInfo().username, userId }),
    ]);
    await expect(show(tenantId, userId)).resolves.toMatchObject({ user: { userId } });

    const [duplicate, badFilter, badEmail] = await Promise.all([
      admin(['user', 'create', '--tenant', tenantId, '--email', 'ANN.LEE@acme.example']),
      admin(['user', 'list', '--tenant', tenantId, '--filter', 'userName eq']),
      admin(['user', 'create', '--tenant', tenantId, '--email', 'not-an-email']),
    ]);
    refused(duplicate, 1, 'already exists');
    refused(badFilter, 2, /filter/i);
    refused(badEmail, 2, 'is not an email address');
  });

  test('brands: create, list, scope a user, delete removes the brand from every list and bumps the version', async () => {
    const tenantId = await newTenant();
    const north = (await ok(['brand', 'create', '--tenant', tenantId, '--name', 'North'])).brandId as string;
    const south = (await ok(['brand', 'create', '--tenant', tenantId, '--name', 'South'])).brandId as string;
    expect((await ok(['brand', 'list', '--tenant', tenantId])).brands).toEqual([
      { brandId: north, name: 'North', createdAt: expect.any(String) },
      { brandId: south, name: 'South', createdAt: expect.any(String) },
    ]);
    const scoped = await newUser(tenantId, 'scoped@acme.example');
    const everything = await newUser(tenantId, 'all@acme.example');
    const only = await newUser(tenantId, 'only@acme.example');
    const set = await ok([
      'user',
      'set-brands',
      '--tenant',
      tenantId,
      '--user',
      'scoped@acme.example',
      '--brand',
      north,
      '--brand',
      south,
      '--actor',
      'ops@acme',
    ]);
    expect(set.user).toMatchObject({ userId: scoped, allBrands: false, brands: [north, south] });
    await ok(['user', 'set-brands', '--tenant', tenantId, '--user', only, '--brand', north]);
    const before = await users().get(tenantId, scoped);

    const deleted = await ok(['brand', 'delete', '--tenant', tenantId, '--brand', north, '--actor', 'ops@acme']);
    expect(deleted).toEqual({ brandId: north, deleted: true, removedFromUsers: 2 });
    const after = await users().get(tenantId, scoped);
    expect(after?.access).toEqual({ role: 'collaborator', allBrands: false, brands: [south] });
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    await expect(users().get(tenantId, only)).resolves.toMatchObject({ access: { allBrands: false, brands: [] } });
    await expect(users().get(tenantId, everything)).resolves.toMatchObject({ version: 1, access: { allBrands: true } });
    expect((await ok(['brand', 'list', '--tenant', tenantId])).brands).toEqual([
      expect.objectContaining({ brandId: south }),
    ]);

    const history = await show(tenantId, scoped);
    expect(history.recentChanges.map((change) => [change.action, change.actor])).toEqual([
      ['user.brands', 'ops@acme'],
      ['user.brands', 'ops@acme'],
      ['user.create', userInfo().username],
    ]);
    expect(history.recentChanges[0]?.details).toEqual({
      brands: { from: [north, south], to: [south] },
      reason: `brand ${north} (North) deleted`,
    });
    expect(history.recentChanges[1]?.details).toEqual({ brands: { from: 'all', to: [north, south] } });

    const allAgain = await ok(['user', 'set-brands', '--tenant', tenantId, '--user', scoped, '--all']);
    expect(allAgain.user).toMatchObject({ allBrands: true, brands: [] });
    const [shownText, brandsText] = await Promise.all([
      admin(['user', 'show', '--tenant', tenantId, '--user', 'SCOPED@acme.example']),
      admin(['brand', 'list', '--tenant', tenantId]),
    ]);
    expect(shownText.stdout).toMatch(/^User scoped@acme\.example \(/);
    expect(shownText.stdout).toMatch(/Brands {9}all\n/);
    expect(shownText.stdout).toContain(
      `ops@acme  user.brands  brands ${JSON.stringify([north, south])} → ${JSON.stringify([south])}`,
    );
    expect(brandsText.stdout).toMatch(new RegExp(`^BRAND ID +NAME +CREATED\n${south} +South `));

    const [again, unknownBrand, both, neither] = await Promise.all([
      admin(['brand', 'delete', '--tenant', tenantId, '--brand', north]),
      admin(['user', 'set-brands', '--tenant', tenantId, '--user', scoped, '--brand', north]),
      admin(['user', 'set-brands', '--tenant', tenantId, '--user', scoped, '--all', '--brand', south]),
      admin(['user', 'set-brands', '--tenant', tenantId, '--user', scoped]),
    ]);
    refused(again, 1, `has no brand ${north}`);
    refused(unknownBrand, 1, `has no brand ${north}`);
    refused(both, 2, 'either --all or --brand');
    refused(neither, 2, '--all');
    await expect(users().get(tenantId, scoped)).resolves.toMatchObject({ access: { allBrands: true } });
  });

  test('roles: named as people type them, found in any letter case; a role in use cannot be deleted', async () => {
    const tenantId = await newTenant();
    const created = await ok([
      'role',
      'create',
      '--tenant',
      tenantId,
      '--name',
      'Email  Creator',
      '--description',
      'Writes the emails',
    ]);
    expect(created.role).toEqual({
      name: 'Email Creator',
      description: 'Writes the emails',
      builtIn: false,
      createdAt: expect.any(String),
    });
    await ok(['role', 'create', '--tenant', tenantId, '--name', 'brand-editor']);
    expect((await ok(['role', 'list', '--tenant', tenantId])).roles).toEqual([
      expect.objectContaining({ name: 'admin', builtIn: true }),
      expect.objectContaining({ name: 'collaborator', builtIn: true }),
      expect.objectContaining({ name: 'Email Creator', description: 'Writes the emails', builtIn: false }),
      expect.objectContaining({ name: 'brand-editor', builtIn: false }),
    ]);
    const [duplicate, builtIn, badName, deleteBuiltIn] = await Promise.all([
      admin(['role', 'create', '--tenant', tenantId, '--name', 'EMAIL CREATOR']),
      admin(['role', 'create', '--tenant', tenantId, '--name', 'Admin']),
      admin(['role', 'create', '--tenant', tenantId, '--name', 'x'.repeat(65)]),
      admin(['role', 'delete', '--tenant', tenantId, '--role', 'Collaborator']),
    ]);
    refused(duplicate, 1, 'already has a role Email Creator');
    refused(builtIn, 2, 'built-in role');
    refused(badName, 2, '1 to 64 characters');
    refused(deleteBuiltIn, 1, 'built-in role');

    const editor = await newUser(tenantId, 'ed@acme.example');
    const promoted = await ok(['user', 'set-role', '--tenant', tenantId, '--user', editor, '--role', 'email creator']);
    expect(promoted.user).toMatchObject({ role: 'Email Creator' });
    const inUse = await admin(['role', 'delete', '--tenant', tenantId, '--role', 'Email Creator']);
    refused(inUse, 1, 'Role Email Creator is still held by 1 user(s) (ed@acme.example)');
    expect((await ok(['role', 'list', '--tenant', tenantId])).roles).toHaveLength(4);
    await expect(users().get(tenantId, editor)).resolves.toMatchObject({ access: { role: 'Email Creator' } });

    await ok(['user', 'set-role', '--tenant', tenantId, '--user', editor, '--role', 'BRAND-EDITOR']);
    expect(await ok(['role', 'delete', '--tenant', tenantId, '--role', 'EMAIL creator'])).toEqual({
      role: 'Email Creator',
      deleted: true,
    });
    const [gone, unknown] = await Promise.all([
      admin(['user', 'set-role', '--tenant', tenantId, '--user', editor, '--role', 'Email Creator']),
      admin(['role', 'delete', '--tenant', tenantId, '--role', 'Email Creator']),
    ]);
    refused(gone, 1, 'has no role Email Creator');
    refused(unknown, 1, 'has no role Email Creator');
  });

  test('rename: a brand keeps its id and its users; a renamed role moves its users to the new name', async () => {
    const tenantId = await newTenant();
    const brandId = (await ok(['brand', 'create', '--tenant', tenantId, '--name', 'North'])).brandId as string;
    const scoped = await newUser(tenantId, 'scoped@acme.example');
    await ok(['user', 'set-brands', '--tenant', tenantId, '--user', scoped, '--brand', brandId]);
    const renamed = await ok([
      'brand',
      'rename',
      '--tenant',
      tenantId,
      '--brand',
      brandId,
      '--name',
      ' North America ',
      '--actor',
      'ops@acme',
    ]);
    expect(renamed).toEqual({ brandId, name: 'North America', previousName: 'North' });
    expect((await ok(['brand', 'list', '--tenant', tenantId])).brands).toEqual([
      { brandId, name: 'North America', createdAt: expect.any(String) },
    ]);
    await expect(users().get(tenantId, scoped)).resolves.toMatchObject({ access: { brands: [brandId] } });
    const brandText = await admin(['brand', 'rename', '--tenant', tenantId, '--brand', brandId, '--name', 'Nord']);
    expect(brandText.stdout).toBe(`Brand ${brandId} renamed from "North America" to "Nord".\n`);

    await ok(['role', 'create', '--tenant', tenantId, '--name', 'Email Creator', '--description', 'Writes']);
    const role = await ok(['role', 'rename', '--tenant', tenantId, '--role', 'email creator', '--name', 'Copywriter']);
    expect(role).toEqual({
      role: { name: 'Copywriter', description: 'Writes', builtIn: false, createdAt: expect.any(String) },
      previousName: 'Email Creator',
      movedUsers: 0,
      movedMappings: 0,
    });
    await ok(['user', 'set-role', '--tenant', tenantId, '--user', scoped, '--role', 'copywriter']);
    const held = await admin(['role', 'rename', '--tenant', tenantId, '--role', 'COPYWRITER', '--name', 'Writer']);
    expect(held.code).toBe(0);
    expect(held.stdout).toBe('Role Copywriter renamed to Writer; 1 user(s) and 0 group mapping(s) moved to it.\n');
    await expect(users().get(tenantId, scoped)).resolves.toMatchObject({ access: { role: 'Writer' } });
    const [latest] = (await ok(['user', 'show', '--tenant', tenantId, '--user', scoped])).recentChanges as {
      action: string;
      details: Record<string, unknown>;
    }[];
    expect(latest).toMatchObject({ action: 'user.role', details: { role: { from: 'Copywriter', to: 'Writer' } } });
    const [builtIn, toBuiltIn, unknownBrand, badBrandName, unknownRole] = await Promise.all([
      admin(['role', 'rename', '--tenant', tenantId, '--role', 'collaborator', '--name', 'Helper']),
      admin(['role', 'rename', '--tenant', tenantId, '--role', 'Writer', '--name', 'ADMIN']),
      admin(['brand', 'rename', '--tenant', tenantId, '--brand', 'no-such-brand', '--name', 'South']),
      admin(['brand', 'rename', '--tenant', tenantId, '--brand', brandId, '--name', 'x'.repeat(201)]),
      admin(['role', 'rename', '--tenant', tenantId, '--role', 'Email Creator', '--name', 'Writer']),
    ]);
    refused(builtIn, 1, 'built-in roles cannot be created, renamed or deleted');
    refused(toBuiltIn, 2, 'ADMIN is a built-in role');
    refused(unknownBrand, 1, 'has no brand no-such-brand');
    refused(badBrandName, 2, '--name must be at most 200 characters');
    refused(unknownRole, 1, 'has no role Email Creator');
    await expect(users().get(tenantId, scoped)).resolves.toMatchObject({ access: { role: 'Writer' } });
  });

  test('role rename interrupted: the old role cannot be given; the same command again finishes it', async () => {
    const tenantId = await newTenant();
    await ok(['role', 'create', '--tenant', tenantId, '--name', 'Support', '--description', 'Answers']);
    const holders = [await newUser(tenantId, 'sue@acme.example'), await newUser(tenantId, 'sam@acme.example')];
    for (const holder of holders)
      await ok(['user', 'set-role', '--tenant', tenantId, '--user', holder, '--role', 'Support']);
    // What a `role rename --role Support --name Helpdesk` stopped after its first steps leaves in the store.
    const store = new DynamoDbAccessStore(documentClient(), {
      clients: tableName('clients'),
      users: tableName('users'),
    });
    const marked = await store.markRoleRenaming(tenantId, 'support', 'Helpdesk');
    if (!marked) throw new Error('the role was not marked');
    await store.putRenamedRole(tenantId, { ...marked.role, key: 'helpdesk', name: 'Helpdesk' }, marked.renameId);

    const bystander = await newUser(tenantId, 'bo@acme.example');
    refused(
      await admin(['user', 'set-role', '--tenant', tenantId, '--user', bystander, '--role', 'Support']),
      1,
      'has no role Support',
    );
    refused(
      await admin(['role', 'rename', '--tenant', tenantId, '--role', 'Support', '--name', 'Service']),
      1,
      'Role Support is being renamed to Helpdesk; run that rename again to finish it',
    );
    const finished = await ok(['role', 'rename', '--tenant', tenantId, '--role', 'support', '--name', 'Helpdesk']);
    expect(finished).toEqual({
      role: { name: 'Helpdesk', description: 'Answers', builtIn: false, createdAt: expect.any(String) },
      previousName: 'Support',
      movedUsers: 2,
      movedMappings: 0,
    });
    for (const holder of holders) expect((await show(tenantId, holder)).user.role).toBe('Helpdesk');
    const roles = (await ok(['role', 'list', '--tenant', tenantId])).roles as { name: string }[];
    expect(roles.map((role) => role.name)).toEqual(['admin', 'collaborator', 'Helpdesk']);
  });

  test('admin create links the existing user of that email and gives it admin; the last admin cannot be demoted', async () => {
    const tenantId = await newTenant();
    const userId = await newUser(tenantId, 'boss@acme.example');
    const account = await ok(
      [
        'admin',
        'create',
        ...ADMIN_NAME,
        '--tenant',
        tenantId,
        '--email',
        'BOSS@acme.example',
        '--password-stdin',
        '--actor',
        'setup',
      ],
      'a long enough password',
    );
    expect(account).toEqual({ userId, linkedExistingUser: true });
    const shown = await show(tenantId, userId);
    expect(shown.user.role).toBe('admin');
    expect(shown.adminAccount).toBe('BOSS@acme.example');
    expect(shown.recentChanges[0]).toMatchObject({
      actor: 'setup',
      action: 'user.role',
      details: { role: { from: 'collaborator', to: 'admin' }, reason: 'admin account created' },
    });

    const lastAdmin = await admin([
      'user',
      'set-role',
      '--tenant',
      tenantId,
      '--user',
      userId,
      '--role',
      'collaborator',
    ]);
    refused(lastAdmin, 1, 'This is the last admin');
    await expect(users().get(tenantId, userId)).resolves.toMatchObject({ access: { role: 'admin' } });

    const fresh = await ok(
      ['admin', 'create', ...ADMIN_NAME, '--tenant', tenantId, '--email', 'second@acme.example', '--password-stdin'],
      'another long password',
    );
    expect(fresh.linkedExistingUser).toBe(false);
    await expect(users().get(tenantId, fresh.userId as string)).resolves.toMatchObject({
      attributes: { userName: 'second@acme.example' },
      access: { role: 'admin' },
    });
    await ok(['user', 'set-role', '--tenant', tenantId, '--user', userId, '--role', 'collaborator', '--actor', 'cto']);
    const secondLast = await admin([
      'user',
      'set-role',
      '--tenant',
      tenantId,
      '--user',
      'second@acme.example',
      '--role',
      'collaborator',
    ]);
    refused(secondLast, 1, 'This is the last admin');
    const history = await show(tenantId, userId);
    expect(history.recentChanges[0]).toMatchObject({
      actor: 'cto',
      action: 'user.role',
      details: { role: { from: 'admin', to: 'collaborator' } },
    });
    // The admin account stays; only the role decides whether it may approve connections.
    await expect(oauthStores().tenants.findAdminByEmail(tenantId, 'boss@acme.example')).resolves.toMatchObject({
      userId,
    });
  });

  test('admin link ties an account made before the access model to a user with admin; delete still revokes its grants', async () => {
    const tenantId = await newTenant();
    const { tenants, grants } = oauthStores();
    const legacy = await tenants.createAdmin({ tenantId, email: 'Old.Timer@acme.example', passwordHash: 'h' });
    const approved = await grants.create({
      grantId: `grant-by-${legacy.userId}`,
      tenantId,
      clientId: 'client-x',
      subject: legacy.userId,
      scope: 'scim',
      createdAt: new Date().toISOString(),
    });
    const linked = await ok(['admin', 'link', '--tenant', tenantId, '--email', 'old.timer@acme.example']);
    expect(linked).toEqual({ userId: expect.any(String), linkedExistingUser: false, relinked: true });
    const userId = linked.userId as string;
    await expect(users().get(tenantId, userId)).resolves.toMatchObject({
      attributes: { userName: 'Old.Timer@acme.example' },
      access: { role: 'admin' },
    });
    await expect(tenants.findAdminByEmail(tenantId, 'old.timer@acme.example')).resolves.toMatchObject({
      userId,
      formerUserIds: [legacy.userId],
    });
    expect(await ok(['admin', 'link', '--tenant', tenantId, '--email', 'old.timer@acme.example'])).toEqual({
      userId,
      linkedExistingUser: true,
      relinked: false,
    });
    refused(await admin(['admin', 'link', '--tenant', tenantId, '--email', 'ghost@acme.example']), 1, 'has no admin');

    const deleted = await ok(['admin', 'delete', '--tenant', tenantId, '--email', 'old.timer@acme.example']);
    expect(deleted).toMatchObject({ userId, deleted: true, revokedGrants: 1 });
    await expect(grants.get(approved.grantId)).resolves.toMatchObject({ status: 'revoked' });
  });

  test('every command refuses an unknown tenant, user, brand or role with exit 1 and a clear message', async () => {
    const tenantId = await newTenant();
    const userId = await newUser(tenantId, 'x@acme.example');
    const unknownTenant = [
      ['brand', 'create', '--tenant', 'nope', '--name', 'B'],
      ['brand', 'list', '--tenant', 'nope'],
      ['brand', 'delete', '--tenant', 'nope', '--brand', 'b'],
      ['role', 'create', '--tenant', 'nope', '--name', 'r'],
      ['role', 'list', '--tenant', 'nope'],
      ['role', 'delete', '--tenant', 'nope', '--role', 'r'],
      ['user', 'create', '--tenant', 'nope', '--email', 'a@b.example'],
      ['user', 'list', '--tenant', 'nope'],
      ['user', 'show', '--tenant', 'nope', '--user', 'a@b.example'],
      ['user', 'set-role', '--tenant', 'nope', '--user', 'a@b.example', '--role', 'admin'],
      ['user', 'set-brands', '--tenant', 'nope', '--user', 'a@b.example', '--all'],
    ];
    const others: [string[], string][] = [
      [['user', 'show', '--tenant', tenantId, '--user', 'ghost@acme.example'], 'has no user ghost@acme.example'],
      [['user', 'set-role', '--tenant', tenantId, '--user', 'ghost@acme.example', '--role', 'admin'], 'has no user'],
      [['user', 'set-brands', '--tenant', tenantId, '--user', 'ghost@acme.example', '--all'], 'has no user'],
      [['user', 'set-role', '--tenant', tenantId, '--user', userId, '--role', 'owner'], 'has no role owner'],
      [['user', 'set-brands', '--tenant', tenantId, '--user', userId, '--brand', 'b-1'], 'has no brand b-1'],
      [['brand', 'delete', '--tenant', tenantId, '--brand', 'b-1'], 'has no brand b-1'],
      [['role', 'delete', '--tenant', tenantId, '--role', 'owner'], 'has no role owner'],
    ];
    const results = await Promise.all([...unknownTenant, ...others.map(([args]) => args)].map((args) => admin(args)));
    for (const [index, result] of results.entries()) {
      const expected =
        index < unknownTenant.length ? 'There is no tenant nope' : (others[index - unknownTenant.length]?.[1] ?? '');
      refused(result, 1, expected);
    }
    await expect(users().get(tenantId, userId)).resolves.toMatchObject({ version: 1 });
  });
});
