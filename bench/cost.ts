import { itemOf } from '../adapters/dynamodb/activity-keys';
import { type RouteId, routeById } from '../contract/routes';
import { activityEntry } from '../core/activity/activity-entry';
import { ACTIVITY_INGEST_MEMORY_MB, functionMemoryOf } from '../lib/route-function';
import { cpuBench } from './cpu';
import { dynamoDbWorkBench } from './dynamodb-work';
import type { BenchContext } from './lib/context';
import { type BenchSection, round } from './lib/report';

/**
 * List prices, us-east-1, as published on the AWS pricing pages in November 2026 (the same figures as
 * docs/deploy-and-operate.md "Cost"; confirm with the AWS Pricing Calculator before relying on them).
 */
export const PRICES = {
  asOf: 'November 2026',
  region: 'us-east-1',
  restApiPerMillion: 3.5,
  httpApiPerMillion: 1.0,
  wafPerMillionInspected: 0.6,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  logsPerGbIngested: 0.5,
  dynamoDbPerMillionReadUnits: 0.125,
  dynamoDbPerMillionWriteUnits: 0.625,
} as const;

/** Lambda gives a function one full vCPU at 1,769 MB and CPU in proportion to memory below that. */
const MB_PER_VCPU = 1_769;
/** A DynamoDB round trip inside the region: AWS quotes single-digit milliseconds; taken at the top of it. */
const DYNAMODB_ROUND_TRIP_MS = 5;
/** The runtime's START, END and REPORT lines of every invocation, in Lambda's text log format. */
const LAMBDA_PLATFORM_LOG_BYTES = 300;
/** The goal of issue 15 for the default production profile. */
const GOAL_PER_MILLION = 5;

/**
 * The activity item an Okta profile push (a PUT that succeeds) leaves: a realistic request id, client id, user id
 * and userName, written as the ingest writes it (adapters/dynamodb/activity-keys.ts).
 */
const OKTA_ACTIVITY_ITEM = itemOf({
  ...activityEntry({
    id: 'c0a8f1e2-3b4c-4d5e-8f90-a1b2c3d4e5f6',
    at: new Date('2026-11-30T09:15:00.000Z'),
    operation: 'replace',
    httpStatus: 200,
    clientId: '0oa1b2c3d4e5f6g7h8i9',
    userId: '8f14e45f-ceea-467a-9575-3c2f1a9b7d10',
    userName: 'firstname.lastname@example.com',
  }),
  tenantId: 'acme-corp',
});

/** DynamoDB's size of an item: attribute names and string values in UTF-8, a number 1 byte per 2 digits + 1. */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 1 + Math.ceil(String(Math.abs(value)).replace('.', '').length / 2);
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  // A map: 3 bytes, plus each entry's name and value (and 1 byte per entry).
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (bytes, [name, entry]) => bytes + Buffer.byteLength(name, 'utf8') + 1 + itemBytes(entry),
      0,
    )
  );
}

/**
 * The activity log's write units per IdP request: one per started KB of the item, in the table and in each
 * index whose key the item has (its user id and userName indexes; a failure's also in the failures index).
 */
function activityWriteUnits(): { bytes: number; indexes: number; units: number } {
  const bytes = Object.entries(OKTA_ACTIVITY_ITEM).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name, 'utf8') + itemBytes(value),
    0,
  );
  const indexes = ['gsi1pk', 'gsi2pk', 'gsi3pk'].filter((key) => key in OKTA_ACTIVITY_ITEM).length;
  return { bytes, indexes, units: (1 + indexes) * Math.ceil(bytes / 1024) };
}

/**
 * The ingest runs once per CloudWatch Logs subscription delivery, a batch of lines; taken at 10 lines and
 * 100 ms at its memory, an assumption, not a measurement: deliveries carry more lines under load, fewer at a
 * trickle.
 */
const ACTIVITY_LINES_PER_INGEST = 10;
const ACTIVITY_INGEST_BILLED_MS = 100;

/**
 * Okta's provisioning traffic for a steady directory, per 100 requests: every create is preceded by a
 * `userName eq` lookup that finds nothing; profile pushes are full PUTs, deactivations path-less PATCHes of
 * `active`; reads by id follow Okta's own checks; an import reads pages of 100. Token requests (one per access
 * token lifetime per connection) are too rare to count.
 */
const OKTA_MIX = [
  {
    request: 'userName eq lookup (not found)',
    route: 'ScimUsersList',
    share: 10,
    work: 'SCIM userName eq (not found)',
    cpu: 'lookup',
  },
  {
    request: 'POST /Users (create)',
    route: 'ScimUsersCreate',
    share: 10,
    work: 'SCIM create (POST /Users)',
    cpu: 'create',
  },
  {
    request: 'userName eq lookup (found)',
    route: 'ScimUsersList',
    share: 20,
    work: 'SCIM userName eq (found)',
    cpu: 'lookup',
  },
  { request: 'GET /Users/{id}', route: 'ScimUserGet', share: 24, work: 'SCIM get by id', cpu: 'get' },
  {
    request: 'PUT /Users/{id}',
    route: 'ScimUserReplace',
    share: 25,
    work: 'SCIM PUT (one attribute changed)',
    cpu: 'put',
  },
  {
    request: 'PATCH /Users/{id} (active)',
    route: 'ScimUserPatch',
    share: 10,
    work: 'SCIM PATCH deactivate',
    cpu: 'patch',
  },
  { request: 'list page of 100', route: 'ScimUsersList', share: 1, work: 'SCIM list page 1 (count=100)', cpu: 'list' },
] as const satisfies readonly {
  readonly request: string;
  readonly route: RouteId;
  readonly share: number;
  readonly work: string;
  readonly cpu: string;
}[];

