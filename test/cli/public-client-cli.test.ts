import { randomUUID } from 'node:crypto';
import { handleTokenRequest } from '../../core/oauth/token-endpoint';
import { admin, onlyJson } from '../support/admin-cli';
import { useLocalEnvironment } from '../support/local-service';
import {
  form,
  issueTestCode,
  type OAuthFixture,
  oauthStores,
  pkcePair,
  rememberTokens,
  tokenEndpointDeps,
} from '../support/oauth';

/** `client create --public` and `grant list`'s last use, through the real CLI as a child process. */
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

const CALLBACK = 'https://app.example.com/callback';

async function createTenant(): Promise<string> {
  const result = await admin(['tenant', 'create', '--name', `Acme ${randomUUID()}`, '--json']);
  expect(result.code).toBe(0);
  return onlyJson(result).tenantId as string;
}

test('client create --public registers a client with no secret, listed as public, with nothing to rotate', async () => {
  const tenantId = await createTenant();
  const created = await admin([
    'client',
    'create',
    '--public',
    '--tenant',
    tenantId,
    '--name',
    'Device app',
    '--redirect-uri',
    CALLBACK,
    '--json',
  ]);
  expect(created.code).toBe(0);
  const output = onlyJson(created);
  expect(output).toEqual({
    clientId: expect.any(String),
    kind: 'authorization_code',
    public: true,
    tokenEndpointAuthMethod: 'none',
  });
  const clientId = output.clientId as string;
  await expect(oauthStores().clients.get(clientId)).resolves.toMatchObject({ publicClient: true, secrets: [] });

  const listed = onlyJson(await admin(['client', 'list', '--tenant', tenantId, '--json']));
  expect(listed.clients).toEqual([
    expect.objectContaining({ clientId, secrets: [], authentication: { method: 'none', pkce: 'S256' } }),
  ]);
  const table = await admin(['client', 'list', '--tenant', tenantId]);
  expect(table.stdout).toContain('public (PKCE S256)');

  const rotated = await admin(['client', 'rotate-secret', '--client', clientId, '--json']);
  expect(rotated.code).toBe(1);
  expect(rotated.stderr).toContain('has no secret to rotate');
});

test('client create --public refuses the options of other kinds of client', async () => {
  const tenantId = await createTenant();
  const base = ['client', 'create', '--public', '--name', 'Device app', '--redirect-uri', CALLBACK];
  const refused = await Promise.all([
    admin([...base, '--tenant', tenantId, '--secret-expires-in', '365d']),
    admin([...base, '--tenant', tenantId, '--grant', 'client_credentials']),
    admin([...base, '--multi-tenant']),
  ]);
  expect(refused.map((result) => result.code)).toEqual([2, 2, 2]);
  expect(refused[0]?.stderr).toContain('has no secret');
  await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
});

test('client create --help describes --public', async () => {
  const help = await admin(['client', 'create', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--public');
  expect(help.stdout).toContain('PKCE with S256');
});

test('grant list shows when a grant was last used: never before a refresh, then the refresh time', async () => {
  const tenantId = await createTenant();
  const { client } = await oauthStores().clients.createPublic({ tenantId, name: 'App', redirectUris: [CALLBACK] });
  const { verifier, challenge } = pkcePair();
  const fixture = { tenantId, clientId: client.clientId, redirectUri: CALLBACK, adminUserId: randomUUID() };
  const code = await issueTestCode(fixture as OAuthFixture, {
    scope: 'scim offline_access',
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
  });
  const named = { client_id: client.clientId };
  const issued = rememberTokens(
    await handleTokenRequest(
      tokenEndpointDeps(),
      undefined,
      form({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier, ...named }),
    ),
  );
  const list = async () => onlyJson(await admin(['grant', 'list', '--tenant', tenantId, '--json'])).grants;
  expect(await list()).toEqual([expect.not.objectContaining({ lastUsedAt: expect.anything() })]);
  expect((await admin(['grant', 'list', '--tenant', tenantId])).stdout).toMatch(/LAST USED[\s\S]*never/);

  const before = Math.floor(Date.now() / 1000) * 1000;
  rememberTokens(
    await handleTokenRequest(
      tokenEndpointDeps(),
      undefined,
      form({ grant_type: 'refresh_token', refresh_token: issued.response.refresh_token as string, ...named }),
    ),
  );
  const [grant] = (await list()) as { lastUsedAt: string }[];
  expect(Date.parse(grant?.lastUsedAt as string)).toBeGreaterThanOrEqual(before);
  expect((await admin(['grant', 'list', '--tenant', tenantId])).stdout).toContain(grant?.lastUsedAt);
});
