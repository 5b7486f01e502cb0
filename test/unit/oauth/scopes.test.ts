import { OAuthError } from '../../../core/oauth/errors';
import { describeScopes, normalizeRequestedScope, scopeIsWithin } from '../../../core/oauth/scopes';

describe('scopes', () => {
  test('no scope (Okta’s App Integration Wizard sends none) grants the default scope', () => {
    expect(normalizeRequestedScope()).toBe('scim');
    expect(normalizeRequestedScope('')).toBe('scim');
    expect(normalizeRequestedScope('  ')).toBe('scim');
  });

  test('known scopes are de-duplicated', () => {
    expect(normalizeRequestedScope('scim scim')).toBe('scim');
  });

  test('offline_access is accepted and grants nothing more; alone it gets the default scope with it', () => {
    expect(normalizeRequestedScope('scim offline_access')).toBe('offline_access scim');
    expect(normalizeRequestedScope('offline_access')).toBe('offline_access scim');
    expect(describeScopes('offline_access scim')).toEqual([{ scope: 'scim', description: expect.any(String) }]);
  });

  test.each(['admin', 'offline_access admin', 'scim openid', 'sc"im'])(
    'an unknown or malformed scope (%s) is invalid_scope',
    (scope) => {
      expect(() => normalizeRequestedScope(scope)).toThrow(OAuthError);
      try {
        normalizeRequestedScope(scope);
      } catch (error) {
        expect((error as OAuthError).error).toBe('invalid_scope');
        expect((error as OAuthError).description).not.toContain('"');
      }
    },
  );

  test('the consent page gets a sentence per scope', () => {
    expect(describeScopes('scim')).toEqual([{ scope: 'scim', description: expect.stringContaining('SCIM') }]);
  });

  test('a narrower or equal scope is within the grant, a wider one is not', () => {
    expect(scopeIsWithin('scim', 'scim')).toBe(true);
    expect(scopeIsWithin('scim admin', 'scim')).toBe(false);
  });
});
