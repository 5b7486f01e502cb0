import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CORE_USER_SCHEMA } from '../../core/scim/user-schema';
import { documentClient, tableName } from '../../functions/_shared/services';
import { admin, onlyJson } from '../support/admin-cli';
import { type RunningService, startService, testDynamoDbEndpoint } from '../support/local-service';
import { basicAuthorization, issueTestCode, type OAuthFixture, oauthFixture } from '../support/oauth';
import { type ScimClient, scimClient } from '../support/scim-client';
import { rememberSecret } from '../support/secrets';
import { scimTestToken } from '../support/tokens';

/**
 * The tenant's activity log as its admin reads it (`activity list`, the real CLI): Okta's SCIM and token
 * requests through the real HTTP server, written off the request path by the same ingest code the deployed
 * ingest function runs, each in its own tenant's log only, with the error Okta received and no secret.
 */
let service: RunningService;
// The CLI is a TypeScript child process per call; on a loaded machine several of them outlast the default.
jest.setTimeout(180_000);
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

interface Entry {
  id: string;
  tenantId: string;
  at: string;
  operation: string;
  httpStatus: number;
  status: 'success' | 'failure';
  clientId?: string;
  userId?: string;
  userName?: string;
  error?: { status: number; type?: string; detail?: string };
}

async function activity(tenantId: string, ...options: string[]): Promise<{ entries: Entry[]; next?: string }> {
  await service.activityIngested();
  const result = await admin(['activity', 'list', '--tenant', tenantId, ...options, '--json']);
  expect({ code: result.code, stderr: result.stderr }).toEqual({
    code: 0,
    stderr: `admin: using DynamoDB Local at ${testDynamoDbEndpoint()}\n`,
  });
  return onlyJson(result) as { entries: Entry[]; next?: string };
}

const post = async (path: string, params: Record<string, string>, authorization: string) => {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: authorization },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

/** Okta's connection: a token from the token endpoint for the fixture's client, as Okta redeems its code. */
async function connectOkta(fixture: OAuthFixture): Promise<{ okta: ScimClient; secrets: string[] }> {
  const code = await issueTestCode(fixture);
  const issued = await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, redirect_uri: fixture.redirectUri },
    basicAuthorization(fixture.clientId, fixture.clientSecret),
  );
  expect(issued.status).toBe(200);
  const accessToken = issued.body.access_token as string;
  const refreshToken = issued.body.refresh_token as string;
  rememberSecret(accessToken);
  rememberSecret(refreshToken);
  return {
    okta: scimClient(service, accessToken),
    secrets: [code, accessToken, refreshToken, fixture.clientSecret, fixture.adminPassword],
  };
}

