import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { StoreError } from '../../adapters/dynamodb/store-errors';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { memoryAccessStores } from '../../adapters/memory/access-stores';
import type { TenantStore as TenantStorePort } from '../../core/access/ports';
import {
  authenticateClientSecret,
  clientAllowsGrant,
  DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
  MAX_SECRET_LIFETIME_SECONDS,
} from '../../core/oauth/clients';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { documentClient, tableName } from '../../functions/_shared/services';
import { describeContract } from '../support/contract';

/** The client store as the token endpoint and the admin tools use it, next to the tenants its clients belong to. */
interface Clients {
  readonly tenants: Pick<TenantStorePort, 'createTenant'>;
  readonly clients: Pick<
    ClientStore,
    'create' | 'createPublic' | 'get' | 'getWithSecretHashes' | 'list' | 'rotateSecret' | 'delete'
  >;
}

describeContract<Clients>(
  'client store',
  {
    memory: () => memoryAccessStores(),
    dynamodb: ({ db, tableName }) => ({
      tenants: new TenantStore(db, tableName('clients')),
      clients: new ClientStore(db, tableName('clients')),
    }),
  },
  (subject, kind) => {
    const newTenant = async () => {
      const tenantId = randomUUID();
      await subject().tenants.createTenant(
        { tenantId, name: `Tenant ${tenantId}`, createdAt: new Date().toISOString() },
        { uniqueName: false },
      );
      return tenantId;
    };

    test('AS-E1: the secret is 256-bit random, returned once and stored only as a hash', async () => {
      const { clients } = subject();
      const { client, clientSecret } = await clients.create({
        tenantId: await newTenant(),
        name: 'Okta',
        redirectUris: ['https://system-admin.okta.com/admin/app/cpc/acme_scim_1/oauth/callback'],
      });
      expect(Buffer.from(clientSecret, 'base64url')).toHaveLength(32);
      expect(JSON.stringify(await clients.get(client.clientId))).not.toContain(clientSecret);
      const withHashes = await clients.getWithSecretHashes(client.clientId);
      expect(withHashes?.client).toEqual(client);
      expect(withHashes?.secretHashes.map((secret) => secret.hash)).toEqual([opaqueTokenHash(clientSecret)]);
      expect(JSON.stringify(withHashes)).not.toContain(clientSecret);
      if (kind === 'dynamodb') {
        const raw = await documentClient().send(
          new GetCommand({ TableName: tableName('clients'), Key: { pk: `CLIENT#${client.clientId}`, sk: 'CLIENT' } }),
        );
        expect(JSON.stringify(raw.Item)).not.toContain(clientSecret);
      }
      await expect(authenticateClientSecret(clients, client.clientId, clientSecret, new Date())).resolves.toMatchObject(
        { clientId: client.clientId },
      );
      await expect(
        authenticateClientSecret(clients, client.clientId, `${clientSecret}x`, new Date()),
      ).resolves.toBeUndefined();
      await expect(authenticateClientSecret(clients, randomUUID(), clientSecret, new Date())).resolves.toBeUndefined();
    });

    test('a public client has no secret, reads back as public, and no secret authenticates it', async () => {
      const { clients } = subject();
      const tenantId = await newTenant();
      const { client } = await clients.createPublic({
        tenantId,
        name: 'Device app',
        redirectUris: ['https://app.example.com/callback'],
      });
      expect(client).toMatchObject({ tenantId, kind: 'authorization_code', publicClient: true, secrets: [] });
      await expect(clients.get(client.clientId)).resolves.toEqual(client);
      await expect(clients.getWithSecretHashes(client.clientId)).resolves.toEqual({ client, secretHashes: [] });
      await expect(clients.list(tenantId)).resolves.toEqual([client]);
      await expect(authenticateClientSecret(clients, client.clientId, '', new Date())).resolves.toBeUndefined();
      expect(clientAllowsGrant(client, 'authorization_code')).toBe(true);
      expect(clientAllowsGrant(client, 'client_credentials')).toBe(false);
    });

    test('a client id given twice registers one client: the second is duplicate-client and changes nothing', async () => {
      const { clients } = subject();
      const tenantId = await newTenant();
      const clientId = randomUUID();
      const settings = { tenantId, name: 'Okta', redirectUris: ['https://example.com/cb'] };
      const { client, clientSecret } = await clients.create(settings, new Date(), clientId);
      expect(client.clientId).toBe(clientId);
      await expect(clients.create({ ...settings, name: 'Again' }, new Date(), clientId)).rejects.toMatchObject({
        code: 'duplicate-client',
      });
      await expect(clients.createPublic({ ...settings, name: 'Again' }, new Date(), clientId)).rejects.toMatchObject({
        code: 'duplicate-client',
      });
      await expect(clients.get(clientId)).resolves.toEqual(client);
      await expect(authenticateClientSecret(clients, clientId, clientSecret, new Date())).resolves.toEqual(client);
    });

    test('AS-E6: after a rotation both secrets work until the overlap ends, then only the new one', async () => {
      const { clients } = subject();
      const { client, clientSecret: oldSecret } = await clients.create({
        tenantId: await newTenant(),
        name: 'Okta',
        redirectUris: ['https://example.com/cb'],
      });
      const now = new Date();
      const rotated = await clients.rotateSecret(client.clientId, 3600, now);
      const nowSeconds = Math.floor(now.getTime() / 1000);
      expect(rotated.previousSecretExpiresAt).toBe(nowSeconds + 3600);
      expect(rotated.client.secrets).toHaveLength(2);
      await expect(clients.get(client.clientId)).resolves.toEqual(rotated.client);
      await expect(authenticateClientSecret(clients, client.clientId, oldSecret, now)).resolves.toBeDefined();
      await expect(
        authenticateClientSecret(clients, client.clientId, rotated.clientSecret, now),
      ).resolves.toBeDefined();
      const afterOverlap = new Date((nowSeconds + 3600) * 1000);
      await expect(
        authenticateClientSecret(clients, client.clientId, oldSecret, afterOverlap),
      ).resolves.toBeUndefined();
      await expect(
        authenticateClientSecret(clients, client.clientId, rotated.clientSecret, afterOverlap),
      ).resolves.toBeDefined();

      const again = await clients.rotateSecret(client.clientId, 0, now);
      expect(again.client.secrets).toHaveLength(1);
      await expect(
        authenticateClientSecret(clients, client.clientId, rotated.clientSecret, now),
      ).resolves.toBeUndefined();
      await expect(authenticateClientSecret(clients, client.clientId, oldSecret, now)).resolves.toBeUndefined();
      await expect(authenticateClientSecret(clients, client.clientId, again.clientSecret, now)).resolves.toBeDefined();
    });

    test('a rotation during an earlier overlap ends the oldest secret now: never more than two', async () => {
      const { clients } = subject();
      const { client, clientSecret: first } = await clients.create({
        tenantId: await newTenant(),
        name: 'Okta',
        redirectUris: ['https://example.com/cb'],
      });
      const now = new Date();
      const second = await clients.rotateSecret(client.clientId, 3600, now);
      const third = await clients.rotateSecret(client.clientId, 600, now);
      expect(third.client.secrets).toHaveLength(2);
      expect(third.previousSecretExpiresAt).toBe(Math.floor(now.getTime() / 1000) + 600);
      await expect(authenticateClientSecret(clients, client.clientId, first, now)).resolves.toBeUndefined();
      await expect(authenticateClientSecret(clients, client.clientId, second.clientSecret, now)).resolves.toBeDefined();
      await expect(authenticateClientSecret(clients, client.clientId, third.clientSecret, now)).resolves.toBeDefined();
    });

    test('an unknown tenant or client is a StoreError', async () => {
      await expect(
        subject().clients.create({ tenantId: randomUUID(), name: 'x', redirectUris: ['https://example.com/cb'] }),
      ).rejects.toMatchObject({ code: 'unknown-tenant' });
      const rotation = subject().clients.rotateSecret(randomUUID(), 3600);
      await expect(rotation).rejects.toBeInstanceOf(StoreError);
      await expect(rotation).rejects.toMatchObject({ code: 'unknown-client' });
    });

    test('lists per tenant, oldest first, and deletes', async () => {
      const { clients } = subject();
      const tenantId = await newTenant();
      const older = await clients.create({ tenantId, name: 'a', redirectUris: ['https://a/cb'] }, new Date(1_000));
      const newer = await clients.create({ tenantId, name: 'b', redirectUris: ['https://b/cb'] }, new Date(2_000));
      await clients.create({ tenantId: await newTenant(), name: 'c', redirectUris: ['https://c/cb'] });
      await expect(clients.list(tenantId)).resolves.toEqual([older.client, newer.client]);
      await expect(clients.delete(older.client.clientId)).resolves.toEqual(older.client);
      await expect(clients.get(older.client.clientId)).resolves.toBeUndefined();
      await expect(
        authenticateClientSecret(clients, older.client.clientId, older.clientSecret, new Date()),
      ).resolves.toBeUndefined();
      await expect(clients.delete(older.client.clientId)).resolves.toBeUndefined();
      await expect(clients.list(tenantId)).resolves.toEqual([newer.client]);
    });

    test('a client is an authorization-code client unless created as a machine client', async () => {
      const { clients } = subject();
      const tenantId = await newTenant();
      const code = await clients.create({ tenantId, name: 'Okta', redirectUris: ['https://example.com/cb'] });
      expect(code.client).toMatchObject({ kind: 'authorization_code', redirectUris: ['https://example.com/cb'] });
      expect(code.client).not.toHaveProperty('accessTokenLifetimeSeconds');
      expect(clientAllowsGrant(code.client, 'authorization_code')).toBe(true);
      expect(clientAllowsGrant(code.client, 'refresh_token')).toBe(true);
      expect(clientAllowsGrant(code.client, 'client_credentials')).toBe(false);

      const machine = await clients.create({ tenantId, name: 'Entra', kind: 'client_credentials' });
      expect(machine.client).toMatchObject({
        kind: 'client_credentials',
        redirectUris: [],
        accessTokenLifetimeSeconds: DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
      });
      expect(clientAllowsGrant(machine.client, 'client_credentials')).toBe(true);
      expect(clientAllowsGrant(machine.client, 'authorization_code')).toBe(false);
      expect(clientAllowsGrant(machine.client, 'refresh_token')).toBe(false);
      await expect(clients.get(machine.client.clientId)).resolves.toEqual(machine.client);
      await expect(
        authenticateClientSecret(clients, machine.client.clientId, machine.clientSecret, new Date()),
      ).resolves.toEqual(machine.client);

      const sixHours = await clients.create({
        tenantId,
        name: 'Entra 6h',
        kind: 'client_credentials',
        accessTokenLifetimeSeconds: 6 * 3600,
      });
      await expect(clients.get(sixHours.client.clientId)).resolves.toMatchObject({
        accessTokenLifetimeSeconds: 6 * 3600,
      });
    });

    test('settings out of bounds are refused and nothing is stored', async () => {
      const { clients } = subject();
      const tenantId = await newTenant();
      for (const accessTokenLifetimeSeconds of [3599, 6 * 3600 + 1, 4000.5]) {
        await expect(
          clients.create({ tenantId, name: 'x', kind: 'client_credentials', accessTokenLifetimeSeconds }),
        ).rejects.toBeInstanceOf(RangeError);
      }
      for (const secretLifetimeSeconds of [86_399, MAX_SECRET_LIFETIME_SECONDS + 1]) {
        await expect(
          clients.create({ tenantId, name: 'x', kind: 'client_credentials', secretLifetimeSeconds }),
        ).rejects.toBeInstanceOf(RangeError);
      }
      await expect(clients.create({ tenantId, name: 'x', redirectUris: [] })).rejects.toBeInstanceOf(RangeError);
      await expect(clients.list(tenantId)).resolves.toEqual([]);
    });

    test('a secret given an expiry works until then and is refused from then on, also after a rotation', async () => {
      const { clients } = subject();
      const created = new Date();
      const createdSeconds = Math.floor(created.getTime() / 1000);
      const year = 365 * 86_400;
      const { client, clientSecret } = await clients.create(
        { tenantId: await newTenant(), name: 'Entra', kind: 'client_credentials', secretLifetimeSeconds: year },
        created,
      );
      expect(client.secrets).toEqual([{ createdAt: created.toISOString(), expiresAt: createdSeconds + year }]);
      const justBefore = new Date((createdSeconds + year - 1) * 1000);
      const atExpiry = new Date((createdSeconds + year) * 1000);
      await expect(authenticateClientSecret(clients, client.clientId, clientSecret, justBefore)).resolves.toBeDefined();
      await expect(authenticateClientSecret(clients, client.clientId, clientSecret, atExpiry)).resolves.toBeUndefined();

      const rotated = await clients.rotateSecret(client.clientId, 3600, created, 2 * year);
      expect(rotated.client.secrets).toEqual([
        { createdAt: created.toISOString(), expiresAt: createdSeconds + 3600 },
        { createdAt: created.toISOString(), expiresAt: createdSeconds + 2 * year },
      ]);
      const later = new Date((createdSeconds + 2 * year - 1) * 1000);
      await expect(
        authenticateClientSecret(clients, client.clientId, rotated.clientSecret, later),
      ).resolves.toBeDefined();
      await expect(
        authenticateClientSecret(
          clients,
          client.clientId,
          rotated.clientSecret,
          new Date((createdSeconds + 2 * year) * 1000),
        ),
      ).resolves.toBeUndefined();
      await expect(clients.rotateSecret(client.clientId, 0, created, 60)).rejects.toBeInstanceOf(RangeError);
    });

    if (kind === 'dynamodb') {
      test('a client item written before kinds existed is an authorization-code client', async () => {
        const tenantId = await newTenant();
        const clientId = randomUUID();
        const createdAt = new Date().toISOString();
        await documentClient().send(
          new PutCommand({
            TableName: tableName('clients'),
            Item: {
              pk: `CLIENT#${clientId}`,
              sk: 'CLIENT',
              gsi1pk: `TENANT#${tenantId}`,
              gsi1sk: `CLIENT#${createdAt}#${clientId}`,
              kind: 'client',
              clientId,
              tenantId,
              name: 'Okta',
              redirectUris: ['https://example.com/cb'],
              createdAt,
              secrets: [{ hash: opaqueTokenHash('old-secret'), createdAt }],
              secretsVersion: 1,
            },
          }),
        );
        const client = await subject().clients.get(clientId);
        expect(client).toEqual({
          clientId,
          tenantId,
          name: 'Okta',
          kind: 'authorization_code',
          redirectUris: ['https://example.com/cb'],
          createdAt,
          secrets: [{ createdAt }],
        });
        await expect(subject().clients.list(tenantId)).resolves.toEqual([client]);
      });
    }
  },
);
