import {
  ACCOUNT_POLICY,
  accountThrottleKey,
  delayAfterFailures,
  SOURCE_POLICY,
} from '../../../core/oauth/login-throttle';

describe('AS-B7: the sign-in back-off policy', () => {
  test('an account gets 5 free tries, then waits 2, 4, 8, 16, 32 s, then is locked for 15 minutes', () => {
    const delays = Array.from({ length: 12 }, (_, index) => delayAfterFailures(index + 1, ACCOUNT_POLICY));
    expect(delays).toEqual([0, 0, 0, 0, 2, 4, 8, 16, 32, 900, 900, 900]);
  });

  test('a source address gets 20 free tries and is locked from 30 failures on', () => {
    expect(delayAfterFailures(19, SOURCE_POLICY)).toBe(0);
    expect(delayAfterFailures(20, SOURCE_POLICY)).toBe(2);
    expect(delayAfterFailures(29, SOURCE_POLICY)).toBe(60);
    expect(delayAfterFailures(30, SOURCE_POLICY)).toBe(900);
  });

  test('the account key ignores case, surrounding spaces and Unicode form of the email', () => {
    expect(accountThrottleKey('t1', ' Ren\u00e9e@Example.com ')).toBe(
      accountThrottleKey('t1', 'rene\u0301e@example.COM'),
    );
    expect(accountThrottleKey('t1', 'a@example.com')).not.toBe(accountThrottleKey('t2', 'a@example.com'));
  });
});
