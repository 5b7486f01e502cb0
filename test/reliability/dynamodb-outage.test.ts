import '../../local/sdk-warnings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../../local/environment';
import { basicAuthorization, issueTestCode, type OAuthFixture, oauthFixture } from '../support/oauth';
import { oktaCreateBody } from '../support/scim-fixtures';
import { rememberSecret } from '../support/secrets';
import { baseUrlFor, freePort, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { scanTable, tenantPartition, userPartitionProblems } from '../support/storage-consistency';
import { scimTestToken, type TestToken } from '../support/tokens';

// DynamoDB stops in the middle of a run of writes. This file runs its own DynamoDB Local with its data on disk
// (not the suite's in-memory one), so that it can be stopped and restarted on the same port and data, and
// the local server in a process of its own, so that the SDK's network errors are the ones a Lambda sees.

let dataDir: string;
let database: DynamoDbLocal;
let service: ServiceProcess;
let baseUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'scim-outage-db-'));
  database = await startDynamoDbLocal({ dataDir });
  const port = await freePort();
  baseUrl = baseUrlFor(port);
  applyLocalEnvironment({
    dynamoDbEndpoint: database.endpoint,
    publicBaseUrl: baseUrl,
    tableNames: await prepareLocalTables(database.endpoint),
    stateDir: mkdtempSync(join(tmpdir(), 'scim-outage-state-')),
  });
  service = await startServiceProcess(port);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await database?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  readonly kind: 'scim' | 'oauth';
  readonly startedAt: number;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

