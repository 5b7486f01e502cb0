import { foldCase } from '../scim/values';

/** A customer of the service: one partition of every table, its own users, admins, brands and roles. */
export interface TenantRecord {
  readonly tenantId: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The sign-in (email and password) of one user of the tenant; it approves connections while that user is admin. */
export interface AdminRecord {
  readonly userId: string;
  readonly tenantId: string;
  /** As entered at creation; lookups use `normalizeEmail`. */
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: string;
  /** Ids the account was linked to before being linked to its user (grants approved under them are still this admin's). */
  readonly formerUserIds?: readonly string[];
}

export type AdminSummary = Omit<AdminRecord, 'passwordHash'>;

export interface BrandRecord {
  readonly brandId: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface RoleRecord {
  /** What identifies the role in storage: its name compared case-insensitively (see `roleKey`). */
  readonly key: string;
  /** As the admin typed it; what users' `role` holds and what SCIM shows. */
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly createdAt?: string;
}

/**
 * Emails are compared NFC-normalized, trimmed and lower-cased, so `Ann@Example.com` and `ann@example.com` are
 * one admin. The one definition for admin accounts, sign-in and its throttling.
 */
export const normalizeEmail = (email: string): string => foldCase(email.trim());

/** Tenant names are unique compared the same way (a trimmed, case-folded name, spaces collapsed). */
export const tenantNameKey = (name: string): string => foldCase(name.trim().replace(/\s+/gu, ' '));
