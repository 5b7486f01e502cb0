import { AsyncLocalStorage } from 'node:async_hooks';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * The local server runs all functions in one process and does not wait for one request to finish before the
 * next begins, as Lambda does for a function that serves concurrent invocations (`AWS_LAMBDA_MAX_CONCURRENCY`).
 * Like that runtime, it gives each invocation a context of its own in the Lambda InvokeStore, which is where
 * Powertools keeps an invocation's log keys, Lambda context and pending metrics once that variable is set.
 */
const MAX_CONCURRENCY_ENV = 'AWS_LAMBDA_MAX_CONCURRENCY';
/** Only a marker for Powertools here: the local server itself puts no limit on concurrent requests. */
const LOCAL_MAX_CONCURRENCY = '64';

type InvocationContext = Record<string | symbol, unknown>;

/** The InvokeStore of a runtime with concurrent invocations: one AsyncLocalStorage context per invocation. */
class ConcurrentInvokeStore extends InvokeStoreBase {
  private readonly invocations = new AsyncLocalStorage<InvocationContext>();

  getContext(): InvocationContext | undefined {
    return this.invocations.getStore();
  }

  hasContext(): boolean {
    return this.invocations.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.invocations.getStore()?.[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.invocations.getStore();
    if (!context) throw new Error('No invocation context');
    context[key] = value;
  }

  run<T>(context: InvocationContext, invocation: () => T): T {
    return this.invocations.run(context, invocation);
  }
}

let store: ConcurrentInvokeStore | undefined;

/**
 * Installs the store, once per process, before the first invocation, where Powertools looks for it. The AWS
 * SDK asks the invoke-store package for its instance on every call; asking once before the variable is set
 * makes that instance this store (the package keeps a store it finds installed), instead of one the package
 * would build with a dynamic import, which a test runner without ES module support cannot load. An SDK call
 * made earlier keeps the package's own store, from which the SDK reads only trace headers.
 */
export function useConcurrentInvocations(): ConcurrentInvokeStore {
  if (store) return store;
  store = new ConcurrentInvokeStore();
  globalThis.awslambda.InvokeStore = store;
  void InvokeStore.getInstanceAsync();
  process.env[MAX_CONCURRENCY_ENV] ??= LOCAL_MAX_CONCURRENCY;
  return store;
}

/** Runs one invocation in a context of its own, identified by its request id as the Lambda runtime does. */
export function runInvocation<T>(requestId: string, invocation: () => Promise<T>): Promise<T> {
  return useConcurrentInvocations().run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, invocation);
}