/** The memory a mix entry's route runs at (lib/route-function.ts), in MB. */
function memoryOf(route: RouteId): number {
  const spec = routeById(route);
  if (!spec) throw new Error(`${route} is not in the manifest`);
  return functionMemoryOf(spec);
}

/** Which row of the CPU bench measures each kind of request. */
const CPU_ROW: Record<(typeof OKTA_MIX)[number]['cpu'], string> = {
  lookup: 'GET /Users?filter=userName eq',
  create: 'POST /Users (create)',
  get: 'GET /Users/{id}',
  put: 'PUT /Users/{id} (one attribute changed)',
  patch: 'PATCH /Users/{id} (active toggled)',
  list: 'GET /Users?startIndex=1&count=',
};

interface WorkRow {
  readonly operation: string;
  readonly readUnits: number;
  readonly writeUnits: number;
}

interface CpuRow {
  readonly operation: string;
  readonly cpuMicros: number;
  readonly logBytes: number;
  readonly dynamoDbCalls: number;
  readonly handlerWallP50: number;
}

async function sectionData<T>(
  name: string,
  earlier: readonly BenchSection[],
  context: BenchContext,
  run: (context: BenchContext) => Promise<BenchSection>,
): Promise<T[]> {
  const section = earlier.find((candidate) => candidate.name === name) ?? (await run(context));
  return section.data as T[];
}

/**
 * The cost model from measured units: per million requests of Okta's mix, DynamoDB from the units the
 * DynamoDB-work bench measured, CloudWatch Logs from the log bytes the CPU bench captured, Lambda from the
 * measured CPU time at the configured memory, and API Gateway and WAF per request. When those benchmarks were not
 * part of this run, it runs them first.
 */
