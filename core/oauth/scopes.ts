import { invalidScope } from './errors';

/**
 * The scopes this authorization server grants (RFC 6749 §3.3), with the sentence the consent page shows.
 * Okta's App Integration Wizard has no scope field and sends none, so a request without `scope` gets
 * DEFAULT_SCOPE.
 *
 * `offline_access` is what openid-client's examples, Okta's refresh-token guide and several identity providers
 * ask for to get a refresh token (OpenID Connect Core §11). A refresh token is issued either way, so it is
 * accepted, grants nothing more, and has no sentence of its own.
 */
export const SUPPORTED_SCOPES: Readonly<Record<string, string | undefined>> = {
  scim: "create, read, update, deactivate and delete this tenant's users over SCIM",
  offline_access: undefined,
};

export const DEFAULT_SCOPE = 'scim';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scope to grant for a requested `scope` parameter: the requested tokens, de-duplicated and in a stable
 * order, with DEFAULT_SCOPE added when none of them is one with a permission (nothing requested, or only
 * `offline_access`). An unknown or malformed scope is `invalid_scope`.
 */
export function normalizeRequestedScope(scope?: string): string {
  if (scope === undefined || scope.trim() === '') return DEFAULT_SCOPE;
  const tokens = scope.split(' ').filter((token) => token !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw invalidScope('The scope parameter is malformed');
    if (!Object.hasOwn(SUPPORTED_SCOPES, token)) {
      throw invalidScope(`Unknown scope ${token.slice(0, 64)}; supported: ${Object.keys(SUPPORTED_SCOPES).join(' ')}`);
    }
  }
  const granted = new Set(tokens);
  if (![...granted].some((token) => SUPPORTED_SCOPES[token] !== undefined)) granted.add(DEFAULT_SCOPE);
  return [...granted].sort().join(' ');
}

/** The scopes of a granted scope string with what each allows, for the consent page. */
export function describeScopes(scope: string): { scope: string; description: string }[] {
  return scope.split(' ').flatMap((token) => {
    const description = Object.hasOwn(SUPPORTED_SCOPES, token) ? SUPPORTED_SCOPES[token] : undefined;
    return description === undefined ? [] : [{ scope: token, description }];
  });
}

/** Whether every token of `requested` is in `granted` (RFC 6749 §6: a refresh may narrow, never widen). */
export function scopeIsWithin(requested: string, granted: string): boolean {
  const allowed = new Set(granted.split(' '));
  return requested.split(' ').every((token) => token === '' || allowed.has(token));
}
