import { AdminDirectory } from '../../adapters/dynamodb/admin-directory';
import { AuthorizationSessionStore } from '../../adapters/dynamodb/authorization-session-store';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { tableName } from './config';

/** The stores of the sign-in and consent pages, on the tables the route manifest grants those routes. */
export const authorizationSessionStore = (): AuthorizationSessionStore =>
  new AuthorizationSessionStore(dynamoDocumentClient(), tableName('grants'));
export const loginThrottleStore = (): LoginThrottleStore =>
  new LoginThrottleStore(dynamoDocumentClient(), tableName('grants'));
export const adminDirectory = (): AdminDirectory => new AdminDirectory(dynamoDocumentClient(), tableName('clients'));
