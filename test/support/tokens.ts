import { randomUUID } from 'node:crypto';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { mintAccessToken } from '../../core/oauth/access-token';
import { documentClient, publicBaseUrl, scimBaseUrl, tableName, tokenSigner } from '../../functions/_shared/services';
import { rememberSecret } from './secrets';

export interface TestToken {
  readonly token: string;
  readonly tenantId: string;
  readonly grantId: string;
  readonly clientId: string;
}

/**
 * A real access token for SCIM tests: an active grant stored in DynamoDB Local and a JWT minted by the same
 * module and signer the token endpoint uses. Call after `startService()` or `useLocalEnvironment()`.
 */
export async function scimTestToken(tenantId = `tenant-${randomUUID()}`): Promise<TestToken> {
  const grantId = randomUUID();
  const clientId = `client-${randomUUID()}`;
  await new GrantStore(documentClient(), tableName('grants')).create({
    grantId,
    tenantId,
    clientId,
    subject: 'admin-under-test',
    scope: 'scim',
    createdAt: new Date().toISOString(),
  });
  const { token } = await mintAccessToken(tokenSigner(), {
    issuer: publicBaseUrl(),
    audience: scimBaseUrl(),
    subject: 'admin-under-test',
    clientId,
    scope: 'scim',
    tenantId,
    grantId,
  });
  rememberSecret(token);
  return { token, tenantId, grantId, clientId };
}
