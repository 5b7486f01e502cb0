import { ScimTokenStore } from '../../adapters/dynamodb/scim-token-store';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { Refusal } from '../../core/access/refusal';
import {
  issueScimToken,
  MAX_ACTIVE_SCIM_TOKENS_PER_TENANT,
  MAX_SCIM_TOKEN_LIFETIME_SECONDS,
  MIN_SCIM_TOKEN_LIFETIME_SECONDS,
  revokeScimToken,
  SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS,
  SCIM_TOKEN_PREFIX,
  SCIM_TOKEN_REVOCATION_BOUND_SECONDS,
  type ScimTokenRecord,
  scimTokenIsActive,
} from '../../core/oauth/scim-tokens';
import { CliError } from './cli-error';
import { type CommandContext, type CommandSpec, displayName, required, table } from './command-support';
import type { Connection } from './connection';

/** `90m`, `12h`, `365d` → seconds, between a minute and ten years. */
export function parseTokenLifetime(value: string): number {
  const match = /^(\d{1,7})([smhd])$/.exec(value.trim());
  if (!match) throw new CliError(`--expires-in must look like 90m, 12h or 365d, not ${value}`, 2);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < MIN_SCIM_TOKEN_LIFETIME_SECONDS || seconds > MAX_SCIM_TOKEN_LIFETIME_SECONDS) {
    throw new CliError('--expires-in is at least 1m and at most 3650d', 2);
  }
  return seconds;
}

async function tokenStoreOfTenant(context: CommandContext, tenantId: string): Promise<ScimTokenStore> {
  const connection: Connection = await context.connection();
  if (!(await new TenantStore(connection.db, connection.tables.clients).get(tenantId))) {
    throw new Refusal('unknown-tenant', { tenantId });
  }
  return new ScimTokenStore(connection.db, connection.tables.grants);
}

const iso = (epochSeconds: number | undefined) =>
  epochSeconds === undefined ? null : new Date(epochSeconds * 1000).toISOString();

function tokenView(token: ScimTokenRecord, nowSeconds: number) {
  return {
    tokenId: token.tokenId,
    tenantId: token.tenantId,
    name: token.name,
    createdAt: token.createdAt,
    expiresAt: iso(token.validUntil),
    status: token.status === 'revoked' ? 'revoked' : scimTokenIsActive(token, nowSeconds) ? 'active' : 'expired',
    ...(token.revokedAt !== undefined ? { revokedAt: token.revokedAt } : {}),
    ...(token.lastUsedAt !== undefined ? { lastUsedAt: token.lastUsedAt } : {}),
  };
}

