import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of every function: JSON lines, level from `POWERTOOLS_LOG_LEVEL` (default INFO).
 *
 * Nothing secret is ever passed to it: handlers log route, tenant, status, latency and request id, never the
 * event, headers, bodies, tokens, codes, secrets or passwords. Errors are logged by name, message and stack only.
 */
export const logger = new Logger({ serviceName: 'scim-provisioning' });
