import { randomUUID } from 'node:crypto';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { hashPassword } from '../../core/oauth/passwords';
import { tableName } from '../../functions/_shared/config';
import { accessServices } from './access-services';

/** Okta's callback for an App Integration Wizard app, as registered by a tenant admin. */
export const OKTA_CALLBACK = 'https://system-admin.okta.com/admin/app/cpc/acme_knak_1/oauth/callback';
export const OKTA_PREVIEW_CALLBACK = 'https://system-admin.oktapreview.com/admin/app/cpc/acme_knak_1/oauth/callback';

export interface ConnectionFixture {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly adminUserId: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientName: string;
  readonly redirectUris: readonly string[];
}

/**
 * A tenant with one admin (an admin account linked to a user with the `admin` role) and one OAuth client,
 * written through the real stores (the environment must point
 * at the test DynamoDB Local first: useLocalEnvironment() or startService()).
 */
export async function createConnectionFixture(
  options: { tenantName?: string; clientName?: string; redirectUris?: readonly string[]; adminEmail?: string } = {},
): Promise<ConnectionFixture> {
  const tenants = new TenantStore(dynamoDocumentClient(), tableName('clients'));
  const clients = new ClientStore(dynamoDocumentClient(), tableName('clients'));
  const tenant = await tenants.create(options.tenantName ?? 'Acme Corporation');
  const adminPassword = `pw-${randomUUID()}`;
  const adminEmail = options.adminEmail ?? `admin-${randomUUID().slice(0, 8)}@acme.example`;
  const { admin } = await accessServices('test-fixture').accounts.createAdmin({
    tenantId: tenant.tenantId,
    email: adminEmail,
    name: { givenName: 'Ada', familyName: 'Admin' },
    passwordHash: await hashPassword(adminPassword),
  });
  const redirectUris = options.redirectUris ?? [OKTA_CALLBACK, OKTA_PREVIEW_CALLBACK];
  const { client, clientSecret } = await clients.create({
    tenantId: tenant.tenantId,
    name: options.clientName ?? 'Okta provisioning',
    redirectUris,
  });
  return {
    tenantId: tenant.tenantId,
    tenantName: tenant.name,
    adminUserId: admin.userId,
    adminEmail,
    adminPassword,
    clientId: client.clientId,
    clientSecret,
    clientName: client.name,
    redirectUris,
  };
}
