import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { clientAuthFailureCounter } from '../../adapters/dynamodb/client-auth-failures';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { GrantLedger } from '../../adapters/dynamodb/grant-ledger';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { tableName } from './config';

/**
 * The OAuth stores, built on the tables this function was granted in the route manifest (a store on a table
 * the route was not granted fails loudly with a missing environment variable).
 */
export const tenantStore = (): TenantStore => new TenantStore(dynamoDocumentClient(), tableName('clients'));
export const clientStore = (): ClientStore => new ClientStore(dynamoDocumentClient(), tableName('clients'));
export const authorizationCodeStore = (): AuthorizationCodeStore =>
  new AuthorizationCodeStore(dynamoDocumentClient(), tableName('grants'));
export const grantStore = (): GrantStore => new GrantStore(dynamoDocumentClient(), tableName('grants'));
export const grantLedger = (): GrantLedger => new GrantLedger(dynamoDocumentClient(), tableName('grants'));

/** Failed client authentications from one address, counted in the grants table (AS-E5). */
export const clientAuthFailures = (sourceIp: string) =>
  clientAuthFailureCounter(new LoginThrottleStore(dynamoDocumentClient(), tableName('grants')), sourceIp);