async function send(kind: Outcome['kind'], path: string, init: RequestInit): Promise<Outcome> {
  const startedAt = Date.now();
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  return {
    kind,
    startedAt,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

const scimInit = (token: TestToken, method: string, body?: unknown): RequestInit => ({
  method,
  headers: {
    Authorization: `Bearer ${token.token}`,
    Accept: 'application/scim+json',
    ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

const tokenInit = (fixture: OAuthFixture, params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: {
    Authorization: basicAuthorization(fixture.clientId, fixture.clientSecret),
    'Content-Type': 'application/x-www-form-urlencoded',
  },
  body: new URLSearchParams(params).toString(),
});

test('DynamoDB stopped mid-run: every request answers 503 with the protocol’s error and Retry-After; after a restart nothing is half-written', async () => {
  const scimToken = await scimTestToken();
  const fixture = await oauthFixture();
  const codes = await Promise.all(Array.from({ length: 80 }, () => issueTestCode(fixture)));
  const outcomes: Outcome[] = [];
  const created = new Map<string, string>();
  const issued: { accessToken: string; refreshToken: string }[] = [];
  let stoppedAt = Number.POSITIVE_INFINITY;
  let afterStop = 0;
  const keepGoing = () => afterStop < 24;
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    if (outcome.startedAt > stoppedAt) afterStop += 1;
    return outcome;
  };

  // Okta provisioning (create, then deactivate) on four connections, token redemptions and refreshes on two.
  let nextUser = 0;
  const scimWorker = async () => {
    while (keepGoing()) {
      nextUser += 1;
      const userName = `outage${nextUser}@example.com`;
      const createdUser = record(
        await send('scim', '/scim/v2/Users', scimInit(scimToken, 'POST', oktaCreateBody(userName))),
      );
      if (createdUser.status !== 201) continue;
      created.set(String(createdUser.body.id), userName);
      record(
        await send(
          'scim',
          `/scim/v2/Users/${String(createdUser.body.id)}`,
          scimInit(scimToken, 'PATCH', {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'replace', value: { active: false } }],
          }),
        ),
      );
    }
  };
  let nextCode = 0;
  const oauthWorker = async () => {
    while (keepGoing() && nextCode < codes.length) {
      const code = codes[nextCode] as string;
      nextCode += 1;
      const redeemed = record(
        await send(
          'oauth',
          '/oauth/token',
          tokenInit(fixture, { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri }),
        ),
      );
      if (redeemed.status !== 200) continue;
      rememberSecret(String(redeemed.body.access_token));
      rememberSecret(String(redeemed.body.refresh_token));
      const refreshed = record(
        await send(
          'oauth',
          '/oauth/token',
          tokenInit(fixture, { grant_type: 'refresh_token', refresh_token: String(redeemed.body.refresh_token) }),
        ),
      );
      if (refreshed.status === 200) {
        rememberSecret(String(refreshed.body.access_token));
        rememberSecret(String(refreshed.body.refresh_token));
        issued.push({
          accessToken: String(refreshed.body.access_token),
          refreshToken: String(refreshed.body.refresh_token),
        });
      }
    }
  };
  const stopper = async () => {
    while (created.size < 12 || issued.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    await database.stop();
    stoppedAt = Date.now();
  };
  await Promise.all([scimWorker(), scimWorker(), scimWorker(), scimWorker(), oauthWorker(), oauthWorker(), stopper()]);

  // Before the outage everything worked; from the moment DynamoDB was down, every answer is a 503 in the
  // protocol's error shape with an integer Retry-After; at no time a 500 or another error.
  for (const outcome of outcomes) expect([200, 201, 503]).toContain(outcome.status);
  const duringOutage = outcomes.filter((outcome) => outcome.startedAt > stoppedAt);
  expect(duringOutage.length).toBeGreaterThanOrEqual(24);
  for (const outcome of outcomes.filter((candidate) => candidate.status === 503)) {
    expect(outcome.retryAfter).toMatch(/^\d+$/);
    if (outcome.kind === 'scim') {
      expect(outcome.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '503' });
    } else {
      expect(outcome.body).toMatchObject({ error: 'temporarily_unavailable' });
    }
  }
  for (const outcome of duringOutage) expect(outcome.status).toBe(503);
  expect(duringOutage.some((outcome) => outcome.kind === 'scim')).toBe(true);
  expect(duringOutage.some((outcome) => outcome.kind === 'oauth')).toBe(true);

  // Restarted on the same port and data: every acknowledged write is there, and nothing is half-written.
  database = await startDynamoDbLocal({ dataDir, port: database.port });
  const partition = await tenantPartition(scimToken.tenantId);
  expect(userPartitionProblems(partition)).toEqual([]);
  const storedIds = new Set(
    partition.filter((item) => String(item.sk).startsWith('USER#')).map((item) => String(item.id)),
  );
  for (const id of created.keys()) expect(storedIds.has(id)).toBe(true);

  const grantsTable = await scanTable('grants');
  const byPrefix = (prefix: string) => grantsTable.filter((item) => String(item.pk).startsWith(prefix));
  const grants = new Map(byPrefix('GRANT#').map((item) => [String(item.grantId), item]));
  const refreshTokens = new Map(byPrefix('REFRESH#').map((item) => [String(item.tokenHash), item]));
  const ourCodes = byPrefix('CODE#').filter((item) => item.clientId === fixture.clientId);
  expect(ourCodes).toHaveLength(codes.length);
  for (const code of ourCodes) {
    const grantId = String(code.grantId);
    const grantRefreshTokens = [...refreshTokens.values()].filter((token) => token.grantId === grantId);
    if (code.consumedAt === undefined) {
      // Not redeemed: no grant and no refresh token came out of it.
      expect(grants.has(grantId)).toBe(false);
      expect(grantRefreshTokens).toEqual([]);
    } else {
      // Redeemed: its grant and at least its first refresh token exist, whatever the client was told.
      expect(grants.get(grantId)).toMatchObject({ status: 'active', clientId: fixture.clientId });
      expect(grantRefreshTokens.length).toBeGreaterThanOrEqual(1);
    }
  }
  for (const token of refreshTokens.values()) {
    expect(grants.has(String(token.grantId))).toBe(true);
    if (token.status === 'rotated') expect(refreshTokens.has(String(token.successorHash))).toBe(true);
  }
  for (const { accessToken, refreshToken } of issued) {
    expect(refreshTokens.get(opaqueTokenHash(refreshToken))).toMatchObject({
      status: 'active',
      grantId: decodeJwt(accessToken).grant_id,
    });
  }

  // And the service works again.
  const after = await send(
    'scim',
    '/scim/v2/Users',
    scimInit(scimToken, 'POST', oktaCreateBody('after.outage@example.com')),
  );
  expect(after.status).toBe(201);
}, 90_000);
