import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ConsoleSessions, SealedFlash } from './session';

/**
 * One-time messages between a form post and the page it redirects to, sealed with AES-256-GCM under a key
 * derived from the session secret, which only the admin's cookie holds: what storage keeps for the moment
 * between the two requests (e.g. a new client secret) is unreadable without that cookie.
 */
const keyOf = (sessionSecret: string): Buffer =>
  createHash('sha256').update(`console-flash\u0000${sessionSecret}`, 'utf8').digest();

export function sealFlash(sessionSecret: string, message: unknown): SealedFlash {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(sessionSecret), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(message), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString('base64url'), data: data.toString('base64url') };
}

/** The message, or undefined when it was sealed for another session or altered. */
export function openFlash(sessionSecret: string, flash: SealedFlash): unknown {
  try {
    const data = Buffer.from(flash.data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(sessionSecret), Buffer.from(flash.iv, 'base64url'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Seals the message for the session and keeps it for the next page (replacing any before it). */
export const putSessionFlash = (
  sessions: Pick<ConsoleSessions, 'putFlash'>,
  sessionSecret: string,
  message: unknown,
): Promise<void> => sessions.putFlash(sessionSecret, sealFlash(sessionSecret, message));

/**
 * Takes the session's one-time message, once. Its type is the page's own: only that page's posts put
 * messages for it, and a message sealed for another session or altered opens to undefined.
 */
export async function takeSessionFlash<Message>(
  sessions: Pick<ConsoleSessions, 'takeFlash'>,
  sessionSecret: string,
): Promise<Message | undefined> {
  const sealed = await sessions.takeFlash(sessionSecret);
  return sealed ? (openFlash(sessionSecret, sealed) as Message | undefined) : undefined;
}
