import { randomUUID } from 'node:crypto';
import { ACCESS_USER_SCHEMA, CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { admin, onlyJson } from '../support/admin-cli';
import { type RunningService, startService, testDynamoDbEndpoint } from '../support/local-service';
import { filterPath, patchOp, resourcesOf, type ScimClient, scimClient } from '../support/scim-client';
import { scimTestToken } from '../support/tokens';

/**
 * The access model as identity providers see it: what the tenant's admins set with the CLI shows in the
 * extension, no SCIM write changes it, and a user created with the CLI before Okta was connected is matched
 * and linked by Okta instead of duplicated.
 */
let service: RunningService;
// Each step starts the real CLI (a TypeScript process); on a loaded machine a dozen of them outlast the default.
jest.setTimeout(180_000);
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

/** A tenant made with the CLI, and Okta's SCIM client with a token for it. */
async function tenantWithOkta(): Promise<{ tenantId: string; okta: ScimClient }> {
  const { tenantId } = (await cli(['tenant', 'create', '--name', `Acme ${randomUUID()}`])) as { tenantId: string };
  return { tenantId, okta: scimClient(service, (await scimTestToken(tenantId)).token) };
}

/** Okta's create/PUT body for a user (okta-scim §1.4), with its externalId. */
const oktaBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'Pat Doe',
  active: true,
  ...extra,
});

