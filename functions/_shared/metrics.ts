import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  dimensionNames,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  metricNames,
  type ProvisioningOperation,
  TOKEN_FAILURE_REASONS,
  type TokenFailureReason,
} from '../../contract/metrics';
import { OAuthError } from '../../core/oauth/errors';
import { logger } from './logger';

/**
 * The service's business metrics, written as CloudWatch embedded metric format (EMF) lines on stdout, which
 * CloudWatch turns into metrics without any API call from the function. Handlers record what happened; the
 * route stack publishes once per request (`publishRequestMetrics`), so a request writes at most one EMF line
 * per metric and dimension value.
 *
 * The tenant is EMF metadata, not a dimension: it is searchable in Logs Insights next to the metric, while a
 * tenant dimension would create (and bill) one metric per tenant and operation.
 */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

interface Recorded {
  readonly metric: string;
  readonly dimension: string;
  readonly value: string;
  /** Also count it without the dimension, for a total an alarm can watch. */
  readonly withTotal: boolean;
  count: number;
}

/** What one request recorded: kept per invocation, since one process may serve concurrent requests. */
interface RequestRecord {
  readonly entries: Recorded[];
  tenant: string | undefined;
}

const requestRecord = new AsyncLocalStorage<RequestRecord>();

/** Runs one invocation with a metrics record of its own (the route stack wraps every request in it). */
export function withRequestMetrics<T>(invocation: () => Promise<T>): Promise<T> {
  return requestRecord.run({ entries: [], tenant: undefined }, invocation);
}

function currentRecord(): RequestRecord {
  const current = requestRecord.getStore();
  if (!current) throw new Error('A metric was recorded outside a request: handlers must be built with routeStack');
  return current;
}

function record(metric: string, dimension: string, value: string, withTotal: boolean): void {
  const { entries } = currentRecord();
  const existing = entries.find((entry) => entry.metric === metric && entry.value === value);
  if (existing) existing.count += 1;
  else entries.push({ metric, dimension, value, withTotal, count: 1 });
}

/** A SCIM operation was performed (successfully or not: the request log says how it ended). */
export function recordProvisioningOperation(operation: ProvisioningOperation, tenant?: string): void {
  record(metricNames.provisioningOperations, dimensionNames.operation, operation, false);
  if (tenant !== undefined) currentRecord().tenant = tenant;
}

/** The token endpoint refused a request with this RFC 6749 §5.2 error code. */
export function recordTokenFailure(reason: TokenFailureReason): void {
  record(metricNames.tokenFailures, dimensionNames.reason, reason, true);
}

/** Counts a token endpoint refusal (an OAuth error with a §5.2 code) and passes the error on unchanged. */
export function countTokenRefusal(error: unknown): never {
  if (error instanceof OAuthError && (TOKEN_FAILURE_REASONS as readonly string[]).includes(error.error)) {
    recordTokenFailure(error.error as TokenFailureReason);
  }
  throw error;
}

/**
 * Writes what this request recorded. Called by the route stack once after every request, answered or failed;
 * the first call in an execution environment also writes Powertools' `ColdStart` metric. Each entry is its own
 * EMF document (so no metric is published with another's dimension value), which is why Powertools' `logMetrics`
 * middleware, which publishes one document per request, is not used. A metrics problem is logged and never
 * turns the client's answer into an error.
 */
export function publishRequestMetrics(request: { readonly functionName?: string; readonly requestId?: string }): void {
  const { entries: toPublish, tenant } = currentRecord();
  try {
    metrics.captureColdStartMetric(request.functionName);
    for (const entry of toPublish) {
      metrics.addDimensions({ [entry.dimension]: entry.value });
      if (entry.withTotal) metrics.addDimensions({});
      if (tenant !== undefined) metrics.addMetadata('tenant', tenant);
      if (request.requestId !== undefined) metrics.addMetadata('requestId', request.requestId);
      metrics.addMetric(entry.metric, MetricUnit.Count, entry.count);
      metrics.publishStoredMetrics();
    }
  } catch (error) {
    logger.warn('metrics not published', {
      error: error instanceof Error ? { name: error.name, message: error.message } : { type: typeof error },
    });
  }
}
