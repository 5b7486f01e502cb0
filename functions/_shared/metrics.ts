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
 * The first metric of a request is written in the request's own log line (`requestLineMetrics`), which carries
 * the tenant; the tenant is never a dimension: it is searchable in Logs Insights next to the metric, while a
 * tenant dimension would create (and bill) one metric per tenant and operation.
 */
class ServiceMetrics extends Metrics {
  /** Powertools' own switch (`POWERTOOLS_METRICS_DISABLED`), honoured by the request line's metric too. */
  get off(): boolean {
    return this.isDisabled();
  }
}

const metrics = new ServiceMetrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

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
  /** The first entry went out on the request line (`requestLineMetrics`). */
  firstOnRequestLine: boolean;
}

const requestRecord = new AsyncLocalStorage<RequestRecord>();

/** Runs one invocation with a metrics record of its own (the route stack wraps every request in it). */
export function withRequestMetrics<T>(invocation: () => Promise<T>): Promise<T> {
  return requestRecord.run({ entries: [], tenant: undefined, firstOnRequestLine: false }, invocation);
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

/** Stages one entry in Powertools' store, with the request's tenant as EMF metadata when asked for. */
function stage(entry: Recorded, metadata: { readonly tenant?: string }): void {
  metrics.addDimensions({ [entry.dimension]: entry.value });
  if (entry.withTotal) metrics.addDimensions({});
  if (metadata.tenant !== undefined) metrics.addMetadata('tenant', metadata.tenant);
  metrics.addMetric(entry.metric, MetricUnit.Count, entry.count);
}

function notPublished(error: unknown): void {
  logger.warn('metrics not published', {
    error: error instanceof Error ? { name: error.name, message: error.message } : { type: typeof error },
  });
}

/**
 * The first metric this request recorded, as the keys of an EMF document that the route stack writes into the
 * request's own log line: CloudWatch extracts the metrics of any JSON log line whose root holds `_aws`, so the
 * request line is also the metric line and one request writes one line. Its metadata, the tenant, is the
 * same key and value the line has once authentication named the tenant. `service`, the dimension every metric has, is left out, since the
 * logger writes the same value (contract/metrics.ts) under that key on every line. Empty when the request
 * recorded nothing or metrics are off (`POWERTOOLS_METRICS_DISABLED`).
 */
export function requestLineMetrics(): Record<string, unknown> {
  const current = currentRecord();
  const first = current.entries[0];
  if (first === undefined || metrics.off) return {};
  try {
    stage(first, { tenant: current.tenant });
    const { service, ...document } = metrics.serializeMetrics() as Record<string, unknown>;
    if (service !== METRICS_SERVICE) throw new Error(`Unexpected metrics service dimension ${String(service)}`);
    current.firstOnRequestLine = true;
    return document;
  } catch (error) {
    notPublished(error);
    return {};
  } finally {
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
  }
}

/**
 * Writes what this request recorded and the request line did not carry (`requestLineMetrics`). Called by the
 * route stack once after every request, answered or failed, after the request line; the first call in an
 * execution environment also writes Powertools' `ColdStart` metric. Each further entry is its own EMF document
 * (one document has one value per dimension, so a PATCH that also deactivates needs a second one), with the
 * tenant as metadata (its request line is the one next to it in the same log stream), which is why Powertools' `logMetrics` middleware, which publishes one
 * document per request, is not used. A metrics problem is logged and never turns the client's answer into an
 * error.
 */
export function publishRequestMetrics(request: { readonly functionName?: string }): void {
  const { entries, tenant, firstOnRequestLine } = currentRecord();
  try {
    metrics.captureColdStartMetric(request.functionName);
    for (const entry of firstOnRequestLine ? entries.slice(1) : entries) {
      stage(entry, { tenant });
      metrics.publishStoredMetrics();
    }
  } catch (error) {
    notPublished(error);
  }
}