describe('the access extension over SCIM', () => {
  test('shows the role and brands an admin chose, and no PUT or PATCH from the IdP can change them', async () => {
    const { tenantId, okta } = await tenantWithOkta();
    const created = await okta.post('/Users', oktaBody('pat.doe@acme.example', { externalId: '00u1' }));
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(created.body?.[ACCESS_USER_SCHEMA]).toEqual({ role: 'collaborator', allBrands: true });

    const { brandId } = (await cli(['brand', 'create', '--tenant', tenantId, '--name', 'North'])) as {
      brandId: string;
    };
    await cli(['role', 'create', '--tenant', tenantId, '--name', 'brand-editor']);
    await cli(['user', 'set-role', '--tenant', tenantId, '--user', 'PAT.DOE@acme.example', '--role', 'brand-editor']);
    await cli(['user', 'set-brands', '--tenant', tenantId, '--user', id, '--brand', brandId]);
    const chosen = { role: 'brand-editor', allBrands: false, brands: [brandId] };

    const read = await okta.get(`/Users/${id}`);
    expect(read.body?.[ACCESS_USER_SCHEMA]).toEqual(chosen);
    expect(read.headers.get('etag')).toBe('W/"3"');
    const listed = resourcesOf(await okta.get(filterPath(`${ACCESS_USER_SCHEMA}:role eq "brand-editor"`)));
    expect(listed.map((user) => user.id)).toEqual([id]);

    const put = await okta.put(
      `/Users/${id}`,
      oktaBody('pat.doe@acme.example', {
        externalId: '00u1',
        title: 'Editor',
        [ACCESS_USER_SCHEMA]: { role: 'admin', allBrands: true, brands: ['other'] },
      }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ title: 'Editor', [ACCESS_USER_SCHEMA]: chosen });

    const patches = [
      patchOp({ op: 'replace', path: `${ACCESS_USER_SCHEMA}:role`, value: 'admin' }),
      patchOp({ op: 'add', path: `${ACCESS_USER_SCHEMA}:brands`, value: ['other'] }),
      patchOp({ op: 'remove', path: `${ACCESS_USER_SCHEMA}:brands` }),
      patchOp({ op: 'replace', path: `${ACCESS_USER_SCHEMA}:allBrands`, value: true }),
      patchOp({ op: 'replace', value: { [ACCESS_USER_SCHEMA]: { role: 'admin' } } }),
      patchOp({ op: 'replace', value: { [`${ACCESS_USER_SCHEMA}:allBrands`]: true } }),
    ];
    for (const patch of patches) {
      const response = await okta.patch(`/Users/${id}`, patch);
      expect({ patch, status: response.status, scimType: response.body?.scimType }).toEqual({
        patch,
        status: 400,
        scimType: 'mutability',
      });
    }
    const after = await okta.get(`/Users/${id}`);
    expect(after.body?.[ACCESS_USER_SCHEMA]).toEqual(chosen);
    expect(after.headers.get('etag')).toBe('W/"4"');
  });

  test('a user created with the CLI is found by Okta’s lookup in another case, linked by PUT, imported once', async () => {
    const { tenantId, okta } = await tenantWithOkta();
    await cli(['user', 'create', '--tenant', tenantId, '--email', 'early.bird@acme.example']);
    const { userId } = (await cli([
      'user',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'Pat.Doe@Acme.example',
      '--given-name',
      'Pat',
      '--family-name',
      'Doe',
    ])) as { userId: string };
    await cli(['user', 'set-role', '--tenant', tenantId, '--user', userId, '--role', 'admin']);
    await cli(['user', 'create', '--tenant', tenantId, '--email', 'late.bird@acme.example']);

    // Okta's "Push New Users" asks by userName (here in another letter case) before creating.
    const lookup = await okta.get(filterPath('userName eq "pat.doe@acme.example"'));
    expect(lookup.body).toMatchObject({ totalResults: 1 });
    const [found] = resourcesOf(lookup);
    expect(found).toMatchObject({
      id: userId,
      userName: 'Pat.Doe@Acme.example',
      [ACCESS_USER_SCHEMA]: { role: 'admin', allBrands: true },
    });
    expect(found?.externalId).toBeUndefined();

    // It links the match with a PUT that adds its externalId; a create in its place would be refused.
    const linked = await okta.put(`/Users/${userId}`, oktaBody('pat.doe@acme.example', { externalId: '00uPAT' }));
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({
      id: userId,
      externalId: '00uPAT',
      userName: 'pat.doe@acme.example',
      [ACCESS_USER_SCHEMA]: { role: 'admin', allBrands: true },
    });
    const duplicate = await okta.post('/Users', oktaBody('PAT.DOE@acme.example', { externalId: '00uPAT' }));
    expect(duplicate).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
    expect(resourcesOf(await okta.get(filterPath('externalId eq "00uPAT"'))).map((user) => user.id)).toEqual([userId]);

    // Okta's import walks every page; the pre-existing user appears exactly once.
    const walked: string[] = [];
    for (let startIndex = 1; ; startIndex += 2) {
      const page = await okta.get(`/Users?startIndex=${startIndex}&count=2`);
      expect(page.body).toMatchObject({ totalResults: 3 });
      const resources = resourcesOf(page);
      walked.push(...resources.map((user) => user.userName));
      if (resources.length < 2) break;
    }
    expect(walked).toEqual(['early.bird@acme.example', 'pat.doe@acme.example', 'late.bird@acme.example']);
  });

  test('Okta’s first SPEC check: the tenant’s first user, the admin made with the CLI, has a full name', async () => {
    const { tenantId, okta } = await tenantWithOkta();
    const password = 'a long admin password';
    const created = await admin(
      [
        'admin',
        'create',
        '--tenant',
        tenantId,
        '--email',
        'Ann.Smith@Acme.example',
        '--given-name',
        'Ann',
        '--family-name',
        'Smith',
        '--password-stdin',
        '--json',
      ],
      password,
    );
    expect(created.code).toBe(0);
    const { userId } = onlyJson(created) as { userId: string };

    // Runscope's Okta SCIM 2.0 SPEC test, first request: GET /Users?count=1&startIndex=1.
    const first = await okta.get('/Users?count=1&startIndex=1');
    expect(first.status).toBe(200);
    const [user] = resourcesOf(first);
    expect(user).toMatchObject({
      id: userId,
      userName: 'Ann.Smith@Acme.example',
      name: { givenName: 'Ann', familyName: 'Smith' },
      active: true,
      emails: [expect.objectContaining({ value: 'Ann.Smith@Acme.example' })],
      [ACCESS_USER_SCHEMA]: { role: 'admin', allBrands: true },
    });
  });

  test('a role named as people name it is what SCIM shows and filters on', async () => {
    const { tenantId, okta } = await tenantWithOkta();
    const created = await okta.post('/Users', oktaBody('eve@acme.example', { externalId: '00uEVE' }));
    const id = (created.body as { id: string }).id;
    await cli(['role', 'create', '--tenant', tenantId, '--name', 'Email Creator']);
    await cli(['user', 'set-role', '--tenant', tenantId, '--user', 'eve@acme.example', '--role', 'EMAIL CREATOR']);
    const read = await okta.get(`/Users/${id}`);
    expect(read.body?.[ACCESS_USER_SCHEMA]).toEqual({ role: 'Email Creator', allBrands: true });
    const listed = resourcesOf(await okta.get(filterPath(`${ACCESS_USER_SCHEMA}:role eq "Email Creator"`)));
    expect(listed.map((user) => user.id)).toEqual([id]);
  });
});
