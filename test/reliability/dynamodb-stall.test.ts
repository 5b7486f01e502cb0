import '../../local/sdk-warnings';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTION_TIMEOUT_SECONDS } from '../../contract/time-budget';
import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { applyLocalEnvironment, prepareLocalTables } from '../../local/environment';
import { oktaCreateBody } from '../support/scim-fixtures';
import { baseUrlFor, freePort, type ServiceProcess, startServiceProcess } from '../support/service-process';
import { tenantPartition, userPartitionProblems } from '../support/storage-consistency';
import { scimTestToken, type TestToken } from '../support/tokens';

// DynamoDB stops answering without closing its connections (a stall, not an outage): its process is paused
// with SIGSTOP. This file runs its own DynamoDB Local, and the local server in a process of its own, so that
// the SDK's timeouts and network errors are the ones a Lambda sees.

let database: DynamoDbLocal;
let service: ServiceProcess;
let baseUrl: string;
let token: TestToken;

beforeAll(async () => {
  database = await startDynamoDbLocal();
  const port = await freePort();
  baseUrl = baseUrlFor(port);
  applyLocalEnvironment({
    dynamoDbEndpoint: database.endpoint,
    publicBaseUrl: baseUrl,
    tableNames: await prepareLocalTables(database.endpoint),
    stateDir: mkdtempSync(join(tmpdir(), 'scim-stall-state-')),
  });
  service = await startServiceProcess(port);
  token = await scimTestToken();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await database?.stop();
});

