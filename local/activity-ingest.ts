import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbActivityWriter } from '../adapters/dynamodb/activity-writer';
import { ClientStore } from '../adapters/dynamodb/client-store';
import { createDocumentClient } from '../adapters/dynamodb/document-client';
import { ingestActivityLines } from '../core/activity/activity-ingest';
import { provideActivityLineSink } from '../functions/_shared/activity';
import { tableName } from '../functions/_shared/services';

/**
 * The local stand-in for the CloudWatch Logs subscription filter: the functions' activity lines are queued
 * as they are written and fed, in batches and after the response has gone, to the same ingest code the
 * deployed ingest function runs. A batch that fails to write is tried again, and every failure is reported
 * on stderr, so nothing is lost silently. Like the deployed ingest function, it has a
 * DynamoDB client of its own: the functions' calls stay theirs alone.
 */
const BATCH_LINES = 100;
const MAX_QUEUED_LINES = 10_000;
const RETRY_DELAYS_MS = [100, 500, 2000, 5000];

const queue: string[] = [];
let flushing: Promise<void> | undefined;
let installed = false;

export function useLocalActivityIngest(): void {
  if (installed) return;
  installed = true;
  provideActivityLineSink((line) => {
    if (queue.length >= MAX_QUEUED_LINES) {
      process.stderr.write('local server: the activity log is not keeping up; an activity entry was dropped\n');
      return;
    }
    queue.push(line);
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
  });
}

let ownClient: DynamoDBDocumentClient | undefined;

async function ingest(lines: readonly string[]): Promise<void> {
  ownClient ??= createDocumentClient();
  const clients = new ClientStore(ownClient, tableName('clients'));
  await ingestActivityLines(
    new DynamoDbActivityWriter(ownClient, tableName('activity')),
    async (clientId) => (await clients.get(clientId))?.tenantId,
    lines,
  );
}

async function flush(): Promise<void> {
  while (queue.length > 0) {
    const batch = queue.splice(0, BATCH_LINES);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await ingest(batch);
        break;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          process.stderr.write(`local server: ${batch.length} activity entries could not be written (${reason})\n`);
          break;
        }
        process.stderr.write(`local server: writing the activity log failed (${reason}); retrying in ${delay} ms\n`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
  flushing = undefined;
}

/** Resolves once every activity line written so far is in the table (the tests wait on it). */
export async function activityIngested(): Promise<void> {
  while (flushing) await flushing;
}
