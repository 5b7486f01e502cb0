import { randomUUID } from 'node:crypto';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { GrantLedger } from '../../adapters/dynamodb/grant-ledger';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { memoryGrantStores } from '../../adapters/memory/grant-stores';
import type { AuthorizationCodeReader, AuthorizationCodeWriter } from '../../core/oauth/authorization-code';
import type { GrantRecord, GrantStorePort, TokenLedger } from '../../core/oauth/grants';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import type { RefreshTokenRecord } from '../../core/oauth/refresh-tokens';
import { describeContract } from '../support/contract';

/** The ports the token endpoint works on, all on one grants table: codes, grants and the ledger's atomic steps. */
interface GrantsTable {
  readonly codes: AuthorizationCodeWriter & AuthorizationCodeReader;
  readonly grants: GrantStorePort;
  readonly ledger: TokenLedger;
}

const NOW = 1_900_000_000;
const GRANT_END = NOW + 365 * 24 * 3600;

const hash = () => opaqueTokenHash(newOpaqueToken());

/** A saved, unconsumed code valid for 60 s from NOW, and the grant and first refresh token redeeming it creates. */
async function issuedCode(table: GrantsTable) {
  const grantId = randomUUID();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const subject = randomUUID();
  const codeHash = hash();
  await table.codes.save({
    codeHash,
    grantId,
    tenantId,
    clientId,
    redirectUri: 'https://system-admin.okta.com/admin/app/cpc/acme_scimapp_1/oauth/callback',
    subject,
    scope: 'scim offline_access',
    authTime: NOW - 30,
    issuedAt: NOW,
    validUntil: NOW + 60,
  });
  const grant: GrantRecord = {
    grantId,
    tenantId,
    clientId,
    subject,
    scope: 'scim offline_access',
    status: 'active',
    createdAt: new Date(NOW * 1000).toISOString(),
    expiresAt: GRANT_END,
    authTime: NOW - 30,
  };
  return { codeHash, grant, refresh: refreshToken(grant, NOW) };
}

function refreshToken(grant: GrantRecord, issuedAt: number): RefreshTokenRecord {
  return {
    tokenHash: hash(),
    grantId: grant.grantId,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    subject: grant.subject,
    scope: grant.scope,
    issuedAt,
    validUntil: issuedAt + 90 * 24 * 3600,
    status: 'active',
  };
}

/** A grant created by redeeming a code at NOW, with its first refresh token. */
async function redeemedGrant(table: GrantsTable) {
  const issued = await issuedCode(table);
  await expect(table.ledger.redeemCode(issued.codeHash, NOW, issued.grant, issued.refresh)).resolves.toBe(true);
  return issued;
}

