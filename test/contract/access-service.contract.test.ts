import { randomUUID } from 'node:crypto';
import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ThrottleSignInLockouts } from '../../adapters/dynamodb/sign-in-lockouts';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { memoryAccessStores } from '../../adapters/memory/access-stores';
import { AccessService } from '../../core/access/access-service';
import { AdminAccounts } from '../../core/access/admin-accounts';
import type {
  AccessStore,
  GroupAccessStore,
  SignInLockouts,
  TenantStore as TenantStorePort,
} from '../../core/access/ports';
import type { AdminSummary } from '../../core/access/records';
import { Refusal } from '../../core/access/refusal';
import { ACCOUNT_POLICY, accountThrottleKey } from '../../core/oauth/login-throttle';
import { type DynamoDbContext, describeContract } from '../support/contract';

/**
 * The access model's rules, run on each adapter of its ports: in memory and on DynamoDB Local. Both must
 * give the same answers, races included.
 */
interface Backend {
  readonly tenants: TenantStorePort;
  readonly store: AccessStore;
  readonly groupAccess: GroupAccessStore;
  readonly lockouts: SignInLockouts;
  /** Counts failed sign-ins against the account until the sign-in page locks it. */
  readonly lock: (account: AdminSummary) => Promise<void>;
  readonly isLocked: (account: AdminSummary) => Promise<boolean>;
}

function memoryBackend(): Backend {
  const { tenants, access, lockouts, groupAccess } = memoryAccessStores();
  return {
    tenants,
    store: access,
    groupAccess,
    lockouts,
    lock: async (account) => lockouts.lock(account),
    isLocked: async (account) => lockouts.isLocked(account),
  };
}

function dynamoBackend({ db, tableName }: DynamoDbContext): Backend {
  const throttle = new LoginThrottleStore(db, tableName('grants'));
  const key = (account: AdminSummary) => accountThrottleKey(account.tenantId, account.email);
  return {
    tenants: new TenantStore(db, tableName('clients')),
    store: new DynamoDbAccessStore(db, { clients: tableName('clients'), users: tableName('users') }),
    groupAccess: new DynamoDbGroupAccessStore(db, tableName('users')),
    lockouts: new ThrottleSignInLockouts(throttle),
    lock: async (account) => {
      // Failed sign-ins a minute apart until the counter locks (15 minutes from the last one).
      const start = Math.floor(Date.now() / 1000);
      for (let attempt = 0; attempt < ACCOUNT_POLICY.lockAfterFailures; attempt += 1) {
        const at = start + attempt * (ACCOUNT_POLICY.maxDelaySeconds + 1);
        await throttle.reserveAttempt(key(account), ACCOUNT_POLICY, at);
      }
    },
    isLocked: async (account) => (await throttle.read(key(account))).nextAttemptAt > Math.floor(Date.now() / 1000),
  };
}

const NAME = { givenName: 'Ann', familyName: 'Smith' };