const oktaUser = (userName: string) => ({
  schemas: [CORE_USER_SCHEMA],
  userName,
  name: { givenName: 'Pat', familyName: 'Doe' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  password: 'Okta-Sent-This-Password-1!',
  active: true,
});

/** Every stored item of the tenant's log, as DynamoDB holds it. */
async function storedItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('activity'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}` },
    }),
  );
  return result.Items ?? [];
}

describe('the tenant activity log', () => {
  test("a failed Okta request is in its tenant's log with the error Okta got, in no other tenant's, with no secret", async () => {
    const acme = await oauthFixture({ tenantName: 'Acme' });
    const globex = await oauthFixture({ tenantName: 'Globex' });
    const { okta, secrets } = await connectOkta(acme);
    const globexOkta = scimClient(service, (await scimTestToken(globex.tenantId)).token);

    const created = await okta.post('/Users', oktaUser('pat.doe@acme.example'));
    expect(created.status).toBe(201);
    const userId = (created.body as { id: string }).id;
    const taken = await okta.post('/Users', oktaUser('Pat.Doe@acme.example'));
    expect(taken.status).toBe(409);
    const missing = await okta.get('/Users/no-such-user');
    expect(missing.status).toBe(404);
    expect((await okta.get(`/Users/${userId}`)).status).toBe(200);
    expect((await globexOkta.post('/Users', oktaUser('pat.doe@acme.example'))).status).toBe(201);

    const { entries } = await activity(acme.tenantId);
    expect(entries.map((entry) => [entry.operation, entry.httpStatus, entry.status])).toEqual([
      ['ScimUserGet', 200, 'success'],
      ['ScimUserGet', 404, 'failure'],
      ['ScimUsersCreate', 409, 'failure'],
      ['ScimUsersCreate', 201, 'success'],
      ['OAuthToken', 200, 'success'],
    ]);
    const conflict = entries[2] as Entry;
    expect(conflict).toEqual({
      id: expect.any(String),
      tenantId: acme.tenantId,
      at: expect.any(String),
      operation: 'ScimUsersCreate',
      httpStatus: 409,
      status: 'failure',
      clientId: acme.clientId,
      userName: 'Pat.Doe@acme.example',
      error: { status: 409, type: 'uniqueness', detail: (taken.body as { detail: string }).detail },
    });
    expect(entries[3]).toMatchObject({ clientId: acme.clientId, userId, userName: 'pat.doe@acme.example' });
    expect(entries[1]).toMatchObject({ userId: 'no-such-user', error: { status: 404 } });
    expect(entries.map((entry) => entry.at)).toEqual([...entries.map((entry) => entry.at)].sort().reverse());

    const failures = await activity(acme.tenantId, '--status', 'failure');
    expect(failures.entries.map((entry) => entry.httpStatus)).toEqual([404, 409]);
    const successes = await activity(acme.tenantId, '--status', 'success');
    expect(successes.entries.map((entry) => entry.httpStatus)).toEqual([200, 201, 200]);
    // By userName in any letter case (the 409's and the create's) and by id (the create's and the read's).
    const byName = await activity(acme.tenantId, '--user', 'PAT.DOE@ACME.EXAMPLE');
    expect(byName.entries.map((entry) => entry.httpStatus)).toEqual([200, 409, 201]);
    const byNameFailures = await activity(acme.tenantId, '--user', 'pat.doe@acme.example', '--status', 'failure');
    expect(byNameFailures.entries.map((entry) => entry.httpStatus)).toEqual([409]);
    const byId = await activity(acme.tenantId, '--user', userId);
    expect(byId.entries.map((entry) => entry.httpStatus)).toEqual([200, 201]);

    expect(new Set(entries.map((entry) => entry.tenantId))).toEqual(new Set([acme.tenantId]));
    const other = await activity(globex.tenantId);
    expect(other.entries.map((entry) => [entry.operation, entry.httpStatus])).toEqual([['ScimUsersCreate', 201]]);
    expect(other.entries.map((entry) => entry.id)).not.toContain(conflict.id);

    const stored = JSON.stringify([...(await storedItems(acme.tenantId)), ...(await storedItems(globex.tenantId))]);
    for (const secret of [...secrets, 'Okta-Sent-This-Password-1!']) expect(stored).not.toContain(secret);
    expect(stored).not.toMatch(/authorization|bearer|password/i);
  });

  test("a refused token request is in the client's tenant's log with the OAuth error, without the secret", async () => {
    const acme = await oauthFixture({ tenantName: 'Acme' });
    const wrongSecret = `${acme.clientSecret}-wrong`;
    rememberSecret(wrongSecret);
    const wrong = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: 'r'.repeat(43) },
      basicAuthorization(acme.clientId, wrongSecret),
    );
    expect(wrong.status).toBe(401);
    const unknownGrant = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: 'r'.repeat(43) },
      basicAuthorization(acme.clientId, acme.clientSecret),
    );
    expect(unknownGrant.status).toBe(400);
    // A client id that belongs to no tenant belongs to nobody's log.
    expect(
      (
        await post(
          '/oauth/token',
          { grant_type: 'refresh_token', refresh_token: 'x' },
          basicAuthorization('nobody', 'x'),
        )
      ).status,
    ).toBe(401);

    const { entries } = await activity(acme.tenantId);
    expect(entries).toEqual([
      expect.objectContaining({
        operation: 'OAuthToken',
        httpStatus: 400,
        status: 'failure',
        clientId: acme.clientId,
        error: { status: 400, type: 'invalid_grant', detail: unknownGrant.body.error_description },
      }),
      expect.objectContaining({
        operation: 'OAuthToken',
        httpStatus: 401,
        clientId: acme.clientId,
        error: { status: 401, type: 'invalid_client', detail: wrong.body.error_description },
      }),
    ]);
    const stored = JSON.stringify(await storedItems(acme.tenantId));
    for (const secret of [acme.clientSecret, wrongSecret, 'r'.repeat(43)]) expect(stored).not.toContain(secret);
  });

  test('pages newest first with a cursor, every entry once', async () => {
    const fixture = await oauthFixture({ tenantName: 'Initech' });
    const okta = scimClient(service, (await scimTestToken(fixture.tenantId)).token);
    const statuses: number[] = [];
    for (let n = 0; n < 7; n += 1) {
      const response = n % 3 === 2 ? await okta.get(`/Users/missing-${n}`) : await okta.get('/Users?count=1');
      statuses.push(response.status);
    }
    const seen: Entry[] = [];
    let cursor: string[] = [];
    for (let page = 0; page < 10; page += 1) {
      const { entries, next } = await activity(fixture.tenantId, '--limit', '3', ...cursor);
      expect(entries.length).toBeLessThanOrEqual(3);
      seen.push(...entries);
      if (!next) break;
      cursor = ['--cursor', next];
    }
    expect(seen.map((entry) => entry.httpStatus)).toEqual([...statuses].reverse());
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(7);

    const failures = await activity(fixture.tenantId, '--status', 'failure', '--limit', '1');
    expect(failures.entries).toHaveLength(1);
    const second = await activity(
      fixture.tenantId,
      '--status',
      'failure',
      '--limit',
      '1',
      '--cursor',
      failures.next ?? '',
    );
    expect(second.entries.map((entry) => entry.userId)).toEqual(['missing-2']);
    expect(failures.entries.map((entry) => entry.userId)).toEqual(['missing-5']);

    const bad = await admin(['activity', 'list', '--tenant', fixture.tenantId, '--cursor', 'not-a-cursor']);
    expect({ code: bad.code, error: bad.stderr.trim().split('\n').at(-1) }).toEqual({
      code: 2,
      error: 'admin: --cursor is not a cursor this list gave',
    });
    const unknown = await admin(['activity', 'list', '--tenant', 'no-such-tenant']);
    expect(unknown.code).toBe(1);
  });
});
