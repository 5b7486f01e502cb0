/**
 * How long a request may take, declared once: the CDK stack gives every function this timeout, and every call
 * a function makes to AWS (DynamoDB, KMS) is bounded so that a stalled dependency fails well inside it, and
 * the function answers 503 with Retry-After (its dependency-error mapping) instead of hanging until Lambda
 * stops it. Well under API Gateway's 29-second integration timeout, so the gateway never answers 504 while a
 * function still runs.
 */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * Each request's deadline: the time the function has left when the request starts (in Lambda its context's
 * `getRemainingTimeInMillis()`; the local server gives the same `FUNCTION_TIMEOUT_SECONDS`), less this
 * reserve, kept for rendering and logging the answer. At the deadline every call still running to DynamoDB or
 * KMS is aborted and no new one starts, so however many calls a request makes, it answers 503 with
 * `DEADLINE_RETRY_AFTER_SECONDS` in time instead of running into the function's timeout. Abandoning a call
 * leaves nothing half-written: each write is one conditional item write or one transaction, both atomic.
 */
export const REQUEST_DEADLINE_RESERVE_MS = 1_000;

/** The `Retry-After` of a request that ran out of time (a stall usually passes within seconds). */
export const DEADLINE_RETRY_AFTER_SECONDS = 2;

/**
 * Each call to DynamoDB or KMS: at most `maxAttempts` attempts (the first and one retry), each allowed
 * `connectionTimeoutMs` to connect and `requestTimeoutMs` in all (connecting included) for the answer. Both
 * services answer in milliseconds, so these only ever end a stall, and leave room for DynamoDB Local on a busy
 * laptop. A call gives up within `maxAttempts × requestTimeoutMs` plus the SDK's back-off between attempts
 * (under a second): about 9 seconds, inside the function's 10.
 */
export const AWS_CALL_BUDGET = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 4_000,
  maxAttempts: 2,
} as const;

/** The SDK client settings of that budget. */
export const awsClientBudget = () => ({
  maxAttempts: AWS_CALL_BUDGET.maxAttempts,
  requestHandler: {
    connectionTimeout: AWS_CALL_BUDGET.connectionTimeoutMs,
    requestTimeout: AWS_CALL_BUDGET.requestTimeoutMs,
    // Without it the SDK only warns when the request timeout passes, and the call keeps waiting.
    throwOnRequestTimeout: true,
  },
});

/**
 * Each fetch of an identity provider's JWKS (the keys of a federated client credential): the whole fetch,
 * connecting included, within `timeoutMs`, one attempt (the next request after the back-off tries again).
 * With the DynamoDB and KMS calls of a token request it stays inside the function's 10 seconds.
 */
export const JWKS_FETCH_BUDGET = {
  timeoutMs: 3_000,
} as const;
