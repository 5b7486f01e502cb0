import { randomUUID } from 'node:crypto';
import { AssertionReplayStore } from '../../adapters/dynamodb/assertion-replay-store';
import { MemoryAssertionReplayStore } from '../../adapters/memory/assertion-replay-store';
import type { AssertionReplayGuard } from '../../core/oauth/client-assertion';
import { describeContract } from '../support/contract';

const NOW = 1_800_000_000;

describeContract<AssertionReplayGuard>(
  'client assertion replay store',
  {
    memory: () => new MemoryAssertionReplayStore(),
    dynamodb: ({ db, tableName }) => new AssertionReplayStore(db, tableName('grants')),
  },
  (subject) => {
    test('the first use of an id succeeds and a second use before it expires is refused', async () => {
      const id = randomUUID();
      await expect(subject().useOnce(id, NOW + 300, NOW)).resolves.toBe(true);
      await expect(subject().useOnce(id, NOW + 300, NOW + 1)).resolves.toBe(false);
      await expect(subject().useOnce(id, NOW + 900, NOW + 299)).resolves.toBe(false);
    });

    test('of many racing uses of one id exactly one succeeds', async () => {
      const id = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => subject().useOnce(id, NOW + 300, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test('other ids are independent', async () => {
      await expect(subject().useOnce(randomUUID(), NOW + 300, NOW)).resolves.toBe(true);
      await expect(subject().useOnce(randomUUID(), NOW + 300, NOW)).resolves.toBe(true);
    });

    test('once the id is past the time it was kept for, it may be used again', async () => {
      const id = randomUUID();
      await expect(subject().useOnce(id, NOW + 60, NOW)).resolves.toBe(true);
      await expect(subject().useOnce(id, NOW + 600, NOW + 60)).resolves.toBe(true);
      await expect(subject().useOnce(id, NOW + 600, NOW + 61)).resolves.toBe(false);
    });
  },
);
