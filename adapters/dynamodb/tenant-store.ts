import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AlreadyExistsError,
  TenantMissingError,
  TenantNameTakenError,
  type TenantStore as TenantStorePort,
} from '../../core/access/ports';
import {
  type AdminRecord,
  type AdminSummary,
  normalizeEmail,
  type TenantRecord,
  tenantNameKey,
} from '../../core/access/records';
import { cancellationReasons, isConditionFailure, StoreError } from './store-errors';
import { adminEmailIndexKey, tenantKey, tenantMustExist, tenantPartition } from './tenant-keys';

/**
 * Tenants and their admins, in the clients table. Admins are the only accounts with a password (SCIM users
 * sign in through their identity provider); an admin approves the OAuth connection on the consent page.
 *
 * Items: tenant pk `TENANT#<tenantId>`, sk `TENANT`; admin pk `TENANT#<tenantId>`, sk `ADMIN#<normalized email>`;
 * a claimed tenant name pk `TENANT_NAME#<name key>`, sk `TENANT_NAME`, naming its tenant.
 * The tenant partition also holds the tenant's brands and custom roles (see access-store.ts).
 */
export type { AdminRecord, TenantRecord } from '../../core/access/records';

export const adminKey = (tenantId: string, email: string) => ({
  pk: tenantPartition(tenantId),
  sk: `ADMIN#${normalizeEmail(email)}`,
});

const tenantNameItemKey = (name: string) => ({ pk: `TENANT_NAME#${tenantNameKey(name)}`, sk: 'TENANT_NAME' });

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, kind: _kind, ...record } = item;
  return record as T;
}

export class TenantStore implements TenantStorePort {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A tenant whose name is not claimed (test fixtures and scripts; the admin tools go through AdminAccounts). */
  async create(name: string, now = new Date()): Promise<TenantRecord> {
    const record: TenantRecord = { tenantId: randomUUID(), name, createdAt: now.toISOString() };
    await this.createTenant(record, { uniqueName: false });
    return record;
  }

  async createTenant(record: TenantRecord, options: { readonly uniqueName: boolean }): Promise<void> {
    const tenant = {
      Put: {
        TableName: this.tableName,
        Item: { ...tenantKey(record.tenantId), kind: 'tenant', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const claim = {
      Put: {
        TableName: this.tableName,
        Item: { ...tenantNameItemKey(record.name), kind: 'tenant-name', tenantId: record.tenantId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: options.uniqueName ? [tenant, claim] : [tenant] }));
    } catch (error) {
      if (cancellationReasons(error)?.[1] === 'ConditionalCheckFailed') throw new TenantNameTakenError();
      throw error;
    }
  }

  async get(tenantId: string): Promise<TenantRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: tenantKey(tenantId), ConsistentRead: true }),
    );
    return result.Item ? strip<TenantRecord>(result.Item) : undefined;
  }

  /** Every tenant, oldest first (a table scan: for the admin CLI, not for request paths). */
  async list(): Promise<TenantRecord[]> {
    const found: TenantRecord[] = [];
    const pages = paginateScan(
      { client: this.db },
      {
        TableName: this.tableName,
        FilterExpression: 'sk = :tenant',
        ExpressionAttributeValues: { ':tenant': 'TENANT' },
      },
    );
    for await (const page of pages) found.push(...(page.Items ?? []).map((item) => strip<TenantRecord>(item)));
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId));
  }

  /**
   * Creates an admin account of an existing tenant; an unknown tenant or an email already taken there is a
   * StoreError. For test fixtures: the admin tools go through AdminAccounts, which ties the account to a user.
   */
  async createAdmin(
    admin: { tenantId: string; email: string; passwordHash: string; userId?: string },
    now = new Date(),
  ): Promise<AdminRecord> {
    const record: AdminRecord = {
      userId: admin.userId ?? randomUUID(),
      tenantId: admin.tenantId,
      email: admin.email.trim(),
      passwordHash: admin.passwordHash,
      createdAt: now.toISOString(),
    };
    try {
      await this.putAdmin(record);
    } catch (error) {
      if (error instanceof TenantMissingError)
        throw new StoreError('unknown-tenant', `There is no tenant ${admin.tenantId}`);
      if (error instanceof AlreadyExistsError) {
        throw new StoreError('duplicate-admin', `Tenant ${admin.tenantId} already has an admin with that email`);
      }
      throw error;
    }
    return record;
  }

  async putAdmin(record: AdminRecord): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            tenantMustExist(this.tableName, record.tenantId),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...adminKey(record.tenantId, record.email),
                  // Indexes the admin by email across tenants (gsi1).
                  gsi1pk: adminEmailIndexKey(record.email),
                  gsi1sk: tenantPartition(record.tenantId),
                  kind: 'admin',
                  ...record,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') throw new TenantMissingError();
      if (reasons?.[1] === 'ConditionalCheckFailed') throw new AlreadyExistsError();
      throw error;
    }
  }

  async findAdminByEmail(tenantId: string, email: string): Promise<AdminRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: adminKey(tenantId, email), ConsistentRead: true }),
    );
    return result.Item ? strip<AdminRecord>(result.Item) : undefined;
  }

  /**
   * Points an admin account at another user, remembering the previous id (the subject of the grants the
   * admin approved before). Only if the account still has `expectedUserId`; returns whether it changed.
   */
  async relinkAdmin(tenantId: string, email: string, expectedUserId: string, userId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: adminKey(tenantId, email),
          UpdateExpression:
            'SET userId = :userId, formerUserIds = list_append(if_not_exists(formerUserIds, :none), :old)',
          ConditionExpression: 'attribute_exists(pk) AND userId = :expected',
          ExpressionAttributeValues: {
            ':userId': userId,
            ':expected': expectedUserId,
            ':none': [],
            ':old': [expectedUserId],
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Deletes an admin (they can no longer sign in); returns the deleted admin without the hash, or undefined. */
  async deleteAdmin(tenantId: string, email: string): Promise<AdminSummary | undefined> {
    const result = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: adminKey(tenantId, email), ReturnValues: 'ALL_OLD' }),
    );
    if (!result.Attributes) return undefined;
    const { passwordHash: _hash, ...admin } = strip<AdminRecord>(result.Attributes);
    return admin;
  }

  /** The tenant's admins, without their password hashes. */
  async listAdmins(tenantId: string): Promise<AdminSummary[]> {
    const admins: AdminSummary[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :admin)',
        ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':admin': 'ADMIN#' },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const { passwordHash: _hash, ...admin } = strip<AdminRecord>(item);
        admins.push(admin);
      }
    }
    return admins;
  }
}
