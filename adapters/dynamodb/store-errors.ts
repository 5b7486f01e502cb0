/** What a store refuses to do, in words a person can act on (the admin CLI prints the message). */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code:
      | 'unknown-tenant'
      | 'unknown-client'
      | 'unknown-grant'
      | 'unknown-admin'
      | 'duplicate-admin'
      | 'concurrent-change',
    message: string,
  ) {
    super(message);
  }
}

/** Whether a DynamoDB error is a failed condition (on a single write or inside a transaction). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The transaction-cancellation decoder lives with the other transaction helpers; re-exported for the stores that import it here. */
export { cancellationReasons } from './transactions';
