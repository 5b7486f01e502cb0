import type { AssertionReplayGuard } from '../../core/oauth/client-assertion';

/**
 * Used client assertion ids in process memory, with the DynamoDB store's rule: the first use until
 * `keepUntil` wins, every other use in that time is refused; the check and the write have no pause between
 * them, so racing requests get exactly one success.
 */
export class MemoryAssertionReplayStore implements AssertionReplayGuard {
  private readonly used = new Map<string, number>();

  async useOnce(assertionId: string, keepUntil: number, nowSeconds: number): Promise<boolean> {
    const kept = this.used.get(assertionId);
    if (kept !== undefined && kept > nowSeconds) return false;
    this.used.set(assertionId, keepUntil);
    return true;
  }
}
