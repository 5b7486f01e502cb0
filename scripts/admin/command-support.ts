import { userInfo } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { DynamoDbGroupReads } from '../../adapters/dynamodb/group-reads';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { AccessService } from '../../core/access/access-service';
import { AdminAccounts } from '../../core/access/admin-accounts';
import { GroupAccessService } from '../../core/access/group-access-service';
import { CliError } from './cli-error';
import type { Connection } from './connection';

export interface CommandContext {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly connection: () => Promise<Connection>;
  readonly readStdin: () => Promise<string>;
}

/** What a command prints: `json` with --json (one object), `text` otherwise. */
export interface CommandResult {
  readonly json: Record<string, unknown>;
  readonly text: string;
}

export interface CommandSpec {
  readonly group: string;
  readonly action: string;
  readonly summary: string;
  readonly usage: string;
  readonly details: readonly string[];
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly run: (context: CommandContext) => Promise<CommandResult>;
}

/** No option value the CLI takes (ids, emails, names, filters) comes near this; longer is a mistake. */
const MAX_OPTION_LENGTH = 1000;

export function required(context: CommandContext, name: string): string {
  const value = context.values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required`, 2);
  if (value.length > MAX_OPTION_LENGTH)
    throw new CliError(`--${name} is longer than ${MAX_OPTION_LENGTH} characters`, 2);
  return value;
}

export function displayName(context: CommandContext, name: string): string {
  const value = required(context, name).trim();
  if (value === '') throw new CliError(`--${name} is required`, 2);
  if (value.length > 200 || /\p{Cc}/u.test(value)) {
    throw new CliError(`--${name} must be at most 200 characters, without control characters`, 2);
  }
  return value;
}

export const table = (rows: string[][]): string => {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

/** An email option: trimmed, at most 254 characters, one `@` with something on both sides. */
export function emailOption(context: CommandContext, name = 'email'): string {
  const email = required(context, name).trim();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new CliError(`${email} is not an email address`, 2);
  return email;
}

/** The option every command that changes access takes; see `actorOf`. */
export const ACTOR_OPTION = { actor: { type: 'string' } } as const satisfies NonNullable<ParseArgsConfig['options']>;

export const ACTOR_HELP =
  '--actor <name> is who the audit trail records as making the change (default: the operating-system user running the command).';

/** Who the audit trail names: `--actor`, or else the operating-system user running the CLI. */
export function actorOf(context: CommandContext): string {
  const given = context.values.actor;
  if (given !== undefined) {
    const actor = typeof given === 'string' ? given.trim() : '';
    if (actor === '' || actor.length > 200 || /\p{Cc}/u.test(actor)) {
      throw new CliError('--actor must be 1 to 200 characters, without control characters', 2);
    }
    return actor;
  }
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** The access model's use cases on the connection's tables; user data needs the users table. */
export function accessServices(
  connection: Connection,
  actor: string,
): { access: AccessService; accounts: AdminAccounts; tenants: TenantStore; groupAccess: GroupAccessService } {
  if (!connection.tables.users) {
    throw new CliError('This command needs the users table: add --users-table <name> (or use --stack)', 2);
  }
  const store = new DynamoDbAccessStore(connection.db, {
    clients: connection.tables.clients,
    users: connection.tables.users,
  });
  const tenants = new TenantStore(connection.db, connection.tables.clients);
  const settings = new DynamoDbGroupAccessStore(connection.db, connection.tables.users);
  const access = new AccessService(store, actor, undefined, settings);
  const groupAccess = new GroupAccessService(
    { writes: store, groups: new DynamoDbGroupReads(connection.db, connection.tables.users), settings },
    actor,
  );
  return { access, accounts: new AdminAccounts(tenants, access, store), tenants, groupAccess };
}

/** A person's name part (`--given-name`, `--family-name`): required, 1 to 200 characters, no control characters. */
export function personName(context: CommandContext): { givenName: string; familyName: string } {
  return { givenName: displayName(context, 'given-name'), familyName: displayName(context, 'family-name') };
}
