import type { ShareCounters, ShareWindow } from '../../core/fair-share';

/**
 * Fair-share counters in process memory, with the DynamoDB store's rule (share-counters.ts): one count per
 * subject and window, refused at the limit. Windows that have ended are forgotten as soon as a later window
 * is counted, so memory holds at most the subjects of the current windows.
 */
export class MemoryShareCounters implements ShareCounters {
  private readonly counts = new Map<string, { requests: number; endsAt: number }>();
  private latestStart = Number.NEGATIVE_INFINITY;

  async takeOne(window: ShareWindow, limit: number): Promise<boolean> {
    if (window.startsAt > this.latestStart) {
      this.latestStart = window.startsAt;
      for (const [key, count] of this.counts) if (count.endsAt <= window.startsAt) this.counts.delete(key);
    }
    const key = `${window.subjectKey}@${window.startsAt}`;
    const requests = this.counts.get(key)?.requests ?? 0;
    if (requests >= limit) return false;
    this.counts.set(key, { requests: requests + 1, endsAt: window.endsAt });
    return true;
  }
}
