import { MemoryScimTokenStore } from '../../../adapters/memory/scim-token-store';
import { GRANT_STATUS_CACHE_MS } from '../../../core/oauth/grant-status';
import {
  cachedScimTokens,
  issueScimToken,
  revokeScimToken,
  SCIM_TOKEN_PATTERN,
  type ScimTokenRecord,
} from '../../../core/oauth/scim-tokens';

/** The SCIM token rules on the memory adapter, with the clock passed in, so the cache window is exact. */
const NOW = new Date('2026-12-01T12:00:00Z');
const nowMs = NOW.getTime();

/** The memory store, counting the reads the verifier makes. */
function countingStore() {
  const store = new MemoryScimTokenStore();
  let reads = 0;
  const source = {
    get: (tokenHash: string): Promise<ScimTokenRecord | undefined> => {
      reads += 1;
      return store.get(tokenHash);
    },
  };
  return { store, source, reads: () => reads };
}

async function issued(store: MemoryScimTokenStore, lifetimeSeconds?: number) {
  const result = await issueScimToken(
    store,
    { tenantId: 'tenant-a', name: 'Entra', ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }) },
    NOW,
  );
  if (!result.ok) throw new Error('expected a token');
  return result;
}

describe('SCIM token checks', () => {
  test('tokens match the documented pattern, and only the hash is stored', async () => {
    const { store } = countingStore();
    const { token, record } = await issued(store);
    expect(token).toMatch(SCIM_TOKEN_PATTERN);
    expect(JSON.stringify(await store.listForTenant('tenant-a'))).not.toContain(token.slice('scimtok_'.length));
    expect(record.tokenHash).not.toBe(token);
  });

  test('one read per token per window; a revocation shows once the window has passed', async () => {
    const { store, source, reads } = countingStore();
    const { token, record } = await issued(store);
    const verifier = cachedScimTokens(() => source);
    expect(await verifier.verify(token, nowMs)).toEqual({ ok: true, token: record });
    expect(await verifier.verify(token, nowMs + 1000)).toMatchObject({ ok: true });
    expect(reads()).toBe(1);

    await revokeScimToken(store, 'tenant-a', record.tokenId, NOW);
    expect(await verifier.verify(token, nowMs + GRANT_STATUS_CACHE_MS - 1)).toMatchObject({ ok: true });
    expect(await verifier.verify(token, nowMs + GRANT_STATUS_CACHE_MS)).toMatchObject({
      ok: false,
      reason: 'revoked',
      token: { tokenId: record.tokenId },
    });
    expect(reads()).toBe(2);
  });

  test('expiry is checked on every call, cached or not', async () => {
    const { store, source } = countingStore();
    const { token } = await issued(store, 60);
    const verifier = cachedScimTokens(() => source);
    expect(await verifier.verify(token, nowMs + 59_000)).toMatchObject({ ok: true });
    expect(await verifier.verify(token, nowMs + 60_000)).toMatchObject({ ok: false, reason: 'expired' });
  });

  test('a malformed token costs no read; an unknown one costs one per window', async () => {
    const { source, reads } = countingStore();
    const verifier = cachedScimTokens(() => source);
    expect(await verifier.verify('scimtok_short', nowMs)).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifier.verify(`scimtok_${'!'.repeat(43)}`, nowMs)).toEqual({ ok: false, reason: 'malformed' });
    expect(reads()).toBe(0);
    const unknown = `scimtok_${'A'.repeat(43)}`;
    expect(await verifier.verify(unknown, nowMs)).toEqual({ ok: false, reason: 'unknown' });
    expect(await verifier.verify(unknown, nowMs + 1)).toEqual({ ok: false, reason: 'unknown' });
    expect(reads()).toBe(1);
  });

  test('revoking names a token of the tenant only', async () => {
    const { store } = countingStore();
    const { record } = await issued(store);
    expect(await revokeScimToken(store, 'tenant-b', record.tokenId, NOW)).toBeUndefined();
    expect((await store.listForTenant('tenant-a'))[0]?.status).toBe('active');
  });
});
