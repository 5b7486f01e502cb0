import { cachedGrantStatus, GRANT_STATUS_CACHE_MS, type GrantStatusSource } from '../../../core/oauth/grant-status';

/** The grant check on its own, over a source in memory that counts its reads. */
function sourceOf(grants: Record<string, Awaited<ReturnType<GrantStatusSource['get']>>>) {
  let reads = 0;
  const source: GrantStatusSource = {
    get: async (grantId) => {
      reads += 1;
      return grants[grantId];
    },
  };
  return { source, reads: () => reads };
}

describe('grant status', () => {
  test('an active grant of the tenant is active; another tenant, a revoked or an unknown grant is not', async () => {
    const { source } = sourceOf({
      active: { status: 'active', tenantId: 't1' },
      revoked: { status: 'revoked', tenantId: 't1' },
    });
    const status = cachedGrantStatus(() => source);
    await expect(status.isActive('active', 't1', 0)).resolves.toBe(true);
    await expect(status.isActive('active', 't2', 0)).resolves.toBe(false);
    await expect(status.isActive('revoked', 't1', 0)).resolves.toBe(false);
    await expect(status.isActive('unknown', 't1', 0)).resolves.toBe(false);
  });

  test('a grant with an end is active until it, also while its status is cached', async () => {
    const { source, reads } = sourceOf({ ending: { status: 'active', tenantId: 't1', expiresAt: 100 } });
    const status = cachedGrantStatus(() => source);
    await expect(status.isActive('ending', 't1', 99_000)).resolves.toBe(true);
    await expect(status.isActive('ending', 't1', 99_999)).resolves.toBe(true);
    await expect(status.isActive('ending', 't1', 100_000)).resolves.toBe(false);
    expect(reads()).toBe(1);
    await expect(status.isActive('ending', 't1', 99_000 + GRANT_STATUS_CACHE_MS)).resolves.toBe(false);
    expect(reads()).toBe(2);
  });
});
