import { AuthorizationSessionStore } from '../../adapters/dynamodb/authorization-session-store';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { tableName } from './config';

/** The stores of the sign-in and consent pages, on the tables the route manifest grants those routes. */
export const authorizationSessionStore = (): AuthorizationSessionStore =>
  new AuthorizationSessionStore(dynamoDocumentClient(), tableName('grants'));
export const loginThrottleStore = (): LoginThrottleStore =>
  new LoginThrottleStore(dynamoDocumentClient(), tableName('grants'));
/** Read only: the consent step checks that the signed-in admin's user still holds the `admin` role. */
export const userStore = (): DynamoDbUserStore => new DynamoDbUserStore(dynamoDocumentClient(), tableName('users'));
