import { MemoryScimTokenStore } from '../../../adapters/memory/scim-token-store';
import { GRANT_STATUS_CACHE_MS } from '../../../core/oauth/grant-status';
import {
  cachedScimTokens,
  issueScimToken,
  lastUseRecorder,
  revokeScimToken,
  SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS,
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

describe('the last-used time', () => {
  const intervalMs = SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS * 1000;

  test('is written on first use, not again within the interval (even by another instance), then again after it', async () => {
    const store = new MemoryScimTokenStore();
    const issued = await issueScimToken(store, { tenantId: 't1', name: 'Rippling' }, NOW);
    if (!issued.ok) throw new Error('not issued');
    const record = () => recordFrom(store, issued.record.tokenHash);
    const [first, second] = [lastUseRecorder(() => store), lastUseRecorder(() => store)];

    expect(await first(await record(), nowMs)).toBe('recorded');
    expect((await record()).lastUsedAt).toBe(NOW.toISOString());
    // This instance's verifier may still hold the token as read before the write: it does not try again.
    expect(await first(issued.record, nowMs + 1000)).toBe('not-due');
    // Another instance that read the token before the write tries, and the conditional write refuses it.
    expect(await second(issued.record, nowMs + 2000)).toBe('already-recorded');
    expect(await second(await record(), nowMs + intervalMs - 1)).toBe('not-due');
    expect((await record()).lastUsedAt).toBe(NOW.toISOString());

    // Its own attempt (at +2 s) holds it back for an interval too.
    expect(await second(await record(), nowMs + intervalMs + 3000)).toBe('recorded');
    expect((await record()).lastUsedAt).toBe(new Date(nowMs + intervalMs + 3000).toISOString());
  });

  test('a failed write is the caller’s to log: it is thrown, and retried only after the interval', async () => {
    const failing = { recordUse: () => Promise.reject(new Error('throttled')) };
    const record = lastUseRecorder(() => failing);
    const token = {
      tokenHash: 'h',
      tokenId: 'id',
      tenantId: 't',
      name: 'n',
      createdAt: NOW.toISOString(),
      status: 'active',
    } as const;
    await expect(record(token, nowMs)).rejects.toThrow('throttled');
    expect(await record(token, nowMs + 1000)).toBe('not-due');
  });
});

async function recordFrom(store: MemoryScimTokenStore, tokenHash: string): Promise<ScimTokenRecord> {
  const found = await store.get(tokenHash);
  if (!found) throw new Error('token not stored');
  return found;
}
