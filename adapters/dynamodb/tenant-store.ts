import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, isConditionFailure, StoreError } from './store-errors';
import { tenantKey, tenantMustExist, tenantPartition } from './tenant-keys';

/**
 * Tenants and their admins, in the clients table. Admins are the only accounts with a password (SCIM users
 * sign in through their identity provider); an admin approves the OAuth connection on the consent page.
 *
 * Items: tenant pk `TENANT#<tenantId>`, sk `TENANT`; admin pk `TENANT#<tenantId>`, sk `ADMIN#<normalized email>`.
 * The same partition holds the tenant's brands and custom roles (see access-store.ts).
 */
export interface TenantRecord {
  readonly tenantId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface AdminRecord {
  readonly userId: string;
  readonly tenantId: string;
  /** As entered at creation; lookups use the normalized form. */
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: string;
  /** Ids the account was linked to before `admin link` (grants approved under them are still this admin's). */
  readonly formerUserIds?: readonly string[];
}

/** Emails are compared NFC-normalized and lower-cased, so `Ann@Example.com` and `ann@example.com` are one admin. */
export const normalizeEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

const adminKey = (tenantId: string, email: string) => ({
  pk: tenantPartition(tenantId),
  sk: `ADMIN#${normalizeEmail(email)}`,
});

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, kind: _kind, ...record } = item;
  return record as T;
}

export class TenantStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(name: string, now = new Date()): Promise<TenantRecord> {
    const record: TenantRecord = { tenantId: randomUUID(), name, createdAt: now.toISOString() };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tenantKey(record.tenantId), kind: 'tenant', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
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
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :tenant',
          ExpressionAttributeValues: { ':tenant': 'TENANT' },
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(page.Items ?? []).map((item) => strip<TenantRecord>(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId));
  }

  /**
   * Creates an admin account of an existing tenant; an unknown tenant or an email already taken there is a
   * StoreError. `userId` is the admin's user in the users table (see admin-accounts.ts), whose role decides
   * whether the account may approve connections.
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
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            tenantMustExist(this.tableName, admin.tenantId),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...adminKey(admin.tenantId, admin.email),
                  // Found by email across tenants by AdminDirectory (the sign-in page's wrong-tenant answer).
                  gsi1pk: `ADMIN#${normalizeEmail(admin.email)}`,
                  gsi1sk: tenantPartition(admin.tenantId),
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
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw new StoreError('unknown-tenant', `There is no tenant ${admin.tenantId}`);
      }
      if (reasons?.[1] === 'ConditionalCheckFailed') {
        throw new StoreError('duplicate-admin', `Tenant ${admin.tenantId} already has an admin with that email`);
      }
      throw error;
    }
    return record;
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
  async deleteAdmin(tenantId: string, email: string): Promise<Omit<AdminRecord, 'passwordHash'> | undefined> {
    const result = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: adminKey(tenantId, email), ReturnValues: 'ALL_OLD' }),
    );
    if (!result.Attributes) return undefined;
    const { passwordHash: _hash, ...admin } = strip<AdminRecord>(result.Attributes);
    return admin;
  }

  /** The tenant's admins, without their password hashes. */
  async listAdmins(tenantId: string): Promise<Omit<AdminRecord, 'passwordHash'>[]> {
    const admins: Omit<AdminRecord, 'passwordHash'>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :admin)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':admin': 'ADMIN#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        const { passwordHash: _hash, ...admin } = strip<AdminRecord>(item);
        admins.push(admin);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return admins;
  }
}
