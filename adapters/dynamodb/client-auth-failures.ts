import { type AttemptCounters, CLIENT_AUTH_POLICY } from '../../core/oauth/login-throttle';
import type { ClientAuthFailureCounter } from '../../core/oauth/token-endpoint';

/**
 * Client authentication attempts of one caller (source address), on the failure counters (the grants table's,
 * or the memory adapter's): one counter per client id and address, so an attacker's failures never lock out the
 * client's own requests from elsewhere. The attempt is reserved atomically before the secret is checked.
 */
export function clientAuthFailureCounter(store: AttemptCounters, sourceIp: string): ClientAuthFailureCounter {
  const counterKey = (clientId: string) => `client-auth:${clientId}:${sourceIp}`;
  return {
    reserveAttempt: (clientId) => store.reserveAttempt(counterKey(clientId), CLIENT_AUTH_POLICY),
    succeeded: (clientId) => store.clear(counterKey(clientId)),
  };
}