export const tokenCommands: readonly CommandSpec[] = [
  {
    group: 'token',
    action: 'create',
    summary: 'create a long-lived SCIM bearer token for a tenant (Entra Secret Token, OneLogin, JumpCloud, …)',
    usage: 'token create --tenant <tenantId> --name <name> [--expires-in <duration>] [--json]',
    details: [
      'The token is printed once and stored only as a hash: paste it into the identity provider now, which sends',
      'it as "Authorization: Bearer <token>" to the SCIM base URL. Every token starts with',
      `${SCIM_TOKEN_PREFIX} (43 base64url characters follow), so secret scanners can find a leaked one.`,
      '--name says which connection the token is for (e.g. "Entra production"); --expires-in (e.g. 90d, 12h,',
      'at least 1m, at most 3650d) ends it; by default it does not expire (what Entra asks for: an expired',
      'token quarantines its provisioning job).',
      `A tenant holds at most ${MAX_ACTIVE_SCIM_TOKENS_PER_TENANT} active tokens; revoke one to make room.`,
      'With --json: {"tokenId", "tenantId", "name", "createdAt", "expiresAt", "token"}.',
    ],
    options: { tenant: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' } },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const name = displayName(context, 'name');
      const expiresIn = context.values['expires-in'];
      const lifetimeSeconds = typeof expiresIn === 'string' ? parseTokenLifetime(expiresIn) : undefined;
      const store = await tokenStoreOfTenant(context, tenantId);
      const issued = await issueScimToken(
        store,
        { tenantId, name, ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }) },
        new Date(),
      );
      if (!issued.ok) {
        throw new CliError(
          `Tenant ${tenantId} already has ${issued.limit} active SCIM tokens, the most it may hold; revoke one first (token list, token revoke)`,
          1,
          'too-many-scim-tokens',
        );
      }
      const view = tokenView(issued.record, Math.floor(Date.now() / 1000));
      return {
        json: {
          tokenId: view.tokenId,
          tenantId,
          name: view.name,
          createdAt: view.createdAt,
          expiresAt: view.expiresAt,
          token: issued.token,
        },
        text: [
          `SCIM token "${view.name}" created for tenant ${tenantId}.`,
          `  Token ID    ${view.tokenId}`,
          `  Token       ${issued.token}`,
          `  Expires     ${view.expiresAt ?? 'never'}`,
          '  (the token is shown only this once; it is stored as a hash)',
        ].join('\n'),
      };
    },
  },
  {
    group: 'token',
    action: 'list',
    summary: "list a tenant's SCIM tokens (never the tokens themselves)",
    usage: 'token list --tenant <tenantId> [--json]',
    details: [
      'Active, expired and revoked tokens (an expired or revoked one stays listed for 90 days).',
      `LAST USED is when a SCIM request last used the token, to within ${SCIM_TOKEN_LAST_USED_INTERVAL_SECONDS / 60} minutes (it is written at most`,
      'once per interval, not on every request); "never" for a token not used yet.',
      'With --json: {"tokens": [{"tokenId", "tenantId", "name", "createdAt", "expiresAt", "status", "revokedAt"?,',
      '"lastUsedAt"?}]}.',
    ],
    options: { tenant: { type: 'string' } },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const store = await tokenStoreOfTenant(context, tenantId);
      const nowSeconds = Math.floor(Date.now() / 1000);
      const tokens = (await store.listForTenant(tenantId)).map((token) => tokenView(token, nowSeconds));
      return {
        json: { tokens },
        text:
          tokens.length === 0
            ? 'No SCIM tokens.'
            : table([
                ['TOKEN ID', 'NAME', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
                ...tokens.map((t) => [
                  t.tokenId,
                  t.name,
                  t.status,
                  t.createdAt,
                  t.expiresAt ?? 'never',
                  t.lastUsedAt ?? 'never',
                ]),
              ]),
      };
    },
  },
  {
    group: 'token',
    action: 'revoke',
    summary: `revoke a SCIM token: refused everywhere within ${SCIM_TOKEN_REVOCATION_BOUND_SECONDS} seconds`,
    usage: 'token revoke --tenant <tenantId> --token <tokenId> [--json]',
    details: [
      `Name the token by its id (token list). It stops working within ${SCIM_TOKEN_REVOCATION_BOUND_SECONDS} seconds, the bound a revoked`,
      'grant has. Revoking a revoked token is a no-op. With --json: {"tokenId", "status": "revoked", "revokedAt"}.',
    ],
    options: { tenant: { type: 'string' }, token: { type: 'string' } },
    run: async (context) => {
      const tenantId = required(context, 'tenant');
      const tokenId = required(context, 'token');
      if (tokenId.startsWith(SCIM_TOKEN_PREFIX)) {
        throw new CliError('--token takes the token id from token list, not the token itself', 2);
      }
      const store = await tokenStoreOfTenant(context, tenantId);
      const revoked = await revokeScimToken(store, tenantId, tokenId, new Date());
      if (!revoked) {
        throw new CliError(
          `Tenant ${tenantId} has no SCIM token ${tokenId} (list them with: token list)`,
          1,
          'unknown-scim-token',
        );
      }
      return {
        json: { tokenId, status: 'revoked', revokedAt: revoked.revokedAt },
        text: `SCIM token ${tokenId} revoked; it is refused within ${SCIM_TOKEN_REVOCATION_BOUND_SECONDS} seconds.`,
      };
    },
  },
];
