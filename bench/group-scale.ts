import { GROUP_SCHEMA } from '../core/scim/group-schema';
import { MAX_GROUP_MEMBERS } from '../core/scim/limits';
import { type InvokeRequest, invoke, invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { type BenchSection, round } from './lib/report';
import { createRequest, inParallel, scimHeaders, userNameFor, withFunctionLogsDiscarded } from './lib/workload';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Members per PATCH while pushing (the most Okta's catalogue integration puts in one request). */
const PUSH_BATCH = 1_000;

interface Step {
  readonly step: string;
  readonly status: number;
  readonly ms: number;
  readonly responseBytes: number;
}

/**
 * One timed request. Its status is recorded rather than asserted: on a loaded machine a large write can reach
 * the function's 10-second budget (503), and that is a figure worth reporting too.
 */
async function timed(step: string, request: InvokeRequest): Promise<Step> {
  const started = performance.now();
  const result = await invoke(request);
  return {
    step,
    status: result.statusCode,
    ms: performance.now() - started,
    responseBytes: Buffer.byteLength(result.body ?? ''),
  };
}

/**
 * A group at the size limit (MAX_GROUP_MEMBERS): pushed in PATCH batches of 1,000 as Okta's catalogue
 * integration sends them, read back whole and without members, changed by one member, and PUT back whole as
 * Okta's app-wizard integration does: what each request costs against the 10-second function timeout and the
 * 6 MB response limit.
 */
export async function groupScaleBench(context: BenchContext): Promise<BenchSection> {
  const members = context.quick ? 40 : MAX_GROUP_MEMBERS;
  const token = await context.bearerToken();
  const run = `grp${members}x${Date.now().toString(36)}`;
  const steps: Step[] = [];
  await withFunctionLogsDiscarded(async () => {
    const ids: string[] = new Array(members);
    await inParallel(members, 8, async (n) => {
      const created = await invokeExpecting(201, createRequest(token, userNameFor(run, n)));
      ids[n] = (JSON.parse(created.body) as { id: string }).id;
    });
    const write = (method: string, url: string, body: unknown) => ({
      method,
      url,
      headers: scimHeaders(token, true),
      body: JSON.stringify(body),
    });
    const created = await invokeExpecting(
      201,
      write('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], displayName: run, members: [] }),
    );
    const groupId = (JSON.parse(created.body) as { id: string }).id;
    const url = `/scim/v2/Groups/${groupId}`;
    const member = (n: number) => ({ value: ids[n] as string, display: userNameFor(run, n) });
    // Okta's catalogue integration pushes members in PATCH batches of at most 1,000.
    for (let start = 0; start < members; start += PUSH_BATCH) {
      const batch = Array.from({ length: Math.min(PUSH_BATCH, members - start) }, (_, index) => member(start + index));
      const operations = [{ op: 'add', path: 'members', value: batch }];
      steps.push(
        await timed(
          `PATCH add members ${start + 1}–${start + batch.length}`,
          write('PATCH', url, { schemas: [PATCH_OP], Operations: operations }),
        ),
      );
    }
    const read = { method: 'GET', url, headers: scimHeaders(token) };
    steps.push(await timed(`GET with ${members} members`, read));
    steps.push(await timed('GET excludedAttributes=members', { ...read, url: `${url}?excludedAttributes=members` }));
    const removeOne = [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }];
    steps.push(
      await timed('PATCH remove one member', write('PATCH', url, { schemas: [PATCH_OP], Operations: removeOne })),
    );
    const everyone = Array.from({ length: members }, (_, n) => member(n));
    steps.push(
      await timed(
        `PUT of all ${members} members (1 to add back)`,
        write('PUT', url, { schemas: [GROUP_SCHEMA], displayName: run, members: everyone }),
      ),
    );
  });
  return {
    name: 'groupScale',
    title: `A group of ${members} members (pushed in batches, read, changed by one member, PUT whole)`,
    columns: ['step', 'status', 'ms', 'response bytes'],
    rows: steps.map((step) => [step.step, step.status, round(step.ms, 0), step.responseBytes]),
    notes: [
      'One request per step, through the handlers in this process, against DynamoDB Local on this machine.',
      'Membership writes go 33 additions per transaction, 8 transactions at a time. The final PUT reads the member list, finds the one member missing and writes one transaction for it (and one for the version).',
    ],
    data: steps,
  };
}
