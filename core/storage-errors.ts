/**
 * What any storage port may raise besides its own domain errors, whatever the database behind it. Adapters
 * raise these (never protocol errors); the function layer's one classifier turns the first two into a 429 or
 * a 503 with Retry-After, and the core turns the third into its protocol's "invalid value" answer.
 */

/** Storage refuses work for now (its request rate is exceeded); the same request can succeed later. */
export class StorageThrottledError extends Error {
  override readonly name = 'StorageThrottledError';

  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** Storage cannot do the work now (unreachable, failing, or a write kept losing races to other writes). */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';

  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** A key or an item is bigger than storage can hold; `message` says which, in terms the client can act on. */
export class StorageLimitError extends Error {
  override readonly name = 'StorageLimitError';
}
