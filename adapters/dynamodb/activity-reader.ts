import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ActivityEntry,
  type ActivityPage,
  type ActivityQuery,
  type ActivityReader,
  activityPageSize,
  InvalidActivityCursor,
  parseActivityEntry,
} from '../../core/activity/activity-entry';
import { failurePartition, partition, userIdPartition, userNamePartition } from './activity-keys';

/** Queries a page may take per index partition when a filter leaves few matches, so a page's cost is bounded. */
const QUERIES_PER_SOURCE = 4;

interface Source {
  readonly indexName?: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly value: string;
}

interface SourceRead {
  readonly items: { readonly sortKey: string; readonly entry: ActivityEntry }[];
  /** Everything above this sort key has been read; '' when the source has nothing more. */
  readonly frontier: string;
}

export class DynamoDbActivityReader implements ActivityReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async page(query: ActivityQuery, now: Date): Promise<ActivityPage> {
    const limit = activityPageSize(query.limit);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const reads = await Promise.all(
      sourcesOf(query).map((source) => this.read(source, query, limit, before, Math.floor(now.getTime() / 1000))),
    );
    // Below the highest frontier some source has not looked yet: those items come on the next page (the
    // frontier itself is the last item read, so it belongs to this one).
    const frontier =
      reads
        .map((read) => read.frontier)
        .sort()
        .at(-1) ?? '';
    const seen = new Set<string>();
    const merged = reads
      .flatMap((read) => read.items)
      .filter((item) => item.sortKey >= frontier)
      .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
      .filter((item) => !seen.has(item.sortKey) && seen.add(item.sortKey) !== undefined);
    const page = merged.slice(0, limit);
    const last = page.at(-1);
    const next = page.length === limit && last ? last.sortKey : frontier !== '' ? frontier : undefined;
    return { entries: page.map((item) => item.entry), ...(next !== undefined ? { next: encodeCursor(next) } : {}) };
  }

  private async read(
    source: Source,
    query: ActivityQuery,
    limit: number,
    before: string | undefined,
    nowSeconds: number,
  ): Promise<SourceRead> {
    const items: SourceRead['items'] = [];
    const filters = ['expiresAt > :now'];
    const values: Record<string, unknown> = { ':pk': source.value, ':now': nowSeconds };
    if (query.status && source.indexName !== 'gsi1') {
      filters.push('#status = :status');
      values[':status'] = query.status;
    }
    if (before !== undefined) values[':before'] = before;
    let startKey: Record<string, unknown> | undefined;
    for (let round = 0; round < QUERIES_PER_SOURCE; round += 1) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(source.indexName ? { IndexName: source.indexName } : {}),
          KeyConditionExpression: `${source.partitionKey} = :pk${before !== undefined ? ` AND ${source.sortKey} < :before` : ''}`,
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeValues: values,
          ...(query.status && source.indexName !== 'gsi1' ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        const entry = parseActivityEntry(item);
        if (entry) items.push({ sortKey: String(item.sk), entry });
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) return { items, frontier: '' };
      if (items.length >= limit) break;
    }
    return { items, frontier: String(startKey?.[source.sortKey] ?? '') };
  }
}

function sourcesOf(query: ActivityQuery): Source[] {
  const { tenantId, user } = query;
  if (user !== undefined && user !== '') {
    return [
      { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', value: userIdPartition(tenantId, user) },
      { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', value: userNamePartition(tenantId, user) },
    ];
  }
  if (query.status === 'failure') {
    return [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', value: failurePartition(tenantId) }];
  }
  return [{ partitionKey: 'pk', sortKey: 'sk', value: partition(tenantId) }];
}

/** The cursor is the sort key the next page starts below, opaque to the reader. */
const encodeCursor = (sortKey: string): string => Buffer.from(sortKey, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#/.test(sortKey) || sortKey.length > 200) throw new InvalidActivityCursor();
  return sortKey;
}
