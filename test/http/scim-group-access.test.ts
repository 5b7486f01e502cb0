import { randomUUID } from 'node:crypto';
import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { GROUP_SCHEMA } from '../../core/scim/group-schema';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { documentClient, tableName } from '../../functions/_shared/services';
import { admin, onlyJson, type Run } from '../support/admin-cli';
import { type RunningService, startService, testDynamoDbEndpoint } from '../support/local-service';
import { patchOp, type ScimClient, scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/**
 * Roles and brands that follow the identity provider's groups, end to end: groups pushed over SCIM to the real
 * HTTP server, mappings and the access source set with the real CLI (a child process), and the result read
 * back over SCIM and with `user show`.
 */
let service: RunningService;
// Each step starts the real CLI (a TypeScript process); on a loaded machine a dozen of them outlast the default.
jest.setTimeout(300_000);
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

async function cli(args: readonly string[]): Promise<Record<string, unknown>> {
  const result = await admin([...args, '--json']);
  expect({ args, code: result.code, stderr: result.stderr }).toEqual({
    args,
    code: 0,
    stderr: `admin: using DynamoDB Local at ${testDynamoDbEndpoint()}\n`,
  });
  return onlyJson(result);
}

function refused(result: Run, code: 1 | 2, message: string): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).toContain(message);
}

type ShownUser = { user: Record<string, unknown>; accessSource: string; recentChanges: Change[] };
type Change = { actor: string; action: string; details: Record<string, unknown> };

const show = async (tenantId: string, user: string) =>
  (await cli(['user', 'show', '--tenant', tenantId, '--user', user])) as unknown as ShownUser;

interface Tenant {
  readonly tenantId: string;
  readonly idp: ScimClient;
  readonly clientId: string;
  /** A user made admin directly with the CLI: the break-glass account. */
  readonly breakGlass: string;
  readonly brand: string;
}

/** A tenant made with the CLI, a direct admin, a brand, the custom role Editor, and an IdP's SCIM client. */
async function tenant(): Promise<Tenant> {
  const { tenantId } = (await cli(['tenant', 'create', '--name', `Acme ${randomUUID()}`])) as { tenantId: string };
  const { userId: breakGlass } = (await cli([
    'user',
    'create',
    '--tenant',
    tenantId,
    '--email',
    'root@acme.example',
  ])) as { userId: string };
  await cli(['user', 'set-role', '--tenant', tenantId, '--user', breakGlass, '--role', 'admin']);
  const { brandId: brand } = (await cli(['brand', 'create', '--tenant', tenantId, '--name', 'North'])) as {
    brandId: string;
  };
  await cli(['role', 'create', '--tenant', tenantId, '--name', 'Editor']);
  const token = await scimTestToken(tenantId);
  return { tenantId, idp: scimClient(service, token.token), clientId: token.clientId, breakGlass, brand };
}

