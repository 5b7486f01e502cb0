import { FAIR_SHARE_SCIM_REQUESTS_ENV, FAIR_SHARE_TOKEN_REQUESTS_ENV } from '../../contract/environment';
import { DEFAULT_FAIR_SHARE, FAIR_SHARE_WINDOW_SECONDS, MAX_SHARE } from '../../contract/fair-share';
import { type ShareDecision, type ShareSubject, takeShare } from '../../core/fair-share';
import { logger } from './logger';
import { ConfigError, shareCounters } from './services';

const SETTINGS = {
  scim: { env: FAIR_SHARE_SCIM_REQUESTS_ENV, fallback: DEFAULT_FAIR_SHARE.scimRequestsPerTenant },
  token: { env: FAIR_SHARE_TOKEN_REQUESTS_ENV, fallback: DEFAULT_FAIR_SHARE.tokenRequestsPerClient },
} as const;

/** The share per window of a kind of subject: its setting, else the default; a bad setting fails loudly. */
function requestsPerWindow(kind: ShareSubject['kind']): number {
  const { env, fallback } = SETTINGS[kind];
  const raw = process.env[env];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_SHARE) {
    throw new ConfigError(`${env} must be a whole number from 1 to ${MAX_SHARE}`);
  }
  return value;
}

/**
 * Takes one request from the subject's fair share now (core/fair-share.ts). When the counters cannot be
 * reached the request goes on, and a warning says so: failing open keeps every tenant served while the
 * counter store is down, and the stage's throttle still bounds the total.
 */
export async function takeFairShare(subject: ShareSubject): Promise<ShareDecision> {
  const decision = await takeShare(
    shareCounters(),
    subject,
    { requestsPerWindow: requestsPerWindow(subject.kind), windowSeconds: FAIR_SHARE_WINDOW_SECONDS },
    Date.now(),
  );
  if (decision.allowed && decision.failedOpen !== undefined) {
    const error = decision.failedOpen;
    logger.warn('fair share not counted: the counters are unavailable, request allowed', {
      kind: subject.kind,
      error: error instanceof Error ? { name: error.name, message: error.message } : { type: typeof error },
    });
  }
  return decision;
}
