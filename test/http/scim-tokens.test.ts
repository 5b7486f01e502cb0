import { randomUUID } from 'node:crypto';
import { ScimTokenStore } from '../../adapters/dynamodb/scim-token-store';
import {
  issueScimToken,
  MAX_ACTIVE_SCIM_TOKENS_PER_TENANT,
  SCIM_TOKEN_PATTERN,
  SCIM_TOKEN_PREFIX,
} from '../../core/oauth/scim-tokens';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { clearGrantStatusCache } from '../../functions/_shared/bearer-auth';
import { documentClient, tableName } from '../../functions/_shared/services';
import { admin, onlyJson } from '../support/admin-cli';
import { type RunningService, startService, testDynamoDbEndpoint } from '../support/local-service';
import { captureLogs } from '../support/log-capture';
import { resourcesOf, scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';

/**
 * Long-lived SCIM tokens as an IdP that is not Okta (Entra's "Secret Token", OneLogin, JumpCloud) meets them:
 * created with the real CLI, sent as `Authorization: Bearer` to the real HTTP server, confined to their tenant,
 * and refused (401, never 500) once revoked, expired, malformed or too long.
 */
let service: RunningService;
// Each step starts the real CLI (a TypeScript process); on a loaded machine a few of them outlast the default.
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

const newTenant = async () =>
  ((await cli(['tenant', 'create', '--name', `Tokens ${randomUUID()}`])) as { tenantId: string }).tenantId;

async function createToken(tenantId: string, name: string, extra: string[] = []) {
  const created = (await cli(['token', 'create', '--tenant', tenantId, '--name', name, ...extra])) as {
    tokenId: string;
    token: string;
    expiresAt: string | null;
  };
  rememberSecret(created.token);
  return created;
}

const userBody = (userName: string) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  active: true,
});

const challengeOf = (response: { headers: Headers }) => response.headers.get('www-authenticate') ?? '';

