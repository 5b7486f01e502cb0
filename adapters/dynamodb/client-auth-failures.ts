import { CLIENT_AUTH_POLICY } from '../../core/oauth/login-throttle';
import type { ClientAuthFailureCounter } from '../../core/oauth/token-endpoint';
import type { LoginThrottleStore } from './login-throttle-store';

/**
 * Failed client authentications of one caller (source address), on the sign-in failure counters of the
 * grants table: one counter per client id and address, so an attacker's failures never lock out the client's
 * own requests from elsewhere.
 */
export function clientAuthFailureCounter(store: LoginThrottleStore, sourceIp: string): ClientAuthFailureCounter {
  const counterKey = (clientId: string) => `client-auth:${clientId}:${sourceIp}`;
  return {
    waitSeconds: async (clientId) => {
      const now = Math.floor(Date.now() / 1000);
      const counter = await store.read(counterKey(clientId), now);
      return Math.max(0, counter.nextAttemptAt - now);
    },
    recordFailure: async (clientId) => {
      await store.reserveAttempt(counterKey(clientId), CLIENT_AUTH_POLICY);
    },
  };
}
