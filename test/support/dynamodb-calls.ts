import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { tableName } from '../../functions/_shared/config';

export interface TableCall {
  readonly command: string;
  /** Items DynamoDB read for the call (Query: items evaluated; batch and single reads: items returned). */
  readonly itemsRead: number;
}

const calls: TableCall[] = [];
let installed = false;

/**
 * Records every call the functions make to the users table, through a middleware on the process-wide
 * document client they share (the local server runs the handlers in this process). Grants-table reads of the
 * bearer check are not counted.
 */
export function recordUsersTableCalls(): { reset: () => void; calls: () => TableCall[] } {
  if (!installed) {
    installed = true;
    dynamoDocumentClient().middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as Record<string, unknown>;
        const users = tableName('users');
        const names = [
          input.TableName,
          ...Object.keys((input.RequestItems as object | undefined) ?? {}),
          ...((input.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []).flatMap((item) =>
            Object.values(item).map((operation) => operation.TableName),
          ),
        ];
        if (names.includes(users)) {
          const output = result.output as Record<string, unknown>;
          const batch = (output.Responses as Record<string, unknown[]> | undefined)?.[users];
          const itemsRead =
            typeof output.ScannedCount === 'number' ? output.ScannedCount : batch ? batch.length : output.Item ? 1 : 0;
          calls.push({ command: String(context.commandName), itemsRead });
        }
        return result;
      },
      { step: 'initialize', name: 'recordUsersTableCalls' },
    );
  }
  return { reset: () => calls.splice(0), calls: () => [...calls] };
}

/** The commands of a list of calls, for compact assertions. */
export const commandsOf = (recorded: readonly TableCall[]): string[] => recorded.map((call) => call.command);
