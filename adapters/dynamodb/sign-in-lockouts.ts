import type { SignInLockouts } from '../../core/access/ports';
import type { AdminSummary } from '../../core/access/records';
import { accountThrottleKey } from '../../core/oauth/login-throttle';
import type { LoginThrottleStore } from './login-throttle-store';

/** The admin sign-in's per-account failure counter (see login-throttle-store.ts), as the admin tools clear it. */
export class ThrottleSignInLockouts implements SignInLockouts {
  constructor(private readonly throttle: LoginThrottleStore) {}

  async clear(account: AdminSummary): Promise<void> {
    await this.throttle.clear(accountThrottleKey(account.tenantId, account.email));
  }
}