describe('SCIM bearer tokens', () => {
  test('a token made with the CLI provisions its own tenant only, is listed without itself, and dies when revoked', async () => {
    const logs = captureLogs();
    let token: string;
    let tokenId: string;
    let tenantId: string;
    try {
      tenantId = await newTenant();
      const otherTenantId = await newTenant();
      ({ token, tokenId } = await createToken(tenantId, 'Entra production'));
      expect(token).toMatch(SCIM_TOKEN_PATTERN);
      const other = await createToken(otherTenantId, 'OneLogin');

      const entra = scimClient(service, token);
      const created = await entra.post('/Users', userBody('pat.doe@tokens.example'));
      expect(created.status).toBe(201);
      const id = (created.body as { id: string }).id;
      expect((await entra.get(`/Users/${id}`)).status).toBe(200);

      const oneLogin = scimClient(service, other.token);
      expect((await oneLogin.get(`/Users/${id}`)).status).toBe(404);
      expect(resourcesOf(await oneLogin.get('/Users')).map((user) => user.id)).not.toContain(id);
      expect(resourcesOf(await entra.get('/Users')).map((user) => user.id)).toContain(id);

      const listed = (await cli(['token', 'list', '--tenant', tenantId])) as { tokens: Record<string, unknown>[] };
      expect(listed.tokens).toEqual([
        {
          tokenId,
          tenantId,
          name: 'Entra production',
          createdAt: expect.any(String),
          expiresAt: null,
          status: 'active',
          lastUsedAt: expect.any(String),
        },
      ]);
      expect(JSON.stringify(listed)).not.toContain(SCIM_TOKEN_PREFIX);

      const revoked = await cli(['token', 'revoke', '--tenant', tenantId, '--token', tokenId]);
      expect(revoked).toEqual({ tokenId, status: 'revoked', revokedAt: expect.any(String) });
      // The resource server trusts what it read for the grant-status window; past it, the revocation shows.
      clearGrantStatusCache();
      const refused = await entra.get('/Users');
      expect(refused.status).toBe(401);
      expect(refused.body?.detail).toBe('The SCIM token has been revoked');
      expect(challengeOf(refused)).toContain('error="invalid_token"');
      expect((await oneLogin.get('/Users')).status).toBe(200);
      const afterRevoke = (await cli(['token', 'list', '--tenant', tenantId])) as { tokens: { status: string }[] };
      expect(afterRevoke.tokens.map((listedToken) => listedToken.status)).toEqual(['revoked']);
    } finally {
      logs.restore();
    }

    const lines = logs.lines();
    expect(lines.filter((line) => line.includes(token))).toEqual([]);
    const records = logs.json();
    expect(records).toContainEqual(
      expect.objectContaining({ message: 'request', status: 201, credential: 'scim-token', scimTokenId: tokenId }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        message: 'bearer token refused',
        credential: 'scim-token',
        reason: 'revoked',
        scimTokenId: tokenId,
        tenant: tenantId,
      }),
    );
  });

  test('the last-used time is written on first use, then not again within the interval', async () => {
    const tenantId = await newTenant();
    const { token, tokenId } = await createToken(tenantId, 'JumpCloud');
    const store = new ScimTokenStore(documentClient(), tableName('grants'));
    const stored = async () => (await store.listForTenant(tenantId)).find((listed) => listed.tokenId === tokenId);
    expect((await stored())?.lastUsedAt).toBeUndefined();

    const before = new Date().toISOString();
    const jumpCloud = scimClient(service, token);
    expect((await jumpCloud.get('/Users')).status).toBe(200);
    const after = new Date().toISOString();
    const firstUse = (await stored())?.lastUsedAt as string;
    expect(firstUse >= before && firstUse <= after).toBe(true);

    clearGrantStatusCache();
    expect((await jumpCloud.get('/Users')).status).toBe(200);
    expect((await stored())?.lastUsedAt).toBe(firstUse);
    const listed = (await cli(['token', 'list', '--tenant', tenantId])) as { tokens: Record<string, unknown>[] };
    expect(listed.tokens).toEqual([expect.objectContaining({ tokenId, lastUsedAt: firstUse })]);
  });

  test('an expired token is refused with 401', async () => {
    const tenantId = await newTenant();
    const store = new ScimTokenStore(documentClient(), tableName('grants'));
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000);
    const issued = await issueScimToken(store, { tenantId, name: 'JumpCloud', lifetimeSeconds: 86400 }, twoDaysAgo);
    if (!issued.ok) throw new Error('expected a token');
    rememberSecret(issued.token);
    const response = await scimClient(service, issued.token).get('/Users');
    expect(response.status).toBe(401);
    expect(response.body?.detail).toBe('The SCIM token has expired');
    const listed = (await cli(['token', 'list', '--tenant', tenantId])) as { tokens: { status: string }[] };
    expect(listed.tokens.map((token) => token.status)).toEqual(['expired']);
  });

  test('a token with an expiry works until then, and the expiry is listed', async () => {
    const tenantId = await newTenant();
    const { token, expiresAt } = await createToken(tenantId, 'Rippling', ['--expires-in', '30d']);
    const days = (Date.parse(expiresAt ?? '') - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect((await scimClient(service, token).get('/Users')).status).toBe(200);
  });

  test.each([
    ['an unknown token of the right shape', `${SCIM_TOKEN_PREFIX}${'A'.repeat(43)}`, 'The SCIM token is not known'],
    ['a token with the prefix and too few characters', `${SCIM_TOKEN_PREFIX}abc`, 'The SCIM token is malformed'],
    [
      'a token with the prefix and too many characters',
      `${SCIM_TOKEN_PREFIX}${'b'.repeat(44)}`,
      'The SCIM token is malformed',
    ],
    ['an oversized token', `${SCIM_TOKEN_PREFIX}${'c'.repeat(5000)}`, 'The bearer token is too long'],
  ])('%s is a 401 invalid_token', async (_case, token, detail) => {
    const response = await scimClient(service, token).get('/Users');
    expect(response.status).toBe(401);
    expect(response.body?.detail).toBe(detail);
    expect(challengeOf(response)).toContain('error="invalid_token"');
  });

  test('a token that is not valid bearer syntax is a 401 asking for credentials', async () => {
    const response = await scimClient(service, undefined).get('/Users', {
      Authorization: `Bearer ${SCIM_TOKEN_PREFIX}not a token`,
    });
    expect(response.status).toBe(401);
    expect(challengeOf(response)).toBe('Bearer realm="scim"');
  });

  test(`a tenant holds at most ${MAX_ACTIVE_SCIM_TOKENS_PER_TENANT} active tokens; revoking one makes room`, async () => {
    const tenantId = await newTenant();
    const store = new ScimTokenStore(documentClient(), tableName('grants'));
    const first = await createToken(tenantId, 'first');
    for (let i = 1; i < MAX_ACTIVE_SCIM_TOKENS_PER_TENANT; i += 1) {
      const issued = await issueScimToken(store, { tenantId, name: `token ${i}` }, new Date());
      expect(issued.ok).toBe(true);
    }
    const refused = await admin(['token', 'create', '--tenant', tenantId, '--name', 'one too many', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(JSON.parse(refused.stderr.trim().split('\n').at(-1) ?? '')).toEqual({
      error: {
        code: 'too-many-scim-tokens',
        message: `Tenant ${tenantId} already has ${MAX_ACTIVE_SCIM_TOKENS_PER_TENANT} active SCIM tokens, the most it may hold; revoke one first (token list, token revoke)`,
      },
    });
    await cli(['token', 'revoke', '--tenant', tenantId, '--token', first.tokenId]);
    await createToken(tenantId, 'replacement');
  });

  test('the CLI refuses an unknown tenant, an unknown token and a bad --expires-in', async () => {
    const unknownTenant = await admin(['token', 'create', '--tenant', randomUUID(), '--name', 'x', '--json']);
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toContain('"code":"unknown-tenant"');
    const tenantId = await newTenant();
    const unknownToken = await admin(['token', 'revoke', '--tenant', tenantId, '--token', randomUUID(), '--json']);
    expect(unknownToken.code).toBe(1);
    expect(unknownToken.stderr).toContain('"code":"unknown-scim-token"');
    const badLifetime = await admin([
      'token',
      'create',
      '--tenant',
      tenantId,
      '--name',
      'x',
      '--expires-in',
      'forever',
    ]);
    expect(badLifetime.code).toBe(2);
    expect(badLifetime.stderr).toContain('--expires-in must look like 90m, 12h or 365d, not forever');
  });
});
