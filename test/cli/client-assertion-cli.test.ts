import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { admin, onlyJson } from '../support/admin-cli';
import { useLocalEnvironment } from '../support/local-service';
import { oauthStores } from '../support/oauth';

/** `client create` for clients that authenticate with a signed JWT (RFC 7523), through the real CLI. */
jest.setTimeout(180_000);
beforeAll(() => useLocalEnvironment());

const folder = mkdtempSync(join(tmpdir(), 'scim-jwks-'));

async function createTenant(): Promise<string> {
  const result = await admin(['tenant', 'create', '--name', `Acme ${randomUUID()}`, '--json']);
  expect(result.code).toBe(0);
  return onlyJson(result).tenantId as string;
}

function file(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const federatedOptions = (jwksUri = `https://login.microsoftonline.com/${ENTRA_TENANT}/discovery/v2.0/keys`) => [
  '--federated-issuer',
  `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
  '--federated-subject',
  '6f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  '--federated-audience',
  'api://9b2e6c8a-5d1f-4e3b-a7c9-0f1e2d3c4b5a',
  '--jwks-uri',
  jwksUri,
];

const create = (tenantId: string, ...options: string[]) =>
  admin([
    'client',
    'create',
    '--tenant',
    tenantId,
    '--name',
    'Machine',
    '--grant',
    'client_credentials',
    ...options,
    '--json',
  ]);

test('a client with a registered JWK Set has no secret, is listed with its keys, and has no secret to rotate', async () => {
  const tenantId = await createTenant();
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = file('keys.json', JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'key-1' }] }));
  const created = await create(tenantId, '--jwks-file', jwks);
  expect(created.code).toBe(0);
  const output = onlyJson(created);
  expect(output.clientSecret).toBeUndefined();
  const clientId = output.clientId as string;
  const stored = await oauthStores().clients.getWithSecretHashes(clientId);
  expect(stored?.secretHashes).toEqual([]);
  expect(stored?.client.assertionCredential).toMatchObject({ kind: 'jwks', keys: [{ kid: 'key-1', kty: 'EC' }] });
  const listed = onlyJson(await admin(['client', 'list', '--tenant', tenantId, '--json']));
  expect(listed.clients).toEqual([
    expect.objectContaining({ clientId, authentication: { method: 'private_key_jwt', keys: ['key-1'] } }),
  ]);
  const rotated = await admin(['client', 'rotate-secret', '--client', clientId]);
  expect(rotated.code).toBe(1);
  expect(rotated.stderr).toContain('has no secret');
  expect((await oauthStores().clients.getWithSecretHashes(clientId))?.secretHashes).toEqual([]);
});

test('a client with a federated credential (Entra) keeps the four values', async () => {
  const tenantId = await createTenant();
  const created = await create(tenantId, ...federatedOptions());
  expect(created.code).toBe(0);
  const clientId = onlyJson(created).clientId as string;
  const listed = onlyJson(await admin(['client', 'list', '--tenant', tenantId, '--json']));
  expect(listed.clients).toEqual([
    expect.objectContaining({
      clientId,
      authentication: {
        method: 'private_key_jwt',
        federated: {
          issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
          subject: '6f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
          audience: 'api://9b2e6c8a-5d1f-4e3b-a7c9-0f1e2d3c4b5a',
          jwksUri: `https://login.microsoftonline.com/${ENTRA_TENANT}/discovery/v2.0/keys`,
        },
      },
    }),
  ]);
});

test.each([
  ['a plain-http JWKS URL on a public host', () => federatedOptions('http://login.example.com/keys'), /https/],
  [
    'a federated credential without its audience',
    () => federatedOptions().slice(0, 4).concat(federatedOptions().slice(6)),
    /--federated-audience is required/,
  ],
  [
    'both a JWK Set and a federated credential',
    () => ['--jwks-file', file('x.json', '{}'), ...federatedOptions()],
    /not both/,
  ],
  [
    'a private key',
    () => ['--jwks-file', file('private.json', '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","d":"d"}]}')],
    /private/,
  ],
  ['an HMAC key', () => ['--jwks-file', file('hmac.json', '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}')], /asymmetric/],
  [
    'a JWK Set file over 16 KiB',
    () => ['--jwks-file', file('big.json', `{"keys":[],"x":"${'x'.repeat(17_000)}"}`)],
    /larger than/,
  ],
  ['a missing file', () => ['--jwks-file', join(folder, 'missing.json')], /Cannot read/],
])('%s is refused (exit 2) and creates nothing', async (_case, options, message) => {
  const tenantId = await createTenant();
  const result = await create(tenantId, ...options());
  expect(result).toMatchObject({ code: 2, stdout: '' });
  expect(JSON.parse(result.stderr.trim().split('\n').at(-1) as string)).toEqual({
    error: { code: 'usage', message: expect.stringMatching(message) },
  });
  await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
});

test('keys are only for client_credentials clients, and such a client takes no secret expiry', async () => {
  const tenantId = await createTenant();
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = file('code-client.json', JSON.stringify({ keys: [await exportJWK(publicKey)] }));
  const codeClient = await admin([
    'client',
    'create',
    '--tenant',
    tenantId,
    '--name',
    'Okta',
    '--redirect-uri',
    'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
    '--jwks-file',
    jwks,
  ]);
  expect(codeClient).toMatchObject({ code: 2, stdout: '' });
  expect(codeClient.stderr).toContain('--grant client_credentials');
  const withExpiry = await create(tenantId, '--jwks-file', jwks, '--secret-expires-in', '365d');
  expect(withExpiry).toMatchObject({ code: 2, stdout: '' });
  expect(withExpiry.stderr).toContain('no secret');
  await expect(oauthStores().clients.list(tenantId)).resolves.toEqual([]);
});