describeContract<Backend>('the access model', { memory: memoryBackend, dynamodb: dynamoBackend }, (subject) => {
  const services = (actor = 'tester', store: AccessStore = subject().store) => {
    const access = new AccessService(store, actor, undefined, subject().groupAccess);
    return { access, accounts: new AdminAccounts(subject().tenants, access, subject().store) };
  };

  const refusalOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Refusal);
    return error as Refusal;
  };

  async function newTenant(): Promise<string> {
    return (await services().accounts.createTenant(`Tenant ${randomUUID()}`)).tenantId;
  }

  async function tenantWithAdmins(count: number): Promise<{ tenantId: string; adminIds: string[] }> {
    const tenantId = await newTenant();
    const { access } = services();
    const adminIds: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const user = await access.createUser(tenantId, { email: `admin${index}@race.example` });
      await access.setRole(tenantId, user.id, 'admin');
      adminIds.push(user.id);
    }
    return { tenantId, adminIds };
  }

  test('tenant names are unique compared trimmed and case-insensitively, unless forced', async () => {
    const { accounts } = services();
    const name = `Acme ${randomUUID()}`;
    const first = await accounts.createTenant(name);
    const again = await refusalOf(accounts.createTenant(`  ${name.toUpperCase()} `));
    expect(again).toMatchObject({ code: 'duplicate-tenant-name', facts: { tenantId: first.tenantId } });
    const forced = await accounts.createTenant(name, { force: true });
    expect(forced.tenantId).not.toBe(first.tenantId);
    expect((await subject().tenants.list()).filter((tenant) => tenant.name === name)).toHaveLength(2);
  });

  test('two creations of one tenant name racing: exactly one tenant gets it', async () => {
    const name = `Race ${randomUUID()}`;
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => services().accounts.createTenant(name)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'duplicate-tenant-name' });
    }
    expect((await subject().tenants.list()).filter((tenant) => tenant.name === name)).toHaveLength(1);
  });

  test('names and descriptions are bounded and free of control characters', async () => {
    const tenantId = await newTenant();
    const { access, accounts } = services();
    const refusals = await Promise.all([
      refusalOf(accounts.createTenant('')),
      refusalOf(accounts.createTenant('x'.repeat(201))),
      refusalOf(access.createBrand(tenantId, 'North\u0000')),
      refusalOf(access.createRole(tenantId, 'Writer', 'd'.repeat(501))),
      refusalOf(
        accounts.createAdmin({
          tenantId,
          email: 'a@acme.example',
          passwordHash: 'h',
          name: { givenName: '', familyName: 'S' },
        }),
      ),
    ]);
    expect(refusals.map((refusal) => [refusal.code, refusal.facts.field])).toEqual([
      ['invalid-value', 'name'],
      ['invalid-value', 'name'],
      ['invalid-value', 'name'],
      ['invalid-value', 'description'],
      ['invalid-value', 'givenName'],
    ]);
    expect(await access.listBrands(tenantId)).toEqual([]);
    expect(await subject().tenants.findAdminByEmail(tenantId, 'a@acme.example')).toBeUndefined();
  });

  test('built-in roles come first and can be neither created nor deleted', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    expect((await access.listRoles(tenantId)).map((role) => [role.name, role.builtIn])).toEqual([
      ['admin', true],
      ['collaborator', true],
    ]);
    expect(await refusalOf(access.createRole(tenantId, 'Admin', ''))).toMatchObject({ code: 'built-in-role' });
    expect(await refusalOf(access.deleteRole(tenantId, 'COLLABORATOR'))).toMatchObject({ code: 'built-in-role' });
    expect(await refusalOf(access.createRole(tenantId, 'bell\u0007', ''))).toMatchObject({ code: 'invalid-role-name' });
  });

  test('a role is named as people type it, found in any letter case, and cannot be deleted while held', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const role = await access.createRole(tenantId, '  Email   Creator ', 'Writes the emails');
    expect(role).toMatchObject({ name: 'Email Creator', key: 'email creator', builtIn: false });
    expect(await refusalOf(access.createRole(tenantId, 'EMAIL CREATOR', ''))).toMatchObject({
      code: 'duplicate-role',
      facts: { role: 'Email Creator' },
    });
    const user = await access.createUser(tenantId, { email: 'ed@acme.example' });
    expect((await access.setRole(tenantId, user.id, 'email creator')).access.role).toBe('Email Creator');
    expect(await refusalOf(access.deleteRole(tenantId, 'Email Creator'))).toMatchObject({
      code: 'role-in-use',
      facts: { role: 'Email Creator', holders: 1, examples: ['ed@acme.example'] },
    });
    await access.setRole(tenantId, user.id, 'collaborator');
    expect((await access.deleteRole(tenantId, 'eMaIl cReAtOr')).name).toBe('Email Creator');
    expect(await refusalOf(access.setRole(tenantId, user.id, 'Email Creator'))).toMatchObject({
      code: 'unknown-role',
    });
    expect((await access.tenantChanges(tenantId)).map((entry) => [entry.action, entry.details.role])).toEqual([
      ['role.delete', 'Email Creator'],
      ['role.create', 'Email Creator'],
    ]);
  });

  test('the last admin cannot be demoted', async () => {
    const { tenantId, adminIds } = await tenantWithAdmins(1);
    const [only] = adminIds as [string];
    expect(await refusalOf(services().access.setRole(tenantId, only, 'collaborator'))).toMatchObject({
      code: 'last-admin',
    });
  });

  test('two admins demoting each other at once: exactly one succeeds, one admin remains', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { tenantId, adminIds } = await tenantWithAdmins(2);
      const results = await Promise.allSettled(
        adminIds.map((id) => services().access.setRole(tenantId, id, 'collaborator')),
      );
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failure = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toMatchObject({ code: 'last-admin' });
      const { access } = services();
      const roles = await Promise.all(adminIds.map(async (id) => (await access.findUser(tenantId, id)).access.role));
      expect(roles.sort()).toEqual(['admin', 'collaborator']);
    }
  });

  test('a brand created twice with one given id is refused as duplicate-brand; the first stays as it was', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const brandId = randomUUID();
    const first = await access.createBrand(tenantId, 'Once', brandId);
    expect(first.brandId).toBe(brandId);
    expect(await refusalOf(access.createBrand(tenantId, 'Once, again', brandId))).toMatchObject({
      code: 'duplicate-brand',
      facts: { brandId },
    });
    expect(await access.listBrands(tenantId)).toEqual([first]);
  });

  test('deleting a brand removes it from every list, leaves all-brands users alone, and records it', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const north = await access.createBrand(tenantId, 'North');
    const south = await access.createBrand(tenantId, 'South');
    const listed = await access.createUser(tenantId, { email: 'listed@acme.example' });
    const everything = await access.createUser(tenantId, { email: 'all@acme.example' });
    await access.setBrands(tenantId, listed.id, [north.brandId, south.brandId]);
    const { removedFromUsers } = await access.deleteBrand(tenantId, north.brandId);
    expect(removedFromUsers).toBe(1);
    expect((await access.findUser(tenantId, listed.id)).access).toMatchObject({ brands: [south.brandId] });
    expect((await access.findUser(tenantId, everything.id)).access).toMatchObject({ allBrands: true, brands: [] });
    expect((await access.listBrands(tenantId)).map((brand) => brand.name)).toEqual(['South']);
    expect(await refusalOf(access.deleteBrand(tenantId, north.brandId))).toMatchObject({ code: 'unknown-brand' });
    const [latest] = await access.recentChanges(tenantId, listed.id);
    expect(latest).toMatchObject({
      actor: 'tester',
      action: 'user.brands',
      details: { brands: { from: [north.brandId, south.brandId], to: [south.brandId] } },
    });
  });

  test('a brand deleted while users are given it ends up in no user’s list', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const brand = await access.createBrand(tenantId, 'Contested');
    const users = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => access.createUser(tenantId, { email: `${name}@race.example` })),
    );
    const outcomes = await Promise.allSettled([
      access.deleteBrand(tenantId, brand.brandId),
      ...users.map((user) => services().access.setBrands(tenantId, user.id, [brand.brandId])),
    ]);
    expect(outcomes[0]?.status).toBe('fulfilled');
    for (const outcome of outcomes.slice(1)) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'unknown-brand' });
    }
    for (const user of users) {
      expect((await access.findUser(tenantId, user.id)).access.brands).not.toContain(brand.brandId);
    }
  });

  test('a brand is renamed by its id, with the rules of creation, and recorded; its users keep it', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const brand = await access.createBrand(tenantId, 'North');
    const user = await access.createUser(tenantId, { email: 'listed@acme.example' });
    await access.setBrands(tenantId, user.id, [brand.brandId]);
    expect(await access.renameBrand(tenantId, brand.brandId, 'North America')).toMatchObject({
      brand: { brandId: brand.brandId, name: 'North America', createdAt: brand.createdAt },
      from: 'North',
    });
    expect(await access.listBrands(tenantId)).toEqual([{ ...brand, name: 'North America' }]);
    expect((await access.findUser(tenantId, user.id)).access.brands).toEqual([brand.brandId]);
    const refusals = await Promise.all([
      refusalOf(access.renameBrand(tenantId, brand.brandId, '')),
      refusalOf(access.renameBrand(tenantId, brand.brandId, 'x'.repeat(201))),
      refusalOf(access.renameBrand(tenantId, brand.brandId, 'Tab\there')),
      refusalOf(access.renameBrand(tenantId, 'no-such-brand', 'South')),
      refusalOf(access.renameBrand(await newTenant(), brand.brandId, 'South')),
    ]);
    expect(refusals.map((refusal) => [refusal.code, refusal.facts.field ?? refusal.facts.brandId])).toEqual([
      ['invalid-value', 'name'],
      ['invalid-value', 'name'],
      ['invalid-value', 'name'],
      ['unknown-brand', 'no-such-brand'],
      ['unknown-brand', brand.brandId],
    ]);
    // The same name again writes and records nothing.
    await access.renameBrand(tenantId, brand.brandId, 'North America');
    await access.deleteBrand(tenantId, brand.brandId);
    expect(await refusalOf(access.renameBrand(tenantId, brand.brandId, 'South'))).toMatchObject({
      code: 'unknown-brand',
    });
    expect((await access.tenantChanges(tenantId)).map((entry) => [entry.action, entry.details.name])).toEqual([
      ['brand.delete', 'North America'],
      ['brand.rename', { from: 'North', to: 'North America' }],
      ['brand.create', 'North'],
    ]);
  });

  test('two renames of one brand racing: the audit trail tells the names in the order they were written', async () => {
    const tenantId = await newTenant();
    const brand = await services().access.createBrand(tenantId, 'Start');
    const names = ['One', 'Two', 'Three', 'Four'];
    await Promise.all(names.map((name) => services().access.renameBrand(tenantId, brand.brandId, name)));
    const renames = (await services().access.tenantChanges(tenantId))
      .filter((entry) => entry.action === 'brand.rename')
      .map((entry) => entry.details.name as { from: string; to: string })
      .reverse();
    expect(renames).toHaveLength(names.length);
    expect(renames[0]?.from).toBe('Start');
    for (const [index, rename] of renames.entries()) {
      if (index > 0) expect(rename.from).toBe(renames[index - 1]?.to);
    }
    const [listed] = await services().access.listBrands(tenantId);
    expect(listed?.name).toBe(renames.at(-1)?.to);
  });

  test('a role is renamed (letter case alone too); built-in, taken and bad names are refused', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    await access.createRole(tenantId, 'Email Creator', 'Writes the emails');
    await access.createRole(tenantId, 'Reviewer', '');
    expect(await access.renameRole(tenantId, 'email creator', '  Email   Writer ')).toMatchObject({
      role: { key: 'email writer', name: 'Email Writer', description: 'Writes the emails', builtIn: false },
      from: 'Email Creator',
      movedUsers: 0,
      movedMappings: 0,
    });
    expect((await access.renameRole(tenantId, 'EMAIL WRITER', 'email writer')).role.name).toBe('email writer');
    expect(await access.renameRole(tenantId, 'email writer', 'Email writer ')).toMatchObject({
      role: { name: 'Email writer' },
    });
    expect((await access.renameRole(tenantId, 'email writer', 'Email writer')).from).toBe('Email writer');
    expect((await access.listRoles(tenantId)).map((role) => role.name)).toEqual([
      'admin',
      'collaborator',
      'Email writer',
      'Reviewer',
    ]);
    expect(await refusalOf(access.findRole(tenantId, 'Email Creator'))).toMatchObject({ code: 'unknown-role' });
    const refusals = await Promise.all([
      refusalOf(access.renameRole(tenantId, 'Reviewer', 'EMAIL WRITER')),
      refusalOf(access.renameRole(tenantId, 'Reviewer', 'Admin')),
      refusalOf(access.renameRole(tenantId, 'collaborator', 'Helper')),
      refusalOf(access.renameRole(tenantId, 'Reviewer', 'bell\u0007')),
      refusalOf(access.renameRole(tenantId, 'No such role', 'Helper')),
    ]);
    expect(refusals.map((refusal) => [refusal.code, refusal.facts.role])).toEqual([
      ['duplicate-role', 'Email writer'],
      ['built-in-role', 'admin'],
      ['built-in-role', 'collaborator'],
      ['invalid-role-name', 'bell\u0007'],
      ['unknown-role', 'No such role'],
    ]);
    // A refused rename leaves the role usable, and another rename of it possible.
    const user = await access.createUser(tenantId, { email: 'rae@acme.example' });
    expect((await access.setRole(tenantId, user.id, 'reviewer')).access.role).toBe('Reviewer');
    expect((await access.renameRole(tenantId, 'reviewer', 'Proofreader')).role.name).toBe('Proofreader');
    expect(
      (await access.tenantChanges(tenantId)).filter((entry) => entry.action === 'role.rename').map((e) => e.details),
    ).toEqual([
      { role: { from: 'Reviewer', to: 'Proofreader' }, movedUsers: 1, movedMappings: 0 },
      { role: { from: 'email writer', to: 'Email writer' }, movedUsers: 0, movedMappings: 0 },
      { role: { from: 'Email Writer', to: 'email writer' }, movedUsers: 0, movedMappings: 0 },
      { role: { from: 'Email Creator', to: 'Email Writer' }, movedUsers: 0, movedMappings: 0 },
    ]);
  });

  test('a rename moves every holder and every group mapping that gives the role, each change recorded', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    await access.createRole(tenantId, 'Editor', 'Edits');
    await access.createRole(tenantId, 'Viewer', '');
    const holders = await Promise.all(
      ['a', 'b', 'c'].map((name) => access.createUser(tenantId, { email: `${name}@move.example` })),
    );
    for (const holder of holders) await access.setRole(tenantId, holder.id, 'Editor');
    const viewer = await access.createUser(tenantId, { email: 'v@move.example' });
    await access.setRole(tenantId, viewer.id, 'Viewer');
    const mapping = (groupId: string, role: string, priority: number) => ({
      groupId,
      role: { name: role, priority },
      brands: 'all' as const,
      updatedAt: new Date().toISOString(),
    });
    const audit = access.entry('group.map', {});
    await subject().groupAccess.putMapping(tenantId, mapping('group-editors', 'Editor', 5), audit);
    await subject().groupAccess.putMapping(tenantId, mapping('group-viewers', 'Viewer', 1), audit);

    expect(await access.renameRole(tenantId, 'editor', 'Content Editor')).toMatchObject({
      role: { key: 'content editor', name: 'Content Editor', description: 'Edits' },
      from: 'Editor',
      movedUsers: 3,
      movedMappings: 1,
    });
    for (const holder of holders) {
      expect((await access.findUser(tenantId, holder.id)).access.role).toBe('Content Editor');
      const [latest] = await access.recentChanges(tenantId, holder.id);
      expect(latest).toMatchObject({
        action: 'user.role',
        details: { role: { from: 'Editor', to: 'Content Editor' }, cause: 'role.rename' },
      });
    }
    expect((await access.findUser(tenantId, viewer.id)).access.role).toBe('Viewer');
    expect(await subject().groupAccess.mapping(tenantId, 'group-editors')).toMatchObject({
      role: { name: 'Content Editor', priority: 5 },
      brands: 'all',
    });
    expect((await subject().groupAccess.mapping(tenantId, 'group-viewers'))?.role?.name).toBe('Viewer');
    expect((await access.listRoles(tenantId)).map((role) => role.name)).toEqual([
      'admin',
      'collaborator',
      'Content Editor',
      'Viewer',
    ]);
    // A change of letter case moves the holders and the mapping too.
    expect(await access.renameRole(tenantId, 'Content Editor', 'content editor')).toMatchObject({
      movedUsers: 3,
      movedMappings: 1,
    });
    expect((await access.findUser(tenantId, holders[0]?.id ?? '')).access.role).toBe('content editor');
    expect((await subject().groupAccess.mapping(tenantId, 'group-editors'))?.role?.name).toBe('content editor');
  });

  test('a role renamed while users are given it: no user is ever left with a role that does not exist', async () => {
    const tenantId = await newTenant();
    await services().access.createRole(tenantId, 'Contested', '');
    const users = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => services().access.createUser(tenantId, { email: `${name}@race.example` })),
    );
    await services().access.setRole(tenantId, users[0]?.id ?? '', 'Contested');
    const [rename, ...given] = await Promise.allSettled([
      services().access.renameRole(tenantId, 'Contested', 'Renamed'),
      ...users.map((user) => services().access.setRole(tenantId, user.id, 'Contested')),
    ]);
    expect(rename).toMatchObject({ status: 'fulfilled' });
    const roles = (await services().access.listRoles(tenantId)).map((role) => role.name);
    expect(roles).toEqual(['admin', 'collaborator', 'Renamed']);
    for (const [index, user] of users.entries()) {
      const held = (await services().access.findUser(tenantId, user.id)).access.role;
      // Given before the rename began: moved; refused after: kept its earlier role.
      if (given[index]?.status === 'fulfilled' || index === 0) expect(held).toBe('Renamed');
      else expect(held).toBe('collaborator');
    }
    for (const outcome of given) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'unknown-role' });
    }
  });

  test('an interrupted rename leaves the old role ungivable; the same rename run again carries on', async () => {
    const tenantId = await newTenant();
    await services().access.createRole(tenantId, 'Support', 'Answers');
    const holders = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => services().access.createUser(tenantId, { email: `${name}@resume.example` })),
    );
    for (const holder of holders) await services().access.setRole(tenantId, holder.id, 'Support');
    const bystander = await services().access.createUser(tenantId, { email: 'e@resume.example' });
    // The store fails (as a lost connection would) after two users' writes.
    let writesLeft = 2;
    const failing = new Proxy(subject().store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'writeAccess' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (writesLeft === 0) return Promise.reject(new Error('connection lost'));
          writesLeft -= 1;
          return value.apply(target, args);
        };
      },
    });
    await expect(services('tester', failing).access.renameRole(tenantId, 'Support', 'Helpdesk')).rejects.toThrow(
      'connection lost',
    );
    const { access } = services();
    const held = await Promise.all(
      holders.map(async (holder) => (await access.findUser(tenantId, holder.id)).access.role),
    );
    expect(held.filter((role) => role === 'Helpdesk')).toHaveLength(2);
    expect(held.filter((role) => role === 'Support')).toHaveLength(2);
    // Both names are roles meanwhile; the old one cannot be given, nor renamed to another name.
    expect((await access.listRoles(tenantId)).map((role) => role.name).sort()).toEqual([
      'Helpdesk',
      'Support',
      'admin',
      'collaborator',
    ]);
    expect(await refusalOf(access.setRole(tenantId, bystander.id, 'Support'))).toMatchObject({ code: 'unknown-role' });
    expect(await refusalOf(access.renameRole(tenantId, 'Support', 'Service'))).toMatchObject({
      code: 'role-renaming',
      facts: { role: 'Support', to: 'Helpdesk' },
    });
    expect(await access.renameRole(tenantId, 'support', 'Helpdesk')).toMatchObject({
      role: { name: 'Helpdesk', description: 'Answers' },
      from: 'Support',
      movedUsers: 2,
    });
    for (const holder of holders) expect((await access.findUser(tenantId, holder.id)).access.role).toBe('Helpdesk');
    expect((await access.listRoles(tenantId)).map((role) => role.name)).toEqual(['admin', 'collaborator', 'Helpdesk']);
    expect((await access.setRole(tenantId, bystander.id, 'helpdesk')).access.role).toBe('Helpdesk');
    // Once finished, the old name is free again and the new role an ordinary one.
    await access.createRole(tenantId, 'Support', '');
    expect(await refusalOf(access.renameRole(tenantId, 'Support', 'Helpdesk'))).toMatchObject({
      code: 'duplicate-role',
    });
    expect((await access.findRole(tenantId, 'Support')).name).toBe('Support');
  });

  test('an unfinished rename whose old role was deleted: a role made later under the old name is not merged', async () => {
    const tenantId = await newTenant();
    const { access } = services();
    const old = await access.createRole(tenantId, 'Temp', '');
    // What a rename of Temp to Lasting stopped after creating Lasting leaves; then Temp, held by nobody, is deleted.
    const marked = await subject().store.markRoleRenaming(tenantId, old.key, 'Lasting');
    await subject().store.putRenamedRole(tenantId, { ...old, key: 'lasting', name: 'Lasting' }, marked?.renameId ?? '');
    await access.deleteRole(tenantId, 'Temp');
    await access.createRole(tenantId, 'Temp', 'new');
    const user = await access.createUser(tenantId, { email: 't@merge.example' });
    await access.setRole(tenantId, user.id, 'Temp');
    expect(await refusalOf(access.renameRole(tenantId, 'Temp', 'Lasting'))).toMatchObject({
      code: 'duplicate-role',
      facts: { role: 'Lasting' },
    });
    expect((await access.findUser(tenantId, user.id)).access.role).toBe('Temp');
    // The refused rename left Temp usable.
    const other = await access.createUser(tenantId, { email: 'u@merge.example' });
    expect((await access.setRole(tenantId, other.id, 'temp')).access.role).toBe('Temp');
  });

  test('two renames of one role racing: one name wins, the others are refused; the same rename twice is one', async () => {
    const tenantId = await newTenant();
    await services().access.createRole(tenantId, 'Original', 'kept');
    const holder = await services().access.createUser(tenantId, { email: 'h@race.example' });
    await services().access.setRole(tenantId, holder.id, 'Original');
    const outcomes = await Promise.allSettled(
      ['First', 'Second', 'Third'].map((name) => services().access.renameRole(tenantId, 'Original', name)),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(['role-renaming', 'unknown-role']).toContain((outcome.reason as Refusal).code);
      }
    }
    const winner = (won[0] as PromiseFulfilledResult<{ role: { name: string } }>).value.role.name;
    const custom = (await services().access.listRoles(tenantId)).filter((role) => !role.builtIn);
    expect(custom.map((role) => [role.name, role.description])).toEqual([[winner, 'kept']]);
    expect((await services().access.findUser(tenantId, holder.id)).access.role).toBe(winner);

    // The same rename twice at once: both carry out the one rename (or the later finds it finished).
    const twice = await Promise.allSettled([1, 2].map(() => services().access.renameRole(tenantId, winner, 'Final')));
    expect(twice.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
    for (const outcome of twice) {
      if (outcome.status === 'fulfilled') expect(outcome.value.role.name).toBe('Final');
      else expect(outcome.reason).toMatchObject({ code: 'unknown-role' });
    }
    expect((await services().access.findUser(tenantId, holder.id)).access.role).toBe('Final');
    expect(
      (await services().access.listRoles(tenantId)).filter((role) => !role.builtIn).map((role) => role.name),
    ).toEqual(['Final']);
  });

  test('an admin account gets a user with the admin’s name and the admin role; both are recorded', async () => {
    const tenantId = await newTenant();
    const { access, accounts } = services();
    const { admin, linkedExistingUser } = await accounts.createAdmin({
      tenantId,
      email: ' Ann@Acme.example ',
      passwordHash: 'hash-1',
      name: NAME,
    });
    expect(linkedExistingUser).toBe(false);
    const user = await access.findUser(tenantId, 'ann@acme.example');
    expect(user.id).toBe(admin.userId);
    expect(user.attributes).toMatchObject({ userName: 'Ann@Acme.example', name: NAME, active: true });
    expect(user.access.role).toBe('admin');
    expect((await access.recentChanges(tenantId, user.id)).map((entry) => entry.action)).toEqual([
      'user.role',
      'user.create',
    ]);
    expect(
      await refusalOf(accounts.createAdmin({ tenantId, email: 'ANN@acme.example', passwordHash: 'h', name: NAME })),
    ).toMatchObject({ code: 'duplicate-admin' });
    expect(
      await refusalOf(
        accounts.createAdmin({ tenantId: randomUUID(), email: 'x@acme.example', passwordHash: 'h', name: NAME }),
      ),
    ).toMatchObject({ code: 'unknown-tenant' });
  });

  test('an admin account for a provisioned user keeps the name the identity provider gave', async () => {
    const tenantId = await newTenant();
    const { access, accounts } = services();
    const provisioned = await access.createUser(tenantId, {
      email: 'pat@acme.example',
      givenName: 'Patricia',
      familyName: 'Doe',
    });
    const { linkedExistingUser } = await accounts.createAdmin({
      tenantId,
      email: 'pat@acme.example',
      passwordHash: 'h',
      name: { givenName: 'Pat', familyName: 'D' },
    });
    expect(linkedExistingUser).toBe(true);
    expect((await access.findUser(tenantId, provisioned.id)).attributes.name).toEqual({
      givenName: 'Patricia',
      familyName: 'Doe',
    });
  });

  test('set-name gives an admin’s user a name, with a new version and an audit entry', async () => {
    const tenantId = await newTenant();
    const { access, accounts } = services();
    const bare = await access.createUser(tenantId, { email: 'old@acme.example' });
    await accounts.createAdmin({ tenantId, email: 'old@acme.example', passwordHash: 'h', name: NAME });
    const named = await accounts.setAdminName(tenantId, 'OLD@acme.example', { givenName: 'Olga', familyName: 'Old' });
    expect(named.attributes.name).toEqual({ givenName: 'Olga', familyName: 'Old' });
    expect(named.version).toBeGreaterThan(bare.version);
    expect((await access.findUser(tenantId, bare.id)).attributes.name).toEqual({
      givenName: 'Olga',
      familyName: 'Old',
    });
    const [latest] = await access.recentChanges(tenantId, bare.id);
    expect(latest).toMatchObject({
      action: 'user.name',
      details: { name: { from: NAME, to: { givenName: 'Olga', familyName: 'Old' } } },
    });
    expect(await refusalOf(accounts.setAdminName(tenantId, 'ghost@acme.example', NAME))).toMatchObject({
      code: 'unknown-admin',
    });
  });

  test('set-password replaces the hash and records it; unlock lifts the lock-out and records it', async () => {
    const tenantId = await newTenant();
    const { access, accounts } = services('helpdesk');
    const { admin } = await accounts.createAdmin({
      tenantId,
      email: 'lo@acme.example',
      passwordHash: 'old',
      name: NAME,
    });
    await accounts.setAdminPassword(tenantId, 'LO@acme.example', 'new');
    expect((await subject().tenants.findAdminByEmail(tenantId, 'lo@acme.example'))?.passwordHash).toBe('new');

    const account = { userId: admin.userId, tenantId, email: admin.email, createdAt: admin.createdAt };
    await subject().lock(account);
    expect(await subject().isLocked(account)).toBe(true);
    await accounts.unlockAdmin(subject().lockouts, tenantId, 'lo@acme.example');
    expect(await subject().isLocked(account)).toBe(false);

    const changes = await access.recentChanges(tenantId, admin.userId);
    expect(changes.slice(0, 2).map((entry) => [entry.action, entry.actor, entry.details])).toEqual([
      ['admin.unlock', 'helpdesk', { email: 'lo@acme.example' }],
      ['admin.password', 'helpdesk', { email: 'lo@acme.example' }],
    ]);
    expect(await refusalOf(accounts.setAdminPassword(tenantId, 'ghost@acme.example', 'h'))).toMatchObject({
      code: 'unknown-admin',
    });
    expect(await refusalOf(accounts.unlockAdmin(subject().lockouts, tenantId, 'ghost@acme.example'))).toMatchObject({
      code: 'unknown-admin',
    });
  });
});
