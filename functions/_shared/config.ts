import { SCIM_BASE_PATH } from '../../contract/routes';
import { type TableKey, tableEnvVar } from '../../contract/tables';

/** A required environment variable is missing: the deployment is broken, so fail loudly at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const cache = new Map<string, string>();

/** Reads a required environment variable once per cold start; a missing or empty one throws. */
export function requireEnv(name: string): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`Missing required environment variable ${name}`);
  }
  cache.set(name, value);
  return value;
}

/** The name of a table this function was granted in the route manifest. */
export const tableName = (key: TableKey): string => requireEnv(tableEnvVar(key));

/**
 * The public base URL of the service, without a trailing slash (e.g. `https://api.example.com` or
 * `https://abc.execute-api.eu-west-1.amazonaws.com/prod`). It is the OAuth issuer, and the SCIM base URL and
 * token audience are derived from it, so it must not be guessed from request headers.
 */
export const publicBaseUrl = (): string => requireEnv('PUBLIC_BASE_URL').replace(/\/+$/, '');

/** The SCIM base URL, which is also the `aud` of our access tokens. */
export const scimBaseUrl = (): string => `${publicBaseUrl()}${SCIM_BASE_PATH}`;

/** For tests that change the environment between cases. */
export const resetConfigCache = (): void => cache.clear();
