import { PUBLIC_BASE_URL_ENV } from '../../contract/environment';
import { SCIM_BASE_PATH } from '../../contract/routes';

/**
 * The configuration every function reads from its environment before it builds anything, apart from the
 * composition root (functions/_shared/services.ts, which re-exports it), so that a function that uses no AWS
 * service (the SCIM discovery routes) can read it without loading the AWS SDK.
 */

/** A required environment variable is missing: the deployment is broken, so fail loudly at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

/** The public base URL, the OAuth issuer; never guessed from request headers. */
export const publicBaseUrl = (): string => required(PUBLIC_BASE_URL_ENV).replace(/\/+$/, '');
/** The SCIM base URL, which is also the `aud` of our access tokens. */
export const scimBaseUrl = (): string => `${publicBaseUrl()}${SCIM_BASE_PATH}`;
