import { DynamoDbActivityReader } from '../../adapters/dynamodb/activity-reader';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { Refusal } from '../../core/access/refusal';
import {
  ACTIVITY_LIMITS,
  ACTIVITY_STATUSES,
  type ActivityEntry,
  type ActivityStatus,
  InvalidActivityCursor,
} from '../../core/activity/activity-entry';
import { CliError } from './cli-error';
import { type CommandSpec, required, table } from './command-support';

const optionalText = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 1000) {
    throw new CliError(`--${name} needs a value of at most 1000 characters`, 2);
  }
  return value.trim();
};

const errorCell = (entry: ActivityEntry): string =>
  entry.error ? [entry.error.type, entry.error.detail].filter(Boolean).join(': ') : '';

export const activityCommands: readonly CommandSpec[] = [
  {
    group: 'activity',
    action: 'list',
    summary: "a tenant's provisioning activity (SCIM and token requests), newest first",
    usage:
      'activity list --tenant <tenantId> [--status success|failure] [--user <id or userName>] [--limit <n>] [--cursor <c>] [--json]',
    details: [
      'The last 30 days of SCIM and token requests of the tenant: time, IdP client, operation, user, status,',
      'and for a failure the error the IdP received. --user takes a user id or a userName (any letter case).',
      `One page of --limit entries (default ${ACTIVITY_LIMITS.defaultPageSize}, at most ${ACTIVITY_LIMITS.maxPageSize}); the next page with --cursor <next>.`,
      'Requests reach the log within seconds (they are written from the functions’ log lines).',
      'With --json: {"entries": [{"id", "at", "operation", "httpStatus", "status", "clientId", "userId",',
      '"userName", "error": {"status", "type", "detail"}}, ...], "next": "<cursor>"}.',
    ],
    options: {
      tenant: { type: 'string' },
      status: { type: 'string' },
      user: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
    },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const status = optionalText(context.values.status, 'status');
      if (status !== undefined && !(ACTIVITY_STATUSES as readonly string[]).includes(status)) {
        throw new CliError('--status must be success or failure', 2);
      }
      const user = optionalText(context.values.user, 'user');
      const limitText = optionalText(context.values.limit, 'limit');
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= ACTIVITY_LIMITS.maxPageSize)) {
        throw new CliError(`--limit must be a whole number from 1 to ${ACTIVITY_LIMITS.maxPageSize}`, 2);
      }
      const cursor = optionalText(context.values.cursor, 'cursor');
      const connection = await context.connection();
      if (!connection.tables.activity) {
        throw new CliError('This command needs the activity table: add --activity-table <name> (or use --stack)', 2);
      }
      if (!(await new TenantStore(connection.db, connection.tables.clients).get(tenantId))) {
        throw new Refusal('unknown-tenant', { tenantId });
      }
      const log = new DynamoDbActivityReader(connection.db, connection.tables.activity);
      let page: Awaited<ReturnType<DynamoDbActivityReader['page']>>;
      try {
        page = await log.page(
          { tenantId, status: status as ActivityStatus | undefined, user, limit, cursor },
          new Date(),
        );
      } catch (error) {
        if (error instanceof InvalidActivityCursor) throw new CliError('--cursor is not a cursor this list gave', 2);
        throw error;
      }
      const rows = page.entries.map((entry) => [
        entry.at,
        entry.clientId ?? '',
        entry.operation,
        entry.userName ?? entry.userId ?? '',
        `${entry.status} ${entry.httpStatus}`,
        errorCell(entry),
      ]);
      const listing =
        rows.length === 0
          ? 'No activity.'
          : table([['TIME', 'CLIENT', 'OPERATION', 'USER', 'STATUS', 'ERROR'], ...rows]);
      return {
        json: { entries: page.entries, ...(page.next ? { next: page.next } : {}) },
        text: page.next ? `${listing}\nMore: --cursor ${page.next}` : listing,
      };
    },
  },
];
