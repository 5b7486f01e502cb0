import { MemoryShareCounters } from '../../adapters/memory/share-counters';
import { type ShareCounters, type ShareSubject, shareWindowAt, takeShare } from '../../core/fair-share';

const tenantA: ShareSubject = { kind: 'scim', id: 'tenant-a' };
const tenantB: ShareSubject = { kind: 'scim', id: 'tenant-b' };
const perSecond = (requestsPerWindow: number) => ({ requestsPerWindow, windowSeconds: 1 });

async function takeMany(counters: ShareCounters, count: number, nowMs: number, subject = tenantA, limit = 3) {
  const decisions = [];
  for (let i = 0; i < count; i += 1) decisions.push(await takeShare(counters, subject, perSecond(limit), nowMs));
  return decisions;
}

describe('the fair-share rule', () => {
  test('a subject gets its share of each window, is refused past it until the window ends, then gets it again', async () => {
    const counters = new MemoryShareCounters();
    const start = 1_900_000_000_250;
    expect(await takeMany(counters, 5, start)).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterSeconds: 1 },
      { allowed: false, retryAfterSeconds: 1 },
    ]);
    expect(await takeMany(counters, 1, start + 749)).toEqual([{ allowed: false, retryAfterSeconds: 1 }]);
    expect(await takeMany(counters, 4, start + 750)).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterSeconds: 1 },
    ]);
  });

  test('one subject using up its share leaves every other subject, and the other kind of share, untouched', async () => {
    const counters = new MemoryShareCounters();
    const now = 1_900_000_000_000;
    await takeMany(counters, 10, now, tenantA);
    expect(await takeMany(counters, 3, now, tenantB)).toEqual(Array(3).fill({ allowed: true }));
    expect(await takeMany(counters, 3, now, { kind: 'token', id: 'tenant-a' })).toEqual(
      Array(3).fill({ allowed: true }),
    );
  });

  test('Retry-After is the whole seconds left in a longer window, at least 1', async () => {
    const counters = new MemoryShareCounters();
    const policy = { requestsPerWindow: 1, windowSeconds: 10 };
    await takeShare(counters, tenantA, policy, 1_900_000_003_500);
    await expect(takeShare(counters, tenantA, policy, 1_900_000_003_500)).resolves.toEqual({
      allowed: false,
      retryAfterSeconds: 7,
    });
    await expect(takeShare(counters, tenantA, policy, 1_900_000_009_999)).resolves.toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    await expect(takeShare(counters, tenantA, policy, 1_900_000_010_000)).resolves.toEqual({ allowed: true });
  });

  test('windows are aligned to their length and name the subject', () => {
    expect(shareWindowAt(tenantA, { requestsPerWindow: 1, windowSeconds: 5 }, 1_900_000_007_900)).toEqual({
      subjectKey: 'scim#tenant-a',
      startsAt: 1_900_000_005,
      endsAt: 1_900_000_010,
    });
  });

  test('parallel requests never take more than the share', async () => {
    const counters = new MemoryShareCounters();
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => takeShare(counters, tenantA, perSecond(10), 1_900_000_000_000)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  test('counters that cannot be reached let the request through and hand back why', async () => {
    const unreachable = new Error('connect ECONNREFUSED');
    const failing: ShareCounters = { takeOne: () => Promise.reject(unreachable) };
    await expect(takeShare(failing, tenantA, perSecond(1), 1_900_000_000_000)).resolves.toEqual({
      allowed: true,
      failedOpen: unreachable,
    });
  });
});
