import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableCall } from '../../test/support/dynamodb-calls';

type Input = Record<string, unknown>;

// biome-ignore lint/suspicious/noExplicitAny: the document client's command classes take each their own input type
const COMMANDS: Record<string, new (input: any) => any> = {
  GetItemCommand: GetCommand,
  BatchGetItemCommand: BatchGetCommand,
  QueryCommand: QueryCommand,
  PutItemCommand: PutCommand,
  UpdateItemCommand: UpdateCommand,
  DeleteItemCommand: DeleteCommand,
  TransactWriteItemsCommand: TransactWriteCommand,
};

/**
 * A condition that DynamoDB still evaluates, with every name and value the original uses, but that always holds,
 * so that a recorded write can be sent again and again.
 */
function alwaysTrue(operation: Input): Input {
  const condition = operation.ConditionExpression;
  if (typeof condition !== 'string') return operation;
  return { ...operation, ConditionExpression: `attribute_exists(pk) OR attribute_not_exists(pk) OR (${condition})` };
}

function replayable(command: string, input: Input): Input {
  const { ReturnConsumedCapacity: _asked, ...rest } = input;
  if (command === 'TransactWriteItemsCommand') {
    const items = (rest.TransactItems ?? []) as Record<string, Input>[];
    return {
      ...rest,
      TransactItems: items.map((item) =>
        Object.fromEntries(Object.entries(item).map(([kind, operation]) => [kind, alwaysTrue(operation)])),
      ),
    };
  }
  return alwaysTrue(rest);
}

/**
 * The bare DynamoDB calls of an operation: what its handler sent, recorded once, sent again in the same order
 * through a document client of the same configuration, with nothing around them.
 */
export function bareReplay(endpoint: string, recorded: readonly TableCall[]): () => Promise<void> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const calls = recorded.map((call) => {
    const Command = COMMANDS[call.command];
    if (!Command || !call.exchange) throw new Error(`cannot replay ${call.command}`);
    return { Command, input: replayable(call.command, call.exchange.input) };
  });
  return async () => {
    for (const { Command, input } of calls) await client.send(new Command(input));
  };
}