async function scimUser(idp: ScimClient, userName: string): Promise<string> {
  const created = await idp.post('/Users', {
    schemas: [CORE_USER_SCHEMA],
    userName,
    name: { givenName: 'Pat', familyName: 'Doe' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    active: true,
  });
  expect(created.status).toBe(201);
  return (created.body as { id: string }).id;
}

async function scimGroup(idp: ScimClient, displayName: string, members: string[] = []): Promise<string> {
  const created = await idp.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(created.status).toBe(201);
  return (created.body as { id: string }).id;
}

/** Entra's single-member PATCH (capital-letter ops, 204). */
async function entra(idp: ScimClient, groupId: string, op: 'Add' | 'Remove', userId: string): Promise<void> {
  const response = await idp.patch(`/Groups/${groupId}`, patchOp({ op, path: 'members', value: [{ value: userId }] }));
  expect(response.status).toBe(204);
}

async function accessOf(idp: ScimClient, userId: string): Promise<unknown> {
  const response = await idp.get(`/Users/${userId}`);
  expect(response.status).toBe(200);
  return (response.body as Record<string, unknown>)[ACCESS_USER_SCHEMA];
}

describe('roles and brands from groups', () => {
  test('--help works on the group commands and the access-source commands', async () => {
    const invocations = [
      ['group'],
      ...['list', 'map', 'unmap'].map((action) => ['group', action]),
      ['tenant', 'set-access-source'],
      ['tenant', 'recompute-access'],
    ];
    const results = await Promise.all(invocations.map((words) => admin([...words, '--help'])));
    for (const [index, result] of results.entries()) {
      expect({ words: invocations[index], code: result.code }).toEqual({ words: invocations[index], code: 0 });
      expect(result.stdout).toMatch(/^Usage: npm run admin -- /);
    }
    expect(results[2]?.stdout).toContain('--priority');
    const main = await admin(['--help']);
    for (const command of ['group map', 'group unmap', 'tenant set-access-source', 'tenant recompute-access']) {
      expect(main.stdout).toContain(command);
    }
  });

  test('a group pushed over SCIM gives its members the mapped role and brands; removing a member takes them back', async () => {
    const { tenantId, idp, clientId, brand } = await tenant();
    const alice = await scimUser(idp, 'alice@acme.example');
    const editors = await scimGroup(idp, 'Editors');

    await cli(['tenant', 'set-access-source', '--tenant', tenantId, '--source', 'groups']);
    const mapped = await cli([
      'group',
      'map',
      '--tenant',
      tenantId,
      '--group',
      'editors',
      '--role',
      'editor',
      '--priority',
      '10',
      '--brand',
      brand,
    ]);
    expect(mapped).toMatchObject({ groupId: editors, mapping: { role: 'Editor', priority: 10, brands: [brand] } });

    await entra(idp, editors, 'Add', alice);
    expect(await accessOf(idp, alice)).toEqual({ role: 'Editor', allBrands: false, brands: [brand] });
    const granted = await show(tenantId, alice);
    expect(granted.user).toMatchObject({ role: 'Editor', roleGroup: editors, allBrands: false, brands: [brand] });
    expect(granted.accessSource).toBe('groups');
    expect(granted.recentChanges[0]).toMatchObject({
      actor: `scim:${clientId}`,
      action: 'user.access',
      details: {
        role: { from: 'collaborator', to: 'Editor' },
        brands: { from: 'all', to: [brand] },
        grantedBy: { role: editors, brands: [editors] },
        cause: { reason: 'group membership changed', group: { id: editors, displayName: 'Editors' }, client: clientId },
      },
    });
    const cause = granted.recentChanges[0]?.details.cause as { request?: unknown } | undefined;
    expect(typeof cause?.request).toBe('string');

    await entra(idp, editors, 'Remove', alice);
    expect(await accessOf(idp, alice)).toEqual({ role: 'collaborator', allBrands: true });
    const taken = await show(tenantId, alice);
    expect(taken.user.roleGroup).toBeUndefined();
    expect(taken.recentChanges[0]).toMatchObject({
      action: 'user.access',
      details: { role: { from: 'Editor', to: 'collaborator' }, grantedBy: { role: 'default', brands: 'default' } },
    });

    // The IdP still cannot write access itself (the extension stays read-only).
    const write = await idp.patch(
      `/Users/${alice}`,
      patchOp({ op: 'replace', path: `${ACCESS_USER_SCHEMA}:role`, value: 'admin' }),
    );
    expect(write.status).toBe(400);
  });

  test('priority, union, a direct admin kept, the last admin never demoted, and the admin commands refused', async () => {
    const { tenantId, idp, breakGlass, brand } = await tenant();
    const bob = await scimUser(idp, 'bob@acme.example');
    const admins = await scimGroup(idp, 'App Admins');
    const editors = await scimGroup(idp, 'Editors');
    const everything = await scimGroup(idp, 'All brands');
    await cli(['tenant', 'set-access-source', '--tenant', tenantId, '--source', 'groups']);
    await cli(['group', 'map', '--tenant', tenantId, '--group', admins, '--role', 'admin', '--priority', '100']);
    await cli(['group', 'map', '--tenant', tenantId, '--group', editors, '--role', 'Editor', '--priority', '10']);
    await cli(['group', 'map', '--tenant', tenantId, '--group', editors, '--brand', brand]);
    await cli(['group', 'map', '--tenant', tenantId, '--group', everything, '--all-brands']);

    const listed = (await cli(['group', 'list', '--tenant', tenantId])) as {
      accessSource: string;
      groups: { groupId: string; mapping: Record<string, unknown> | null }[];
    };
    expect(listed.accessSource).toBe('groups');
    expect(listed.groups.find((g) => g.groupId === editors)?.mapping).toMatchObject({
      role: 'Editor',
      priority: 10,
      brands: [brand],
    });

    await entra(idp, editors, 'Add', bob);
    await entra(idp, admins, 'Add', bob);
    expect(await accessOf(idp, bob)).toEqual({ role: 'admin', allBrands: false, brands: [brand] });
    await entra(idp, everything, 'Add', bob);
    expect(await accessOf(idp, bob)).toEqual({ role: 'admin', allBrands: true });

    // The break-glass admin is a direct admin: the groups (it is in none) do not take it away.
    await entra(idp, editors, 'Add', breakGlass);
    expect(await accessOf(idp, breakGlass)).toEqual({ role: 'admin', allBrands: false, brands: [brand] });

    // In groups mode admins give no other role and no brands.
    refused(
      await admin(['user', 'set-role', '--tenant', tenantId, '--user', bob, '--role', 'Editor']),
      1,
      'takes roles and brands from groups',
    );
    refused(
      await admin(['user', 'set-brands', '--tenant', tenantId, '--user', bob, '--all']),
      1,
      'takes roles and brands from groups',
    );
    refused(await admin(['role', 'delete', '--tenant', tenantId, '--role', 'editor']), 1, 'is given by the mapping');
    // A rename moves the mapping: the group gives the new name from then on.
    expect((await admin(['role', 'rename', '--tenant', tenantId, '--role', 'editor', '--name', 'Writer'])).stdout).toBe(
      'Role Editor renamed to Writer; 0 user(s) and 1 group mapping(s) moved to it.\n',
    );
    refused(
      await admin(['group', 'map', '--tenant', tenantId, '--group', 'No such group', '--all-brands']),
      1,
      'has no group No such group',
    );
    refused(
      await admin(['group', 'map', '--tenant', tenantId, '--group', editors, '--role', 'Editor', '--priority', '1.5']),
      2,
      '--priority must be a whole number',
    );

    // Released to its groups, the break-glass account becomes a Writer: bob is still an admin.
    await cli(['user', 'set-role', '--tenant', tenantId, '--user', breakGlass, '--from-groups']);
    expect(await accessOf(idp, breakGlass)).toEqual({ role: 'Writer', allBrands: false, brands: [brand] });

    // Bob is now the last admin: leaving the admins group keeps him admin, as a direct admin from then on.
    await entra(idp, admins, 'Remove', bob);
    expect(await accessOf(idp, bob)).toEqual({ role: 'admin', allBrands: true });
    const kept = await show(tenantId, bob);
    expect(kept.user.roleGroup).toBeUndefined();
    expect(kept.recentChanges[0]?.details).toMatchObject({ keptAdmin: 'last admin of the tenant' });
    refused(await admin(['user', 'set-role', '--tenant', tenantId, '--user', bob, '--from-groups']), 1, 'last admin');
  });

  test('switching the source recomputes everyone, a mapping change its members, a deleted group takes back what it gave', async () => {
    const { tenantId, idp, brand } = await tenant();
    const carol = await scimUser(idp, 'carol@acme.example');
    const dave = await scimUser(idp, 'dave@acme.example');
    const editors = await scimGroup(idp, 'Editors', [carol, dave]);
    await cli(['group', 'map', '--tenant', tenantId, '--group', 'Editors', '--role', 'Editor', '--priority', '1']);
    // In admins mode groups grant nothing.
    expect(await accessOf(idp, carol)).toEqual({ role: 'collaborator', allBrands: true });

    const switched = await cli(['tenant', 'set-access-source', '--tenant', tenantId, '--source', 'groups']);
    expect(switched).toMatchObject({ changed: true, recomputed: { changed: 2, finished: true } });
    expect(await accessOf(idp, carol)).toEqual({ role: 'Editor', allBrands: true });
    const audit = (await show(tenantId, carol)).recentChanges[0];
    expect(audit?.details.cause).toEqual({ reason: 'access source switched to groups' });

    const remapped = await cli(['group', 'map', '--tenant', tenantId, '--group', editors, '--brand', brand]);
    expect(remapped).toMatchObject({ recomputed: { recomputed: 2, changed: 2, finished: true } });
    expect(await accessOf(idp, dave)).toEqual({ role: 'Editor', allBrands: false, brands: [brand] });

    // A run with nothing pending recomputes everyone and changes nothing.
    expect(await cli(['tenant', 'recompute-access', '--tenant', tenantId])).toMatchObject({
      recomputed: 3,
      changed: 0,
      finished: true,
    });

    const deleted = await idp.delete(`/Groups/${editors}`);
    expect(deleted.status).toBe(204);
    expect(await accessOf(idp, carol)).toEqual({ role: 'collaborator', allBrands: true });
    const afterDelete = (await cli(['group', 'list', '--tenant', tenantId])) as { groups: unknown[] };
    expect(afterDelete.groups).toEqual([]);

    // Back to admins: everyone keeps what they have, and admins set access again.
    await cli(['tenant', 'set-access-source', '--tenant', tenantId, '--source', 'admins']);
    await cli(['user', 'set-brands', '--tenant', tenantId, '--user', carol, '--brand', brand]);
    expect(await accessOf(idp, carol)).toEqual({ role: 'collaborator', allBrands: false, brands: [brand] });
  });

  test('member ids that are not users of the tenant are skipped and kept in the audit trail', async () => {
    const { tenantId, idp, clientId } = await tenant();
    const erin = await scimUser(idp, 'erin@acme.example');
    const group = await scimGroup(idp, 'Mixed');
    const unknown = 'not-a-user-of-this-tenant';
    const response = await idp.patch(
      `/Groups/${group}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: erin }, { value: unknown }] }),
    );
    expect(response.status).toBe(204);
    const store = new DynamoDbAccessStore(documentClient(), {
      clients: tableName('clients'),
      users: tableName('users'),
    });
    const [entry] = await store.changes(tenantId, undefined, 1);
    expect(entry).toMatchObject({
      actor: `scim:${clientId}`,
      action: 'group.members-skipped',
      details: {
        groupId: group,
        displayName: 'Mixed',
        skippedMembers: 1,
        skippedMemberIds: [unknown],
        client: clientId,
      },
    });
  });
});
