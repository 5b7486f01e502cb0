import { gunzipSync } from 'node:zlib';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { ingestActivityLines, type TenantOfClient } from '../../core/activity/activity-ingest';
import { logger } from '../_shared/logger';
import { activityWriter, clientStore } from '../_shared/services';

/**
 * The activity log's ingest: a CloudWatch Logs subscription filter on the IdP-facing functions' log groups
 * delivers their request lines, which are the activity records, here (gzip, base64), and they are batch-written to the activity table.
 * CloudWatch Logs invokes this function asynchronously: a failed write throws, Lambda retries the delivery
 * twice, and a delivery that still fails goes to the stack's dead-letter queue, whose depth is an alarm
 * (docs/deploy-and-operate.md "Activity log"), so no entry is lost silently. Writes are idempotent (an entry
 * is keyed by its request id), so a retried delivery writes nothing twice.
 */
export function decodeSubscriptionEvent(event: CloudWatchLogsEvent): CloudWatchLogsDecodedData {
  return JSON.parse(
    gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'),
  ) as CloudWatchLogsDecodedData;
}

export const tenantOfClient: TenantOfClient = async (clientId) => (await clientStore().get(clientId))?.tenantId;

export const handler = middy<CloudWatchLogsEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const data = decodeSubscriptionEvent(event);
    // CloudWatch Logs checks a new subscription with a control message, which holds no log events to keep.
    if (data.messageType !== 'DATA_MESSAGE') return;
    const result = await ingestActivityLines(
      activityWriter(),
      tenantOfClient,
      data.logEvents.map((logEvent) => logEvent.message),
    );
    logger.info('activity ingested', { logGroup: data.logGroup, ...result });
  });