describeContract<GrantsTable>(
  'grant ledger and grant store',
  {
    memory: () => memoryGrantStores(),
    dynamodb: ({ db, tableName }) => ({
      codes: new AuthorizationCodeStore(db, tableName('grants')),
      grants: new GrantStore(db, tableName('grants')),
      ledger: new GrantLedger(db, tableName('grants')),
    }),
  },
  (subject) => {
    describe('redeeming a code', () => {
      test('consumes the code and creates the grant and its first refresh token, all as given', async () => {
        const { codeHash, grant, refresh } = await redeemedGrant(subject());
        await expect(subject().codes.get(codeHash)).resolves.toMatchObject({ consumedAt: NOW });
        await expect(subject().grants.get(grant.grantId)).resolves.toEqual(grant);
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toEqual(refresh);
      });

      test('a consumed code is not redeemed again, and the second attempt writes nothing', async () => {
        const first = await redeemedGrant(subject());
        const again = { ...first.grant, grantId: randomUUID() };
        const againRefresh = refreshToken(again, NOW + 1);
        await expect(subject().ledger.redeemCode(first.codeHash, NOW + 1, again, againRefresh)).resolves.toBe(false);
        await expect(subject().codes.get(first.codeHash)).resolves.toMatchObject({ consumedAt: NOW });
        await expect(subject().grants.get(again.grantId)).resolves.toBeUndefined();
        await expect(subject().ledger.getRefreshToken(againRefresh.tokenHash)).resolves.toBeUndefined();
      });

      test('a code is refused from its validUntil on and stays unconsumed', async () => {
        const { codeHash, grant, refresh } = await issuedCode(subject());
        await expect(subject().ledger.redeemCode(codeHash, NOW + 60, grant, refresh)).resolves.toBe(false);
        const code = await subject().codes.get(codeHash);
        expect(code).toBeDefined();
        expect(code?.consumedAt).toBeUndefined();
        await expect(subject().grants.get(grant.grantId)).resolves.toBeUndefined();
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toBeUndefined();
        await expect(subject().ledger.redeemCode(codeHash, NOW + 59, grant, refresh)).resolves.toBe(true);
      });

      test('an unknown code is not redeemed', async () => {
        const { grant, refresh } = await issuedCode(subject());
        await expect(subject().ledger.redeemCode(hash(), NOW, grant, refresh)).resolves.toBe(false);
        await expect(subject().grants.get(grant.grantId)).resolves.toBeUndefined();
      });

      test('a grant id that exists already leaves the code unconsumed', async () => {
        const existing = await redeemedGrant(subject());
        const other = await issuedCode(subject());
        const clash = { ...other.grant, grantId: existing.grant.grantId };
        await expect(subject().ledger.redeemCode(other.codeHash, NOW, clash, refreshToken(clash, NOW))).resolves.toBe(
          false,
        );
        expect((await subject().codes.get(other.codeHash))?.consumedAt).toBeUndefined();
        await expect(subject().grants.get(existing.grant.grantId)).resolves.toEqual(existing.grant);
      });

      test('of parallel redemptions of one code exactly one succeeds', async () => {
        const { codeHash, grant } = await issuedCode(subject());
        const attempts = Array.from({ length: 4 }, () => ({ ...grant, grantId: randomUUID() }));
        const outcomes = await Promise.all(
          attempts.map((attempt) => subject().ledger.redeemCode(codeHash, NOW, attempt, refreshToken(attempt, NOW))),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const created = await Promise.all(attempts.map((attempt) => subject().grants.get(attempt.grantId)));
        expect(created.filter((found) => found !== undefined)).toHaveLength(1);
      });
    });

    describe('rotating a refresh token', () => {
      test('marks the token rotated towards its successor, stores the successor and records the grant as used', async () => {
        const { grant, refresh } = await redeemedGrant(subject());
        const successor = refreshToken(grant, NOW + 10);
        await expect(
          subject().ledger.rotateRefreshToken(refresh, NOW + 10, successor, 'sealed', GRANT_END),
        ).resolves.toBe(true);
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toEqual({
          ...refresh,
          status: 'rotated',
          rotatedAt: NOW + 10,
          successorHash: successor.tokenHash,
          sealedSuccessor: 'sealed',
        });
        await expect(subject().ledger.getRefreshToken(successor.tokenHash)).resolves.toEqual(successor);
        await expect(subject().grants.get(grant.grantId)).resolves.toEqual({ ...grant, lastUsedAt: NOW + 10 });
      });

      test('a rotated token is not rotated again, and the second successor is not stored', async () => {
        const { grant, refresh } = await redeemedGrant(subject());
        const first = refreshToken(grant, NOW + 10);
        await subject().ledger.rotateRefreshToken(refresh, NOW + 10, first, 'sealed', GRANT_END);
        const second = refreshToken(grant, NOW + 11);
        await expect(subject().ledger.rotateRefreshToken(refresh, NOW + 11, second, 'other', GRANT_END)).resolves.toBe(
          false,
        );
        await expect(subject().ledger.getRefreshToken(second.tokenHash)).resolves.toBeUndefined();
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toMatchObject({
          successorHash: first.tokenHash,
          sealedSuccessor: 'sealed',
        });
      });

      test('a token is refused from its validUntil on and stays active', async () => {
        const { grant, refresh } = await redeemedGrant(subject());
        const successor = refreshToken(grant, refresh.validUntil);
        await expect(
          subject().ledger.rotateRefreshToken(refresh, refresh.validUntil, successor, 'sealed', GRANT_END),
        ).resolves.toBe(false);
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toEqual(refresh);
        await expect(subject().ledger.getRefreshToken(successor.tokenHash)).resolves.toBeUndefined();
      });

      test('a token of a revoked grant is not rotated', async () => {
        const { grant, refresh } = await redeemedGrant(subject());
        await expect(subject().grants.revokeIfExists(grant.grantId, new Date().toISOString(), 'admin')).resolves.toBe(
          true,
        );
        const successor = refreshToken(grant, NOW + 10);
        await expect(
          subject().ledger.rotateRefreshToken(refresh, NOW + 10, successor, 'sealed', GRANT_END),
        ).resolves.toBe(false);
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toEqual(refresh);
        await expect(subject().ledger.getRefreshToken(successor.tokenHash)).resolves.toBeUndefined();
      });

      test('of parallel rotations of one token exactly one succeeds (reuse is then detectable)', async () => {
        const { grant, refresh } = await redeemedGrant(subject());
        const successors = Array.from({ length: 4 }, (_, index) => refreshToken(grant, NOW + 10 + index));
        const outcomes = await Promise.all(
          successors.map((successor) =>
            subject().ledger.rotateRefreshToken(refresh, NOW + 20, successor, 'sealed', GRANT_END),
          ),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const winner = successors[outcomes.indexOf(true)];
        await expect(subject().ledger.getRefreshToken(refresh.tokenHash)).resolves.toMatchObject({
          status: 'rotated',
          successorHash: winner?.tokenHash,
        });
        const stored = await Promise.all(
          successors.map((successor) => subject().ledger.getRefreshToken(successor.tokenHash)),
        );
        expect(stored.filter((found) => found !== undefined)).toHaveLength(1);
      });
    });

    describe('revoking a grant', () => {
      test('an unknown grant is reported as absent', async () => {
        await expect(subject().grants.revokeIfExists(randomUUID(), new Date().toISOString(), 'admin')).resolves.toBe(
          false,
        );
      });

      test('a grant keeps its first revocation time and reason', async () => {
        const { grant } = await redeemedGrant(subject());
        await expect(
          subject().grants.revokeIfExists(grant.grantId, '2030-01-01T00:00:00.000Z', 'code-replay'),
        ).resolves.toBe(true);
        await expect(subject().grants.revokeIfExists(grant.grantId, '2030-01-02T00:00:00.000Z', 'admin')).resolves.toBe(
          true,
        );
        await expect(subject().grants.get(grant.grantId)).resolves.toEqual({
          ...grant,
          status: 'revoked',
          revokedAt: '2030-01-01T00:00:00.000Z',
          revokedReason: 'code-replay',
        });
      });
    });
  },
);
