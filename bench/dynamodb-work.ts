import { GROUP_SCHEMA } from '../core/scim/group-schema';
import { clearGrantStatusCache } from '../functions/_shared/bearer-auth';
import { recordTableCalls, type TableCall } from '../test/support/dynamodb-calls';
import { type InvokeRequest, invokeExpecting } from '../test/support/invoke';
import { basicAuthorization, issueTestCode, oauthFixture } from '../test/support/oauth';
import { billedUnits } from './lib/capacity';
import type { BenchContext } from './lib/context';
import { type BenchSection, round } from './lib/report';
import {
  activeRequest,
  createRequest,
  getRequest,
  inParallel,
  lookupRequest,
  pageRequest,
  redeemRequest,
  refreshRequest,
  replaceRequest,
  scimHeaders,
  userNameFor,
  withFunctionLogsDiscarded,
} from './lib/workload';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** The size of Okta's largest single membership request (a PUT of the whole group, or a PATCH batch). */
const GROUP_MEMBERS = 1_000;

interface Work {
  readonly operation: string;
  readonly status: number;
  readonly calls: number;
  readonly commands: string;
  readonly itemsRead: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** What DynamoDB Local itself reported (it undercounts transactions and batch reads). */
  readonly localReportedUnits: number;
}

function summarise(operation: string, status: number, calls: readonly TableCall[]): Work {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.command, (counts.get(call.command) ?? 0) + 1);
  const billed = calls.map(billedUnits);
  return {
    operation,
    status,
    calls: calls.length,
    commands: [...counts].map(([command, n]) => `${n}× ${command.replace(/Command$/, '')}`).join(', '),
    itemsRead: calls.reduce((sum, call) => sum + call.itemsRead, 0),
    readUnits: round(
      billed.reduce((sum, units) => sum + units.read, 0),
      1,
    ),
    writeUnits: round(
      billed.reduce((sum, units) => sum + units.write, 0),
      1,
    ),
    localReportedUnits: round(
      calls.reduce((sum, call) => sum + (call.capacityUnits ?? 0), 0),
      1,
    ),
  };
}

/**
 * DynamoDB calls and consumed capacity per SCIM (Users and Groups) and OAuth operation: each operation runs once through its
 * handler while every call on the shared document client is recorded with `ReturnConsumedCapacity: TOTAL`.
 */
