import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { METRICS_SERVICE } from '../../contract/metrics';

/**
 * Powertools' own keys, without those that are the same on every line of a function's log group, which
 * CloudWatch already says per log group and stream: `function_name` and `function_arn` (each function has its
 * own log group, and the line's `route` names it), `function_memory_size` (the function's configuration, and
 * Lambda's REPORT line), `sampling_rate` (a setting) and `function_request_id` (the API Gateway access log
 * line of the same `requestId` carries it as `lambdaRequestId`). `cold_start` is written only when true, on the
 * first invocation's lines: once per execution environment, as the `ColdStart` metric counts it. `service` stays
 * (it is the `service` dimension of the metrics a request line carries), and so does `xray_trace_id`, which
 * differs per request and leads to its trace.
 */
class LeanLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        ...(attributes.lambdaContext?.coldStart === true ? { cold_start: true } : {}),
        ...(attributes.xRayTraceId ? { xray_trace_id: attributes.xRayTraceId } : {}),
      },
    }).addAttributes(additionalLogAttributes);
  }
}

/**
 * The one logger of every function: JSON lines, level from `POWERTOOLS_LOG_LEVEL` (default INFO).
 *
 * Nothing secret is ever passed to it: handlers log route, tenant, status, latency and request id, never the
 * event, headers, bodies, tokens, codes, secrets or passwords. Errors are logged by name, message and stack only.
 */
export const logger = new Logger({ serviceName: METRICS_SERVICE, logFormatter: new LeanLogFormatter() });
