import { documentClient, tableName } from '../../functions/_shared/services';

export interface TableCall {
  readonly command: string;
  /** The tables the call touched (one, or several for batches and transactions). */
  readonly tables: readonly string[];
  /** Items DynamoDB read for the call (Query: items evaluated; batch and single reads: items returned). */
  readonly itemsRead: number;
  /** The sort-key prefix a Query asked for (its `:prefix` value), if it asked for one. */
  readonly queriedPrefix?: string;
  /**
   * Capacity units DynamoDB reported for the call, summed over its tables and indexes; present only while
   * consumed capacity is being asked for (`recordTableCalls({ consumedCapacity: true })`).
   */
  readonly capacityUnits?: number;
  /** The request and the answer (document form), kept only while consumed capacity is being asked for. */
  readonly exchange?: { readonly input: Record<string, unknown>; readonly output: Record<string, unknown> };
}

const calls: TableCall[] = [];
let installed = false;
let askForCapacity = false;

type Capacity = { CapacityUnits?: number };

function tablesOf(input: Record<string, unknown>): string[] {
  const names = [
    input.TableName,
    ...Object.keys((input.RequestItems as object | undefined) ?? {}),
    ...((input.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []).flatMap((item) =>
      Object.values(item).map((operation) => operation.TableName),
    ),
  ];
  return [...new Set(names.filter((name): name is string => typeof name === 'string'))];
}

function itemsReadOf(output: Record<string, unknown>): number {
  if (typeof output.ScannedCount === 'number') return output.ScannedCount;
  const responses = output.Responses;
  if (Array.isArray(responses)) return responses.filter((response) => response?.Item).length;
  if (responses && typeof responses === 'object') {
    return Object.values(responses as Record<string, unknown[]>).reduce((sum, items) => sum + items.length, 0);
  }
  return output.Item ? 1 : 0;
}

/** A Query's `:prefix` value, whether the input is still in document form or already marshalled (`{ S }`). */
function prefixOf(input: Record<string, unknown>): string | undefined {
  const value = (input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':prefix'];
  if (typeof value === 'string') return value;
  const marshalled = (value as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : undefined;
}

function capacityOf(output: Record<string, unknown>): number | undefined {
  const reported = output.ConsumedCapacity as Capacity | Capacity[] | undefined;
  if (reported === undefined) return undefined;
  const entries = Array.isArray(reported) ? reported : [reported];
  return entries.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/**
 * Records every call the functions make to DynamoDB, through a middleware on the process-wide document client
 * they share (the local server runs the handlers in this process). With `consumedCapacity`, each call from now
 * on also asks DynamoDB for `ReturnConsumedCapacity: TOTAL` (which only adds a field to the answer) and records
 * the units and the exchange; calling it again without the option stops that.
 */
export function recordTableCalls(options: { consumedCapacity?: boolean } = {}): {
  reset: () => void;
  calls: () => TableCall[];
} {
  askForCapacity = options.consumedCapacity === true;
  if (!installed) {
    installed = true;
    documentClient().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        const asked = askForCapacity && input.ReturnConsumedCapacity === undefined;
        const result = await next(asked ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args);
        const output = result.output as Record<string, unknown>;
        const capacityUnits = askForCapacity ? capacityOf(output) : undefined;
        const prefix = prefixOf(input);
        calls.push({
          command: String(context.commandName),
          tables: tablesOf(input),
          itemsRead: itemsReadOf(output),
          ...(typeof prefix === 'string' ? { queriedPrefix: prefix } : {}),
          ...(capacityUnits === undefined ? {} : { capacityUnits, exchange: { input, output } }),
        });
        return result;
      },
      { step: 'initialize', name: 'recordTableCalls' },
    );
  }
  return { reset: () => calls.splice(0), calls: () => [...calls] };
}

/** Only the calls to the users table (grants-table reads of the bearer check are not counted): command and items read. */
export function recordUsersTableCalls(): {
  reset: () => void;
  calls: () => Pick<TableCall, 'command' | 'itemsRead'>[];
  /** Every call with the sort-key prefix of each Query, to tell a page's users from its counters. */
  callsWithPrefixes: () => Pick<TableCall, 'command' | 'itemsRead' | 'queriedPrefix'>[];
} {
  const recorder = recordTableCalls();
  const usersTableCalls = () => recorder.calls().filter((call) => call.tables.includes(tableName('users')));
  return {
    reset: recorder.reset,
    calls: () => usersTableCalls().map(({ command, itemsRead }) => ({ command, itemsRead })),
    callsWithPrefixes: () =>
      usersTableCalls().map(({ command, itemsRead, queriedPrefix }) => ({
        command,
        itemsRead,
        ...(queriedPrefix === undefined ? {} : { queriedPrefix }),
      })),
  };
}

/** The commands of a list of calls, for compact assertions. */
export const commandsOf = (recorded: readonly { command: string }[]): string[] => recorded.map((call) => call.command);