export async function dynamoDbWorkBench(context: BenchContext): Promise<BenchSection> {
  const recorder = recordTableCalls({ consumedCapacity: true });
  const run = `work${Date.now().toString(36)}`;
  const token = await context.bearerToken();
  const rows: Work[] = [];
  const measure = async (operation: string, status: number, request: InvokeRequest) => {
    recorder.reset();
    const result = await invokeExpecting(status, request);
    rows.push(summarise(operation, status, recorder.calls()));
    return result;
  };

  await withFunctionLogsDiscarded(async () => {
    // A tenant with a full first page, so that the list page reads what Okta's import reads.
    await inParallel(context.quick ? 5 : 150, 4, async (n) => {
      await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
    });
    const created = await measure('SCIM create (POST /Users)', 201, createRequest(token, userNameFor(run, -1)));
    const user = JSON.parse(created.body) as Record<string, unknown> & { id: string };
    await measure('SCIM get by id', 200, getRequest(token, user.id));
    clearGrantStatusCache();
    await measure('SCIM get by id (grant check not cached)', 200, getRequest(token, user.id));
    await measure('SCIM userName eq (found)', 200, lookupRequest(token, user.userName as string));
    await measure('SCIM userName eq (not found)', 200, lookupRequest(token, userNameFor(run, -2)));
    const replaced = await measure('SCIM PUT (one attribute changed)', 200, replaceRequest(token, user, 'Engineer'));
    await measure(
      'SCIM PUT (nothing changed)',
      200,
      replaceRequest(token, JSON.parse(replaced.body) as Record<string, unknown>, 'Engineer'),
    );
    await measure('SCIM PATCH deactivate', 200, activeRequest(token, user.id, false));
    await measure('SCIM list page 1 (count=100)', 200, pageRequest(token, 1));
    await measure('SCIM list page 2 (startIndex=101)', 200, pageRequest(token, 101));
    await measure('SCIM DELETE', 204, {
      method: 'DELETE',
      url: `/scim/v2/Users/${user.id}`,
      headers: scimHeaders(token),
    });

    // A group's operations: members are real users (the core drops unknown ones), so the group of the PUT
    // and the reads is built from users created first.
    const members = context.quick ? 5 : GROUP_MEMBERS;
    const memberIds: string[] = new Array(members);
    await inParallel(members, 4, async (n) => {
      const member = await invokeExpecting(201, createRequest(token, userNameFor(`${run}g`, n)));
      memberIds[n] = (JSON.parse(member.body) as { id: string }).id;
    });
    const groupWrite = (method: string, url: string, body: unknown): InvokeRequest => ({
      method,
      url,
      headers: scimHeaders(token, true),
      body: JSON.stringify(body),
    });
    const createGroup = async (displayName: string) => {
      const group = await invokeExpecting(
        201,
        groupWrite('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], displayName, members: [] }),
      );
      return `/scim/v2/Groups/${(JSON.parse(group.body) as { id: string }).id}`;
    };
    const patchMembers = (url: string, operation: Record<string, unknown>) =>
      groupWrite('PATCH', url, { schemas: [PATCH_OP], Operations: [operation] });
    const small = await createGroup(`${run} one member`);
    await measure(
      'SCIM group PATCH add one member',
      204,
      patchMembers(small, { op: 'add', path: 'members', value: [{ value: memberIds[0] }] }),
    );
    await measure(
      'SCIM group PATCH remove one member',
      204,
      patchMembers(small, { op: 'remove', path: `members[value eq "${memberIds[0]}"]` }),
    );
    const large = await createGroup(`${run} ${members} members`);
    await measure(
      `SCIM group PUT of ${members} members (all new)`,
      200,
      groupWrite('PUT', large, {
        schemas: [GROUP_SCHEMA],
        displayName: `${run} ${members} members`,
        members: memberIds.map((value) => ({ value })),
      }),
    );
    await measure(`SCIM group GET with ${members} members`, 200, {
      method: 'GET',
      url: large,
      headers: scimHeaders(token),
    });
    await measure('SCIM group GET excludedAttributes=members', 200, {
      method: 'GET',
      url: `${large}?excludedAttributes=members`,
      headers: scimHeaders(token),
    });

    const fixture = await oauthFixture();
    const authorization = basicAuthorization(fixture.clientId, fixture.clientSecret);
    const code = await issueTestCode(fixture);
    const redeemed = await measure(
      'OAuth code redemption',
      200,
      redeemRequest(authorization, code, fixture.redirectUri),
    );
    const tokens = JSON.parse(redeemed.body) as { refresh_token: string };
    await measure('OAuth refresh (rotation)', 200, refreshRequest(authorization, tokens.refresh_token));
  });

  return {
    name: 'dynamoDbWork',
    title: 'DynamoDB work per operation',
    columns: [
      'operation',
      'status',
      'calls',
      'commands',
      'items read',
      'read request units',
      'write request units',
      'DynamoDB Local reported',
    ],
    rows: rows.map((row) => [
      row.operation,
      row.status,
      row.calls,
      row.commands,
      row.itemsRead,
      row.readUnits,
      row.writeUnits,
      row.localReportedUnits,
    ]),
    notes: [
      'Every DynamoDB call the handler made (users, grants and clients tables), recorded on the shared document client with ReturnConsumedCapacity=TOTAL. The Bearer token’s grant check is cached for 30 s per warm function, so it shows only on the row where the cache was cleared first: one GetItem (1 read unit) on a cold or idle function.',
      `The group rows: one member added to and removed from a group by PATCH, then a group PUT whole with ${context.quick ? 5 : GROUP_MEMBERS} members it did not have, read back with and without its members. Each membership is an item pair written in transactions, so a PUT's writes grow with the members it adds and a GET's member Query with the group's size.`,
      'Request units are what an on-demand table bills: DynamoDB Local’s figure where it matches AWS (single-item reads and writes, queries), computed by the documented rules where it does not (transactions: 2 units per KB of each item; batch reads: 1 unit per 4 KB of each requested item, found or not). The last column is DynamoDB Local’s own total, for comparison.',
    ],
    data: rows,
  };
}
