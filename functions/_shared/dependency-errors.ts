import { StorageThrottledError, StorageUnavailableError } from '../../core/storage-errors';
import { RequestDeadlineError } from './request-deadline';

/**
 * The one classifier of failures the client should retry rather than see as a 500: the storage errors the
 * adapters raise (core/storage-errors.ts), and the errors of AWS dependencies (DynamoDB, KMS) that reach here
 * as the SDK threw them. Throttling becomes 429 and an unreachable or failing dependency 503, both with an
 * integer `Retry-After` (Okta honours only integer seconds; RFC 9110 §10.2.3).
 */
export type DependencyFailure = { kind: 'throttled' | 'unavailable'; retryAfterSeconds: number };

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

const UNAVAILABLE = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'KMSInternalException',
  'DependencyTimeoutException',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

export function classifyDependencyError(error: unknown): DependencyFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof StorageThrottledError) return { kind: 'throttled', retryAfterSeconds: wholeSeconds(error) };
  if (error instanceof StorageUnavailableError) return { kind: 'unavailable', retryAfterSeconds: wholeSeconds(error) };
  if (error instanceof RequestDeadlineError) return { kind: 'unavailable', retryAfterSeconds: wholeSeconds(error) };
  const name = error.name;
  const code = (error as { code?: unknown }).code;
  if (THROTTLING.has(name)) return { kind: 'throttled', retryAfterSeconds: 1 };
  if (UNAVAILABLE.has(name)) return { kind: 'unavailable', retryAfterSeconds: 2 };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { kind: 'unavailable', retryAfterSeconds: 5 };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return { kind: 'unavailable', retryAfterSeconds: 2 };
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== error) return classifyDependencyError(cause);
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const failure = classifyDependencyError(inner);
      if (failure) return failure;
    }
  }
  return undefined;
}

/** Retry-After is a whole number of seconds, at least one. */
const wholeSeconds = (error: { readonly retryAfterSeconds: number }): number =>
  Math.max(1, Math.ceil(Number.isFinite(error.retryAfterSeconds) ? error.retryAfterSeconds : 1));