export async function costBench(context: BenchContext, earlier: readonly BenchSection[] = []): Promise<BenchSection> {
  const work = await sectionData<WorkRow>('dynamoDbWork', earlier, context, dynamoDbWorkBench);
  const cpu = await sectionData<CpuRow>('cpu', earlier, context, cpuBench);
  const rows: (string | number)[][] = [];
  // Every request of the mix is an IdP request, so each writes one activity item (its log line is already in
  // the measured log bytes) and takes a share of an ingest invocation.
  const ingestMs = ACTIVITY_INGEST_BILLED_MS;
  const activityWrites = activityWriteUnits();
  const activityPerMillion = {
    dynamoDb: activityWrites.units * PRICES.dynamoDbPerMillionWriteUnits,
    lambda:
      (PRICES.lambdaRequestsPerMillion +
        (ingestMs / 1000) * (ACTIVITY_INGEST_MEMORY_MB / 1024) * PRICES.lambdaArmPerGbSecond * 1_000_000) /
      ACTIVITY_LINES_PER_INGEST,
    total: 0,
  };
  activityPerMillion.total = activityPerMillion.dynamoDb + activityPerMillion.lambda;
  const data: Record<string, unknown>[] = [];
  const totals = { dynamoDb: 0, lambda: 0, logs: 0, weight: 0 };
  const memories = new Set<number>();
  for (const entry of OKTA_MIX) {
    const units = work.find((row) => row.operation === entry.work);
    const measured = cpu.find((row) => row.operation.startsWith(CPU_ROW[entry.cpu]));
    if (!units || !measured) throw new Error(`the cost model has no measurement for ${entry.request}`);
    const memoryMb = memoryOf(entry.route);
    memories.add(memoryMb);
    // Below one vCPU, Lambda's CPU share is memory ÷ 1,769 MB, so CPU time stretches by the inverse.
    const cpuScale = Math.max(1, MB_PER_VCPU / memoryMb);
    const billedMs = (measured.cpuMicros / 1000) * cpuScale + measured.dynamoDbCalls * DYNAMODB_ROUND_TRIP_MS;
    const logBytes = measured.logBytes + LAMBDA_PLATFORM_LOG_BYTES;
    const perMillion = {
      dynamoDb:
        units.readUnits * PRICES.dynamoDbPerMillionReadUnits + units.writeUnits * PRICES.dynamoDbPerMillionWriteUnits,
      lambda:
        PRICES.lambdaRequestsPerMillion +
        (billedMs / 1000) * (memoryMb / 1024) * PRICES.lambdaArmPerGbSecond * 1_000_000,
      logs: ((logBytes * 1_000_000) / 1024 ** 3) * PRICES.logsPerGbIngested,
    };
    const weight = entry.share / 100;
    totals.dynamoDb += weight * perMillion.dynamoDb;
    totals.lambda += weight * perMillion.lambda;
    totals.logs += weight * perMillion.logs;
    totals.weight += weight;
    const variable = perMillion.dynamoDb + perMillion.lambda + perMillion.logs;
    data.push({ ...entry, ...units, memoryMb, cpuMicros: measured.cpuMicros, billedMs, logBytes, perMillion });
    rows.push([
      entry.request,
      `${entry.share} %`,
      memoryMb,
      units.readUnits,
      units.writeUnits,
      round(measured.cpuMicros / 1000),
      round(billedMs, 1),
      round(logBytes, 0),
      round(perMillion.dynamoDb),
      round(perMillion.lambda),
      round(perMillion.logs),
      round(activityPerMillion.total),
      round(variable + activityPerMillion.total + PRICES.restApiPerMillion + PRICES.wafPerMillionInspected),
    ]);
  }
  if (Math.abs(totals.weight - 1) > 1e-9) throw new Error('the request mix must add up to 100 %');
  const sharedByProfiles = totals.dynamoDb + totals.lambda + totals.logs + activityPerMillion.total;
  const defaultProfile = sharedByProfiles + PRICES.restApiPerMillion + PRICES.wafPerMillionInspected;
  const leanProfile = sharedByProfiles + PRICES.httpApiPerMillion;
  const mixRow = (label: string, front: number, total: number) => [
    label,
    '100 %',
    '',
    '',
    '',
    '',
    '',
    '',
    round(totals.dynamoDb),
    round(totals.lambda),
    round(totals.logs),
    round(activityPerMillion.total),
    `${round(total)} (API ${round(front)})`,
  ];
  rows.push(
    mixRow(
      'mix, default profile (REST API + WAF)',
      PRICES.restApiPerMillion + PRICES.wafPerMillionInspected,
      defaultProfile,
    ),
  );
  rows.push(mixRow('mix, lean profile (HTTP API, no WAF)', PRICES.httpApiPerMillion, leanProfile));
  return {
    name: 'cost',
    title: 'Cost per million requests of Okta’s provisioning mix, from measured units (USD)',
    columns: [
      'request',
      'share',
      'memory MB',
      'read units',
      'write units',
      'CPU ms',
      'billed ms (model)',
      'log bytes',
      'DynamoDB $',
      'Lambda $',
      'logs $',
      'activity log $',
      'total $ (default profile)',
    ],
    rows,
    notes: [
      `Prices: ${PRICES.region} list prices of ${PRICES.asOf}: API Gateway REST $${PRICES.restApiPerMillion} and HTTP API $${PRICES.httpApiPerMillion} per million, WAF $${PRICES.wafPerMillionInspected} per million inspected, Lambda $${PRICES.lambdaRequestsPerMillion} per million requests and $${PRICES.lambdaArmPerGbSecond} per GB-s (arm64), CloudWatch Logs $${PRICES.logsPerGbIngested} per GB, DynamoDB on demand $${PRICES.dynamoDbPerMillionReadUnits} per million read and $${PRICES.dynamoDbPerMillionWriteUnits} per million write units.`,
      `Units are the DynamoDB-work bench's; log bytes are the CPU bench's capture plus ${LAMBDA_PLATFORM_LOG_BYTES} bytes for the runtime's START/END/REPORT lines (an estimate from their format); billed ms = CPU ms × ${MB_PER_VCPU} ÷ the route's memory (Lambda's CPU share at ${[...memories].sort((a, b) => a - b).join(' and ')} MB, lib/route-function.ts) + ${DYNAMODB_ROUND_TRIP_MS} ms per DynamoDB call (in-region round trip, assumed), not the local wall time, which DynamoDB Local inflates.`,
      `Activity log: ${activityWrites.units} write units per request (an Okta profile push's item, ${activityWrites.bytes} bytes by DynamoDB's size rules, in the table and ${activityWrites.indexes} indexes) and the ingest at ${ACTIVITY_INGEST_MEMORY_MB} MB for ${ACTIVITY_INGEST_BILLED_MS} ms per delivery of ${ACTIVITY_LINES_PER_INGEST} lines (assumed): $${round(activityPerMillion.total)} per million, of which the writes are $${round(activityPerMillion.dynamoDb)}; its log line is in the log bytes.`,
      `Default profile: $${round(defaultProfile)} per million against the goal of $${GOAL_PER_MILLION} (${defaultProfile <= GOAL_PER_MILLION ? 'reached' : 'not reached'}); API Gateway REST and WAF are $${round(PRICES.restApiPerMillion + PRICES.wafPerMillionInspected)} of it. Lean profile (context apiProfile=lean: HTTP API, no WAF): $${round(leanProfile)} (${leanProfile <= GOAL_PER_MILLION ? 'under' : 'over'} $${GOAL_PER_MILLION}). Not counted: X-Ray traces, the grant check's GetItem once per 30 s per warm function, and the fixed monthly costs (docs/deploy-and-operate.md).`,
    ],
    data: {
      mix: data,
      perMillion: { defaultProfile, leanProfile, ...totals, activity: { ...activityPerMillion, ...activityWrites } },
      prices: PRICES,
    },
  };
}
