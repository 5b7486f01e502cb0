import { randomUUID } from 'node:crypto';
import { ScimTokenStore } from '../../adapters/dynamodb/scim-token-store';
import { MemoryScimTokenStore } from '../../adapters/memory/scim-token-store';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import type { ScimTokenRecord, ScimTokenStorePort } from '../../core/oauth/scim-tokens';
import { describeContract } from '../support/contract';

const NOW = 1_900_000_000;

const record = (tenantId: string, createdAt: number, extra: Partial<ScimTokenRecord> = {}): ScimTokenRecord => ({
  tokenId: randomUUID(),
  tokenHash: opaqueTokenHash(newOpaqueToken()),
  tenantId,
  name: 'Entra',
  createdAt: new Date(createdAt * 1000).toISOString(),
  status: 'active',
  ...extra,
});

describeContract<ScimTokenStorePort>(
  'SCIM token store',
  {
    memory: () => new MemoryScimTokenStore(),
    dynamodb: ({ db, tableName }) => new ScimTokenStore(db, tableName('grants')),
  },
  (subject) => {
    test('a stored token is read back by its hash, exactly', async () => {
      const token = record(randomUUID(), NOW, { validUntil: NOW + 3600 });
      await subject().put(token, NOW + 3600 + 60);
      expect(await subject().get(token.tokenHash)).toEqual(token);
      expect(await subject().get(opaqueTokenHash(newOpaqueToken()))).toBeUndefined();
    });

    test("a tenant's tokens are listed oldest first, and no other tenant's", async () => {
      const tenantId = randomUUID();
      const later = record(tenantId, NOW + 10);
      const earlier = record(tenantId, NOW);
      await subject().put(later, undefined);
      await subject().put(earlier, undefined);
      await subject().put(record(randomUUID(), NOW), undefined);
      expect(await subject().listForTenant(tenantId)).toEqual([earlier, later]);
    });

    test('a token cannot be stored twice', async () => {
      const token = record(randomUUID(), NOW);
      await subject().put(token, undefined);
      await expect(subject().put({ ...token, name: 'other' }, undefined)).rejects.toThrow();
      expect((await subject().get(token.tokenHash))?.name).toBe('Entra');
    });

    test('revoking keeps the first revocation time; an unknown token is not revoked', async () => {
      const token = record(randomUUID(), NOW);
      await subject().put(token, undefined);
      const first = new Date((NOW + 5) * 1000).toISOString();
      expect(await subject().markRevoked(token.tokenHash, first, NOW + 100)).toBe(true);
      expect(await subject().markRevoked(token.tokenHash, new Date((NOW + 9) * 1000).toISOString(), NOW + 200)).toBe(
        true,
      );
      expect(await subject().get(token.tokenHash)).toEqual({ ...token, status: 'revoked', revokedAt: first });
      expect(await subject().markRevoked(opaqueTokenHash(newOpaqueToken()), first, NOW)).toBe(false);
    });

    test('the last-used time is written only when absent or older than the bound; never for an unknown token', async () => {
      const token = record(randomUUID(), NOW);
      await subject().put(token, undefined);
      const at = (seconds: number) => new Date(seconds * 1000).toISOString();
      expect(await subject().recordUse(token.tokenHash, at(NOW + 10), at(NOW + 10 - 3600))).toBe(true);
      expect(await subject().recordUse(token.tokenHash, at(NOW + 20), at(NOW + 20 - 3600))).toBe(false);
      expect((await subject().get(token.tokenHash))?.lastUsedAt).toBe(at(NOW + 10));
      expect(await subject().recordUse(token.tokenHash, at(NOW + 3700), at(NOW + 3700 - 3600))).toBe(true);
      expect(await subject().get(token.tokenHash)).toEqual({ ...token, lastUsedAt: at(NOW + 3700) });
      const unknown = opaqueTokenHash(newOpaqueToken());
      expect(await subject().recordUse(unknown, at(NOW), at(NOW - 3600))).toBe(false);
      expect(await subject().get(unknown)).toBeUndefined();
    });
  },
);
