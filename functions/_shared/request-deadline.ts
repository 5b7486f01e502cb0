import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { DEADLINE_RETRY_AFTER_SECONDS, REQUEST_DEADLINE_RESERVE_MS } from '../../contract/time-budget';

/** A request ran out of its time budget (contract/time-budget.ts) before a call to AWS could finish. */
export class RequestDeadlineError extends Error {
  override readonly name = 'RequestDeadlineError';
  readonly retryAfterSeconds = DEADLINE_RETRY_AFTER_SECONDS;

  constructor() {
    super('The request ran out of time waiting for a dependency');
  }
}

const deadlines = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs one invocation under its deadline: the function's remaining time less the reserve. The signal is per
 * invocation (one process may serve concurrent requests locally), and its timer never outlives the request.
 */
export function withRequestDeadline<T>(context: Context, invocation: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const remainingMs = Math.max(0, context.getRemainingTimeInMillis() - REQUEST_DEADLINE_RESERVE_MS);
  const timer = setTimeout(() => controller.abort(new RequestDeadlineError()), remainingMs);
  timer.unref();
  return deadlines.run(controller.signal, invocation).finally(() => clearTimeout(timer));
}

/** The running request's deadline as an abort signal; undefined outside a request (the admin CLI). */
export const requestDeadline = (): AbortSignal | undefined => deadlines.getStore();

interface SdkClient {
  send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Makes every command sent through the client (paginators included: they send through it too) carry the
 * running request's deadline as its `abortSignal`, which the SDK honours in each attempt and in the back-off
 * between attempts. A call made after the deadline fails at once, without reaching AWS.
 */
export function boundedByRequestDeadline<C extends SdkClient>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  const bounded = (command: unknown, options?: { abortSignal?: AbortSignal }) => {
    const signal = options?.abortSignal ?? requestDeadline();
    return send(command, signal === undefined ? options : { ...options, abortSignal: signal });
  };
  Object.assign(client, { send: bounded });
  return client;
}
