import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LOCAL_DIR_ENV } from '../../local/state-dir';
import { CliError } from './cli-error';
import { asCliError, type CommandSpec, commands } from './commands';
import { type Connection, type ConnectionOptions, connect, ENDPOINT_ENV } from './connection';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
}

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  endpoint: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  'users-table': { type: 'string' },
  'clients-table': { type: 'string' },
  'grants-table': { type: 'string' },
  'activity-table': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const WHERE_HELP = [
  'Where the data is (the first that applies):',
  '  --stack <StackName> [--region <r>]   the tables of a deployed stack (its CloudFormation outputs)',
  '  --clients-table <t> --grants-table <t> [--users-table <t>] [--activity-table <t>] [--region <r>]',
  '                                       those tables in AWS',
  `  --endpoint <url>                     a DynamoDB Local at that URL (also ${ENDPOINT_ENV})`,
  '  (default)                            the DynamoDB Local of the `npm start` of the local state folder',
  `                                       (.local/, or ${LOCAL_DIR_ENV}), waiting while it starts; when none`,
  "                                       runs, that folder's data, opened for the command only",
  'Every command names the data it works on in one line on stderr.',
  '',
  'Output: human-readable; with --json exactly one JSON object on stdout. Errors go to stderr, one line',
  '("admin: <message>"), or with --json one JSON object {"error": {"code", "message"}}. Exit codes: 0 done,',
  '1 refused or failed (an unknown tenant, the last admin, an unreachable database), 2 a wrong command line.',
  'For scripts use `npm run --silent admin -- …`: without --silent, npm itself prints a banner on stdout',
  'before the command runs.',
];

function mainHelp(): string {
  const groups = [...new Set(commands.map((command) => command.group))];
  return [
    'Usage: npm run admin -- <command> [options]',
    '',
    'Manage tenants, their admins, OAuth clients, grants and SCIM tokens, and the access model: brands, roles and users.',
    '',
    'Commands:',
    ...groups.flatMap((group) =>
      commands
        .filter((command) => command.group === group)
        .map((command) => `  ${`${command.group} ${command.action}`.padEnd(26)} ${command.summary}`),
    ),
    '',
    'Run `npm run admin -- <command> --help` for a command’s options.',
    '',
    ...WHERE_HELP,
  ].join('\n');
}

function groupHelp(group: string): string {
  return [
    `Usage: npm run admin -- ${group} <action> [options]`,
    '',
    ...commands
      .filter((command) => command.group === group)
      .map((command) => `  ${command.action.padEnd(18)} ${command.summary}`),
    '',
    `Run \`npm run admin -- ${group} <action> --help\` for details.`,
  ].join('\n');
}

function commandHelp(command: CommandSpec): string {
  return [
    `Usage: npm run admin -- ${command.usage}`,
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    '',
    ...command.details,
    '',
    ...WHERE_HELP,
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code; all output goes through `io`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const fail = failWith(io, argv.includes('--json'));
  const [group, action] = argv;
  const words = [group, action].filter((word): word is string => word !== undefined && !word.startsWith('-'));
  const rest = argv.slice(words.length);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  const groups = new Set(commands.map((command) => command.group));

  if (words.length === 0) {
    if (wantsHelp || argv.length === 0) {
      io.stdout(`${mainHelp()}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    return fail(new CliError('Name a command first (see --help)', 2));
  }
  if (!groups.has(words[0] as string)) return fail(new CliError(`Unknown command ${words[0]} (see --help)`, 2));
  const command = commands.find((candidate) => candidate.group === words[0] && candidate.action === words[1]);
  if (!command) {
    if (words.length === 1) {
      io[wantsHelp ? 'stdout' : 'stderr'](`${groupHelp(words[0] as string)}\n`);
      return wantsHelp ? 0 : 2;
    }
    return fail(new CliError(`Unknown command ${words.join(' ')} (see ${words[0]} --help)`, 2));
  }
  if (wantsHelp) {
    io.stdout(`${commandHelp(command)}\n`);
    return 0;
  }

  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as typeof values;
  } catch (error) {
    return fail(new CliError(`${error instanceof Error ? error.message : String(error)} (see --help)`, 2));
  }

  let connection: Connection | undefined;
  try {
    const result = await command.run({
      values,
      readStdin: io.readStdin,
      connection: async () => {
        connection ??= await connect(connectionOptions(values), (line) => io.stderr(`admin: ${line}\n`));
        return connection;
      },
    });
    io.stdout(values.json === true ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    return 0;
  } catch (error) {
    const cliError = asCliError(error);
    if (cliError) return fail(cliError);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return fail(new CliError(`Failed: ${message}`));
  } finally {
    await connection?.close();
  }
}

function connectionOptions(values: Record<string, unknown>): ConnectionOptions {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    endpoint: text('endpoint'),
    stack: text('stack'),
    region: text('region'),
    usersTable: text('users-table'),
    clientsTable: text('clients-table'),
    grantsTable: text('grants-table'),
    activityTable: text('activity-table'),
  };
}

/** Reports a failure on stderr, as one JSON object when --json was asked for; returns the exit code. */
function failWith(io: CliIo, json: boolean): (error: CliError) => number {
  return (error) => {
    io.stderr(
      json
        ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`
        : `admin: ${error.message}\n`,
    );
    return error.exitCode;
  };
}
