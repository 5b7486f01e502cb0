import { Refusal } from '../../core/access/refusal';

/** A refusal worded by the store itself (the OAuth client store's); the admin CLI prints the message. */
export class StoreError extends Refusal {
  constructor(
    code:
      | 'unknown-tenant'
      | 'unknown-client'
      | 'duplicate-client'
      | 'unknown-grant'
      | 'duplicate-admin'
      | 'concurrent-change',
    message: string,
  ) {
    super(code, {}, message);
  }
}

/** Whether a DynamoDB error is a failed condition (on a single write or inside a transaction). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The transaction-cancellation decoder lives with the other transaction helpers; re-exported for the stores that import it here. */
export { cancellationReasons } from './transactions';
