import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbShareCounters, shareCounterKey } from '../../adapters/dynamodb/share-counters';
import { MemoryShareCounters } from '../../adapters/memory/share-counters';
import { FAIR_SHARE_KEY_PREFIX } from '../../contract/fair-share';
import type { ShareCounters, ShareWindow } from '../../core/fair-share';
import { documentClient, tableName } from '../../functions/_shared/services';
import { describeContract } from '../support/contract';

const windowOf = (subjectKey: string, startsAt: number): ShareWindow => ({
  subjectKey,
  startsAt,
  endsAt: startsAt + 1,
});

describeContract<ShareCounters>(
  'fair-share counters',
  {
    memory: () => new MemoryShareCounters(),
    dynamodb: ({ db, tableName }) => new DynamoDbShareCounters(db, tableName('grants')),
  },
  (subject, kind) => {
    test('counts up to the limit, then refuses, per subject and per window', async () => {
      const key = `scim#${randomUUID()}`;
      const window = windowOf(key, 1_900_000_000);
      const taken = [];
      for (let i = 0; i < 5; i += 1) taken.push(await subject().takeOne(window, 3));
      expect(taken).toEqual([true, true, true, false, false]);
      await expect(subject().takeOne(windowOf(`scim#${randomUUID()}`, 1_900_000_000), 3)).resolves.toBe(true);
      await expect(subject().takeOne(windowOf(key, 1_900_000_001), 3)).resolves.toBe(true);
    });

    test('parallel takes never pass the limit', async () => {
      const window = windowOf(`token#${randomUUID()}`, 1_900_000_000);
      const taken = await Promise.all(Array.from({ length: 30 }, () => subject().takeOne(window, 7)));
      expect(taken.filter(Boolean)).toHaveLength(7);
    });

    if (kind === 'dynamodb') {
      test('each counter is one item under the share prefix, forgotten (TTL) when its window ends', async () => {
        const window = windowOf(`scim#${randomUUID()}`, 1_900_000_000);
        await subject().takeOne(window, 3);
        await subject().takeOne(window, 3);
        const key = shareCounterKey(window);
        expect(key.pk).toMatch(new RegExp(`^${FAIR_SHARE_KEY_PREFIX}[\\w-]{43}#1900000000$`));
        const { Item } = await documentClient().send(
          new GetCommand({ TableName: tableName('grants'), Key: key, ConsistentRead: true }),
        );
        expect(Item).toEqual({ ...key, requests: 2, expiresAt: window.endsAt });
      });
    }
  },
);