async function send(method: string, path: string, body?: unknown, as: TestToken = token) {
  const startedAt = Date.now();
  const response = await fetch(`${baseUrl}/scim/v2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${as.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    elapsedMs: Date.now() - startedAt,
  };
}

test('a stalled DynamoDB gets 503 with an integer Retry-After within the function’s time budget, then service resumes', async () => {
  const created = await send('POST', '/Users', oktaCreateBody('stall.reader@example.com'));
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  process.kill(database.pid, 'SIGSTOP');
  let answers: Awaited<ReturnType<typeof send>>[];
  try {
    answers = await Promise.all([
      send('GET', `/Users/${id}`),
      send('POST', '/Users', oktaCreateBody('stall.writer@example.com')),
      send('GET', '/Users?filter=userName%20eq%20%22stall.reader@example.com%22'),
    ]);
  } finally {
    process.kill(database.pid, 'SIGCONT');
  }
  for (const answer of answers) {
    expect({ status: answer.status, retryAfter: answer.retryAfter, body: answer.body }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^[1-9][0-9]*$/),
      body: expect.objectContaining({ schemas: [SCIM_ERROR_SCHEMA], status: '503' }),
    });
    expect(answer.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_SECONDS * 1000);
  }

  const afterwards = await send('GET', `/Users/${id}`);
  expect(afterwards.status).toBe(200);
}, 90_000);

type Answer = Awaited<ReturnType<typeof send>>;

/** What a tenant's users must be, from the answers the service acknowledged (2xx) and no others. */
interface Expected {
  userName: string;
  /** The displayName of the last acknowledged write; a write answered 503 may or may not have happened. */
  displayName: string;
  possibleDisplayNames: Set<string>;
  active: boolean | undefined;
  deleted: boolean | 'maybe';
}

const STALL_MS = 15_000;
const WRITERS_PER_TENANT = 3;

/**
 * Okta-like writers on two tenants through a DynamoDB stall longer than every timeout: each creates users
 * (and retries a name in other letter case, which must be refused), reads them, replaces them, deactivates
 * them with PATCH and deletes some. Then every acknowledged write is checked against storage.
 */
describe('soak: two tenants of Okta-like writers through a 15 s stall', () => {
  test('only successes and 503s with Retry-After, each in time; nothing lost, duplicated, stale, crossed or half-written', async () => {
    const tenants = [await scimTestToken(), await scimTestToken()];
    const answers: { answer: Answer; startedAt: number; answeredAt: number }[] = [];
    const stall = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
    /** Whether an answer was waited for while the database was paused. */
    const overlapsStall = (a: (typeof answers)[number]) => a.startedAt < stall.to && a.answeredAt > stall.from;
    const expected = new Map<string, Map<string, Expected>>(tenants.map((t) => [t.tenantId, new Map()]));
    /** Creates answered 503: the user may or may not exist, but if it does it must be whole. */
    const uncertainCreates = new Map<string, string[]>(tenants.map((t) => [t.tenantId, []]));
    let stop = false;
    const successesAfterStall = new Map<string, number>();

    const call = async (as: TestToken, method: string, path: string, body?: unknown) => {
      const startedAt = Date.now();
      const answer = await send(method, path, body, as);
      answers.push({ answer, startedAt, answeredAt: Date.now() });
      return answer;
    };

    async function writer(as: TestToken, writerId: string) {
      const users = expected.get(as.tenantId) as Map<string, Expected>;
      for (let round = 0; !stop; round += 1) {
        const userName = `${writerId}.r${round}@${as.tenantId}.example.com`;
        const createBody = { ...oktaCreateBody(userName), externalId: `ext-${writerId}-${round}` };
        const created = await call(as, 'POST', '/Users', createBody);
        if (created.status !== 201) {
          if (created.status === 503) uncertainCreates.get(as.tenantId)?.push(userName);
          continue;
        }
        const id = created.body.id as string;
        const user: Expected = {
          userName,
          displayName: 'Jane Doe',
          possibleDisplayNames: new Set(['Jane Doe']),
          active: true,
          deleted: false,
        };
        users.set(id, user);
        const duplicate = await call(as, 'POST', '/Users', { ...createBody, userName: userName.toUpperCase() });
        if (duplicate.status !== 503) expect(duplicate.status).toBe(409);

        const read = await call(as, 'GET', `/Users/${id}`);
        if (read.status !== 503) expect(read.body.displayName).toBe(user.displayName);

        const displayName = `Jane Doe ${round}`;
        const replaced = await call(as, 'PUT', `/Users/${id}`, { ...createBody, displayName });
        user.possibleDisplayNames.add(displayName);
        if (replaced.status !== 200) continue;
        user.displayName = displayName;
        user.possibleDisplayNames = new Set([displayName]);

        const deactivated = await call(as, 'PATCH', `/Users/${id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { active: false } }],
        });
        if (deactivated.status !== 200) {
          user.active = undefined;
          continue;
        }
        user.active = false;
        if (Date.now() > stall.to) {
          successesAfterStall.set(writerId, (successesAfterStall.get(writerId) ?? 0) + 1);
        }

        if (round % 3 === 2) {
          const deleted = await call(as, 'DELETE', `/Users/${id}`);
          user.deleted = deleted.status === 204 ? true : 'maybe';
        }
      }
    }

    const writerIds = tenants.flatMap((t, i) =>
      Array.from({ length: WRITERS_PER_TENANT }, (_, w) => ({ token: t, id: `t${i}w${w}` })),
    );
    const running = Promise.all(writerIds.map((w) => writer(w.token, w.id)));

    // Warm up, pause the database longer than every timeout, resume; then run until every writer has
    // completed a whole create-replace-deactivate cycle after the stall.
    await waitFor(() => answers.length >= writerIds.length * 10);
    process.kill(database.pid, 'SIGSTOP');
    stall.from = Date.now();
    try {
      await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    } finally {
      process.kill(database.pid, 'SIGCONT');
      stall.to = Date.now();
    }
    await waitFor(() => writerIds.every((w) => (successesAfterStall.get(w.id) ?? 0) >= 1));
    stop = true;
    await running;

    for (const { answer } of answers) {
      if (answer.status === 503) {
        expect(answer.retryAfter).toMatch(/^[1-9][0-9]*$/);
        expect(answer.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '503' });
      } else {
        expect([200, 201, 204, 409]).toContain(answer.status);
      }
      expect(answer.elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_SECONDS * 1000);
    }
    const statusesDuringStall = countBy(answers.filter(overlapsStall).map((a) => a.answer.status));
    expect(statusesDuringStall[503]).toBeGreaterThan(0);

    for (const tenant of tenants) {
      const problems = userPartitionProblems(await tenantPartition(tenant.tenantId));
      expect({ tenant: tenant.tenantId, problems }).toEqual({ tenant: tenant.tenantId, problems: [] });
      const listed = await listAll(tenant);
      const byId = new Map(listed.map((user) => [user.id as string, user]));
      expect(byId.size).toBe(listed.length);
      const names = listed.map((user) => String(user.userName).toLowerCase());
      expect(new Set(names).size).toBe(names.length);
      expect(names.filter((name) => !name.endsWith(`@${tenant.tenantId}.example.com`))).toEqual([]);

      for (const [id, user] of expected.get(tenant.tenantId) ?? []) {
        const stored = byId.get(id);
        if (user.deleted === true) expect({ id, stored }).toEqual({ id, stored: undefined });
        if (user.deleted !== false && stored === undefined) continue;
        expect({ id, present: stored !== undefined }).toEqual({ id, present: true });
        expect(stored?.userName).toBe(user.userName);
        expect([...user.possibleDisplayNames]).toContain(stored?.displayName);
        if (user.active !== undefined) expect({ id, active: stored?.active }).toEqual({ id, active: user.active });
      }
      for (const userName of uncertainCreates.get(tenant.tenantId) ?? []) {
        const found = await send(
          'GET',
          `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
          undefined,
          tenant,
        );
        expect(found.status).toBe(200);
        expect([0, 1]).toContain(found.body.totalResults);
      }
    }

    // The run's figures, for docs/performance.md (plain text on stderr reaches the test report).
    process.stderr.write(
      `soak figures: ${JSON.stringify({
        soak: {
          requests: answers.length,
          statusesDuringStall,
          statuses: countBy(answers.map((a) => a.answer.status)),
          slowestMs: Math.max(...answers.map((a) => a.answer.elapsedMs)),
          acknowledgedUsers: [...expected.values()].reduce((sum, users) => sum + users.size, 0),
          uncertainCreates: [...uncertainCreates.values()].reduce((sum, names) => sum + names.length, 0),
        },
      })}\n`,
    );
  }, 180_000);
});

async function listAll(as: TestToken): Promise<Record<string, unknown>[]> {
  const users: Record<string, unknown>[] = [];
  for (let startIndex = 1; ; ) {
    const page = await send('GET', `/Users?startIndex=${startIndex}&count=200`, undefined, as);
    expect(page.status).toBe(200);
    const resources = (page.body.Resources ?? []) as Record<string, unknown>[];
    users.push(...resources);
    if (resources.length === 0 || users.length >= (page.body.totalResults as number)) return users;
    startIndex += resources.length;
  }
}

function countBy(values: readonly number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Polls a condition the running writers will make true (no fixed sleep stands in for it). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}
