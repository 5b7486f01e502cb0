import { performance } from 'node:perf_hooks';
import { MAX_VALUES_PER_ATTRIBUTE } from '../core/scim/limits';
import { type InvokeRequest, invokeExpecting } from '../test/support/invoke';
import type { BenchContext } from './lib/context';
import { type BenchSection, percentile, round } from './lib/report';
import { createRequest, scimHeaders, userNameFor, withFunctionLogsDiscarded } from './lib/workload';

/**
 * Requests as big as a body may be (128 KiB), each carrying thousands of multi-valued attribute values: how long
 * a warm function takes to answer them. Past the per-attribute limit they are refused with 400; what keeps that
 * quick is that every step before the refusal is linear in the request's size, which the figures show as time
 * growing with the body, not with its square.
 */

/** `count` distinct phone numbers as bare values (`"a1"`, stored as `{ value }`), the densest a body can carry. */
const phoneNumbers = (count: number) => Array.from({ length: count }, (_, index) => index.toString(36));

const patchRequest = (token: string, id: string, operation: Record<string, unknown>): InvokeRequest => ({
  method: 'PATCH',
  url: `/scim/v2/Users/${id}`,
  headers: scimHeaders(token, true),
  body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [operation] }),
});

export async function bigRequestsBench(context: BenchContext): Promise<BenchSection> {
  const token = await context.bearerToken();
  const run = `big-${Date.now()}`;
  const sizes = context.quick
    ? [MAX_VALUES_PER_ATTRIBUTE, 12_000]
    : [MAX_VALUES_PER_ATTRIBUTE, 1_000, 4_000, 12_000, 20_000];
  const repetitions = context.quick ? 1 : 7;
  let posted = 0;
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown>[] = [];
  await withFunctionLogsDiscarded(async () => {
    const user = JSON.parse((await invokeExpecting(201, createRequest(token, userNameFor(run, 0)))).body) as {
      id: string;
    };
    for (const count of sizes) {
      const values = phoneNumbers(count);
      const cases: { name: string; status: number; request: () => InvokeRequest }[] = [
        {
          name: 'PATCH add phoneNumbers',
          status: count > MAX_VALUES_PER_ATTRIBUTE ? 400 : 200,
          request: () => patchRequest(token, user.id, { op: 'add', path: 'phoneNumbers', value: values }),
        },
        {
          name: 'PATCH remove phoneNumbers (member-style)',
          status: 200,
          request: () => patchRequest(token, user.id, { op: 'remove', path: 'phoneNumbers', value: values }),
        },
        {
          name: 'POST /Users with phoneNumbers',
          status: count > MAX_VALUES_PER_ATTRIBUTE ? 400 : 201,
          request: () => {
            posted += 1;
            const base = createRequest(token, userNameFor(run, posted));
            return { ...base, body: JSON.stringify({ ...JSON.parse(base.body ?? '{}'), phoneNumbers: values }) };
          },
        },
      ];
      for (const { name, status, request } of cases) {
        const samples: number[] = [];
        let bodyBytes = 0;
        for (let repetition = 0; repetition < repetitions; repetition += 1) {
          const next = request();
          bodyBytes = Buffer.byteLength(next.body ?? '');
          const started = performance.now();
          await invokeExpecting(status, next);
          samples.push(performance.now() - started);
        }
        const median = round(percentile(samples, 50), 1);
        const max = round(Math.max(...samples), 1);
        rows.push([name, count, round(bodyBytes / 1024, 1), status, median, max]);
        data.push({ name, values: count, bodyBytes, status, medianMs: median, maxMs: max });
      }
    }
  });
  return {
    name: 'bigRequests',
    title: 'Big requests: thousands of values in one body, answered by a warm function (ms)',
    columns: ['request', 'values', 'body KiB', 'status', 'median', 'max'],
    rows,
    notes: [
      `Past ${MAX_VALUES_PER_ATTRIBUTE} values of one attribute the request is refused with 400 invalidValue; the`,
      'time grows with the body (parsing, normalising, duplicate checks through sets), not with its square.',
    ],
    data,
  };
}
