import type { ConsoleSession, ConsoleSessions, SealedFlash } from '../../core/console/session';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';

interface Stored {
  session: ConsoleSession;
  expiresAt: number;
  flash?: SealedFlash;
}

/**
 * Console sessions in process memory, with the DynamoDB store's rules (adapters/dynamodb/console-session-store.ts):
 * keyed by the secret's hash, gone from `expiresAt` on, updates never bring a deleted session back, and a
 * one-time message is taken once.
 */
export class MemoryConsoleSessionStore implements ConsoleSessions {
  private readonly sessions = new Map<string, Stored>();

  async create(sessionSecret: string, session: ConsoleSession, expiresAt: number): Promise<void> {
    const key = opaqueTokenHash(sessionSecret);
    if (this.sessions.has(key)) throw new Error('A console session with this secret exists already');
    this.sessions.set(key, { session: { ...session }, expiresAt });
  }

  async get(sessionSecret: string, now: number): Promise<ConsoleSession | undefined> {
    const stored = this.sessions.get(opaqueTokenHash(sessionSecret));
    return stored && stored.expiresAt > now ? { ...stored.session } : undefined;
  }

  async touch(sessionSecret: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    const stored = this.sessions.get(opaqueTokenHash(sessionSecret));
    if (!stored) return;
    stored.session = { ...stored.session, lastSeenAt };
    stored.expiresAt = expiresAt;
  }

  async putFlash(sessionSecret: string, flash: SealedFlash): Promise<void> {
    const stored = this.sessions.get(opaqueTokenHash(sessionSecret));
    if (stored) stored.flash = { ...flash };
  }

  async takeFlash(sessionSecret: string): Promise<SealedFlash | undefined> {
    const stored = this.sessions.get(opaqueTokenHash(sessionSecret));
    const flash = stored?.flash;
    if (stored) delete stored.flash;
    return flash;
  }

  async delete(sessionSecret: string): Promise<void> {
    this.sessions.delete(opaqueTokenHash(sessionSecret));
  }
}
