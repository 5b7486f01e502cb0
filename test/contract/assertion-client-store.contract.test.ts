import { randomUUID } from 'node:crypto';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { memoryAccessStores } from '../../adapters/memory/access-stores';
import type { TenantStore as TenantStorePort } from '../../core/access/ports';
import type { AssertionCredential } from '../../core/oauth/client-assertion';
import { authenticateClientSecret } from '../../core/oauth/clients';
import { describeContract } from '../support/contract';

/** The client store's side of clients that authenticate with signed JWTs (RFC 7523) instead of a secret. */
interface Clients {
  readonly tenants: Pick<TenantStorePort, 'createTenant'>;
  readonly clients: Pick<ClientStore, 'createWithAssertionKeys' | 'get' | 'getWithSecretHashes' | 'list'>;
}

const registeredKeys: AssertionCredential = {
  kind: 'jwks',
  keys: [
    {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      kid: 'k1',
    },
  ],
};

const federated: AssertionCredential = {
  kind: 'federated',
  issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
  subject: '6f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  audience: 'api://9b2e6c8a-5d1f-4e3b-a7c9-0f1e2d3c4b5a',
  jwksUri: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys',
};

describeContract<Clients>(
  'client store: clients with assertion keys',
  {
    memory: () => memoryAccessStores(),
    dynamodb: ({ db, tableName }) => ({
      tenants: new TenantStore(db, tableName('clients')),
      clients: new ClientStore(db, tableName('clients')),
    }),
  },
  (subject) => {
    const newTenant = async () => {
      const tenantId = randomUUID();
      await subject().tenants.createTenant(
        { tenantId, name: `Tenant ${tenantId}`, createdAt: new Date().toISOString() },
        { uniqueName: false },
      );
      return tenantId;
    };

    test.each([
      ['a registered JWK Set', registeredKeys],
      ['a federated credential', federated],
    ])('a client with %s reads back with it, and has no secret', async (_case, assertionCredential) => {
      const { clients } = subject();
      const tenantId = await newTenant();
      const { client } = await clients.createWithAssertionKeys({
        tenantId,
        name: 'Entra provisioning',
        kind: 'client_credentials',
        assertionCredential,
      });
      expect(client).toMatchObject({ tenantId, secrets: [], assertionCredential });
      await expect(clients.get(client.clientId)).resolves.toEqual(client);
      await expect(clients.list(tenantId)).resolves.toEqual([client]);
      const withHashes = await clients.getWithSecretHashes(client.clientId);
      expect(withHashes).toEqual({ client, secretHashes: [] });
      await expect(authenticateClientSecret(clients, client.clientId, '', new Date())).resolves.toBeUndefined();
    });

    test('a client of a tenant that does not exist is refused', async () => {
      await expect(
        subject().clients.createWithAssertionKeys({
          tenantId: randomUUID(),
          name: 'x',
          kind: 'client_credentials',
          assertionCredential: federated,
        }),
      ).rejects.toMatchObject({ code: 'unknown-tenant' });
    });
  },
);
