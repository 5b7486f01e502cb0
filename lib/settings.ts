import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_FAIR_SHARE, MAX_SHARE } from '../contract/fair-share';
import { OAUTH_BASE_PATH, type RouteSpec, routes, SCIM_BASE_PATH } from '../contract/routes';

/**
 * Everything an infrastructure team can set with `-c key=value` (or in cdk.json), validated once at synth so a
 * typo fails `cdk synth` with a sentence instead of deploying something else. docs/deploy-and-operate.md
 * "Context keys" lists the same keys with their defaults.
 */
export interface ServiceSettings {
  /** `prod` keeps data on delete; anything else (`dev`, `sandbox-1`, …) can be torn down completely. */
  readonly stage: string;
  readonly production: boolean;
  readonly customDomain?: CustomDomain;
  readonly logRetention: RetentionDays;
  readonly logLevel: LogLevel;
  /**
   * `default`: API Gateway REST API behind the AWS WAF web ACL. `lean`: an API Gateway HTTP API without WAF, for
   * about a third of the per-request price and with fewer defences (docs/deploy-and-operate.md "The lean API
   * profile").
   */
  readonly apiProfile: ApiProfile;
  /** The web ACL; always off in the lean profile (an HTTP API cannot have one). */
  readonly waf: boolean;
  /** WAF: requests per client IP per 5 minutes on the OAuth paths before it answers 429. */
  readonly oauthRateLimit: number;
  /** Stage-wide API Gateway throttling (token bucket): steady requests per second and burst. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Each tenant's and each OAuth client's fair share per window (contract/fair-share.ts). */
  readonly fairShare: { readonly scimRequestsPerTenant: number; readonly tokenRequestsPerClient: number };
  readonly alarmEmail?: string;
  /**
   * Create the role API Gateway writes logs with and set it in the account's API Gateway settings. Off by
   * default: the setting is account- and region-wide, so the stack would replace a role other APIs rely on, and
   * the role must outlive the stack (retained on delete) because the setting keeps pointing at it.
   */
  readonly apiGatewayCloudWatchRole: boolean;
  /** Token signing key generations to keep (and publish in the JWKS), and the one that signs. */
  readonly signingKeys: readonly string[];
  readonly activeSigningKey: string;
  /** Reserved concurrency by route id, route group (`scim`, `oauth`, `wellKnown`) or `*`; none by default. */
  readonly reservedConcurrency: ReadonlyMap<string, number>;
}

export interface CustomDomain {
  readonly domainName: string;
  /** An ACM certificate for `domainName` in the stack's region; without it, one is created in the hosted zone. */
  readonly certificateArn?: string;
  /** Where the stack creates the DNS alias record (and validates a created certificate). */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

/**
 * DEBUG or INFO only. Lambda's log-level filter treats a line without a `level` as INFO, and the functions' EMF
 * metric lines have none: at WARN or ERROR Lambda would drop them and the per-request log line, leaving the
 * dashboard, the token-failure alarm and the saved queries blind.
 */
export type LogLevel = 'DEBUG' | 'INFO';

export const API_PROFILES = ['default', 'lean'] as const;
export type ApiProfile = (typeof API_PROFILES)[number];

export const CONTEXT_KEYS = [
  'stage',
  'domainName',
  'certificateArn',
  'hostedZoneId',
  'hostedZoneName',
  'logRetentionDays',
  'logLevel',
  'apiProfile',
  'waf',
  'oauthRateLimit',
  'throttleRateLimit',
  'throttleBurstLimit',
  'scimRequestsPerTenant',
  'tokenRequestsPerClient',
  'alarmEmail',
  'apiGatewayCloudWatchRole',
  'signingKeys',
  'activeSigningKey',
  'reservedConcurrency',
] as const;

export type ContextKey = (typeof CONTEXT_KEYS)[number];

export const DEFAULTS = {
  stage: 'dev',
  logRetentionDays: { prod: RetentionDays.ONE_YEAR, other: RetentionDays.ONE_MONTH },
  logLevel: 'INFO' as LogLevel,
  apiProfile: 'default' as ApiProfile,
  waf: true,
  oauthRateLimit: 300,
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  ...DEFAULT_FAIR_SHARE,
  apiGatewayCloudWatchRole: false,
  signingKeys: ['1'],
} as const;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads and validates the settings; `read` is `node.tryGetContext`. */
export function readSettings(read: (key: ContextKey) => unknown): ServiceSettings {
  const stage = text(read, 'stage') ?? DEFAULTS.stage;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new SettingsError(`Context "stage" must be lower-case letters, digits and dashes (got "${stage}")`);
  }
  const production = stage === 'prod';
  const signingKeys = list(read, 'signingKeys') ?? [...DEFAULTS.signingKeys];
  const activeSigningKey = text(read, 'activeSigningKey') ?? signingKeys[0];
  validateSigningKeys(signingKeys, activeSigningKey);
  const profile = apiProfile(read);
  const waf = flag(read, 'waf');
  if (profile === 'lean' && waf === true) {
    throw new SettingsError(
      'Context "waf" cannot be true with apiProfile=lean: an HTTP API cannot have an AWS WAF web ACL (use the default profile for WAF)',
    );
  }
  return {
    stage,
    production,
    customDomain: customDomain(read),
    logRetention: retention(read, production),
    logLevel: logLevel(read),
    apiProfile: profile,
    waf: profile === 'lean' ? false : (waf ?? DEFAULTS.waf),
    oauthRateLimit: integer(read, 'oauthRateLimit', { min: 10, max: 2_000_000_000 }) ?? DEFAULTS.oauthRateLimit,
    throttle: {
      rateLimit: integer(read, 'throttleRateLimit', { min: 1, max: 10_000 }) ?? DEFAULTS.throttleRateLimit,
      burstLimit: integer(read, 'throttleBurstLimit', { min: 1, max: 5_000 }) ?? DEFAULTS.throttleBurstLimit,
    },
    fairShare: {
      scimRequestsPerTenant:
        integer(read, 'scimRequestsPerTenant', { min: 1, max: MAX_SHARE }) ?? DEFAULTS.scimRequestsPerTenant,
      tokenRequestsPerClient:
        integer(read, 'tokenRequestsPerClient', { min: 1, max: MAX_SHARE }) ?? DEFAULTS.tokenRequestsPerClient,
    },
    alarmEmail: email(read),
    apiGatewayCloudWatchRole: flag(read, 'apiGatewayCloudWatchRole') ?? DEFAULTS.apiGatewayCloudWatchRole,
    signingKeys,
    activeSigningKey: activeSigningKey as string,
    reservedConcurrency: reservedConcurrency(read),
  };
}

/** The group a route belongs to for `reservedConcurrency`, from the base of its path. */
export function routeGroupOf(route: Pick<RouteSpec, 'path'>): 'scim' | 'oauth' | 'wellKnown' {
  if (route.path.startsWith(`${SCIM_BASE_PATH}/`)) return 'scim';
  if (route.path.startsWith(`${OAUTH_BASE_PATH}/`)) return 'oauth';
  return 'wellKnown';
}

/** A route's reserved concurrency: its own entry, else its group's, else `*`'s; undefined means none reserved. */
export function reservedConcurrencyOf(
  settings: Pick<ServiceSettings, 'reservedConcurrency'>,
  route: Pick<RouteSpec, 'id' | 'path'>,
): number | undefined {
  const reserved = settings.reservedConcurrency;
  return reserved.get(route.id) ?? reserved.get(routeGroupOf(route)) ?? reserved.get('*');
}

/** Lambda's own bounds: 0 would stop a function entirely, and no account allows more than this per function. */
const RESERVED_CONCURRENCY_RANGE = { min: 1, max: 10_000 };

/**
 * `reservedConcurrency`: a number for every function (`50`), or `name=number` entries, where a name is a route
 * id (`OAuthToken`), a route group (`scim`, `oauth`, `wellKnown`) or `*` for the rest (`scim=80,oauth=20`).
 */
function reservedConcurrency(read: (key: ContextKey) => unknown): ReadonlyMap<string, number> {
  const reserved = new Map<string, number>();
  const value = read('reservedConcurrency');
  if (value === undefined || value === null || value === '') return reserved;
  const names = new Set<string>(['*', 'scim', 'oauth', 'wellKnown', ...routes.map((route) => route.id)]);
  const entries = typeof value === 'number' ? [String(value)] : (list(read, 'reservedConcurrency') ?? []);
  for (const entry of entries) {
    const [name, amount] = entry.includes('=') ? entry.split('=', 2).map((part) => part.trim()) : ['*', entry];
    if (name === undefined || !names.has(name)) {
      throw new SettingsError(
        `Context "reservedConcurrency" names "${String(name)}", which is neither a route id, nor scim, oauth, wellKnown or *`,
      );
    }
    const parsed = Number(amount);
    if (
      !Number.isInteger(parsed) ||
      parsed < RESERVED_CONCURRENCY_RANGE.min ||
      parsed > RESERVED_CONCURRENCY_RANGE.max
    ) {
      throw new SettingsError(
        `Context "reservedConcurrency" must give each name a whole number from ${RESERVED_CONCURRENCY_RANGE.min} to ` +
          `${RESERVED_CONCURRENCY_RANGE.max}, e.g. "50" or "scim=80,oauth=20" (got ${JSON.stringify(value)})`,
      );
    }
    if (reserved.has(name)) throw new SettingsError(`Context "reservedConcurrency" gives "${name}" twice`);
    reserved.set(name, parsed);
  }
  return reserved;
}

function text(read: (key: ContextKey) => unknown, key: ContextKey): string | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new SettingsError(`Context "${key}" must be a string (got ${JSON.stringify(value)})`);
  return value.trim();
}

function flag(read: (key: ContextKey) => unknown, key: ContextKey): boolean | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingsError(`Context "${key}" must be true or false (got ${JSON.stringify(value)})`);
}

function integer(
  read: (key: ContextKey) => unknown,
  key: ContextKey,
  range: { min: number; max: number },
): number | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new SettingsError(
      `Context "${key}" must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(value)})`,
    );
  }
  return parsed;
}

function list(read: (key: ContextKey) => unknown, key: ContextKey): string[] | undefined {
  const value = read(key);
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : undefined;
  if (!items) throw new SettingsError(`Context "${key}" must be a comma-separated list (got ${JSON.stringify(value)})`);
  return items.map((item) => item.trim());
}

function validateSigningKeys(keys: readonly string[], active: string | undefined): void {
  if (keys.length === 0 || keys.some((key) => !/^[A-Za-z0-9]{1,16}$/.test(key))) {
    throw new SettingsError(
      `Context "signingKeys" must list key generations made of letters and digits, e.g. "1" or "1,2" (got "${keys.join(',')}")`,
    );
  }
  if (new Set(keys).size !== keys.length) {
    throw new SettingsError(`Context "signingKeys" lists a generation twice ("${keys.join(',')}")`);
  }
  if (active === undefined || !keys.includes(active)) {
    throw new SettingsError(
      `Context "activeSigningKey" must be one of signingKeys (${keys.join(', ')}); got "${String(active)}"`,
    );
  }
}

function retention(read: (key: ContextKey) => unknown, production: boolean): RetentionDays {
  const allowed = (Object.values(RetentionDays).filter((value) => typeof value === 'number') as number[])
    .filter((days) => days !== RetentionDays.INFINITE)
    .sort((a, b) => a - b);
  const days = integer(read, 'logRetentionDays', { min: 1, max: Math.max(...allowed) });
  if (days === undefined) return production ? DEFAULTS.logRetentionDays.prod : DEFAULTS.logRetentionDays.other;
  if (!allowed.includes(days)) {
    throw new SettingsError(
      `Context "logRetentionDays" must be a CloudWatch Logs retention period: one of ${allowed.join(', ')} (got ${days})`,
    );
  }
  return days as RetentionDays;
}

function logLevel(read: (key: ContextKey) => unknown): LogLevel {
  const value = text(read, 'logLevel')?.toUpperCase();
  if (value === undefined) return DEFAULTS.logLevel;
  if (value === 'DEBUG' || value === 'INFO') return value;
  throw new SettingsError(
    `Context "logLevel" must be DEBUG or INFO (got "${value}"): at WARN or ERROR Lambda drops the request log ` +
      'line and the metric lines, and the dashboard, alarms and saved queries go blind',
  );
}

function apiProfile(read: (key: ContextKey) => unknown): ApiProfile {
  const value = text(read, 'apiProfile');
  if (value === undefined) return DEFAULTS.apiProfile;
  const profile = API_PROFILES.find((candidate) => candidate === value);
  if (profile === undefined) {
    throw new SettingsError(`Context "apiProfile" must be ${API_PROFILES.join(' or ')} (got "${value}")`);
  }
  return profile;
}

function email(read: (key: ContextKey) => unknown): string | undefined {
  const value = text(read, 'alarmEmail');
  if (value !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new SettingsError(`Context "alarmEmail" must be an email address (got "${value}")`);
  }
  return value;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function customDomain(read: (key: ContextKey) => unknown): CustomDomain | undefined {
  const domainName = text(read, 'domainName')?.toLowerCase();
  const certificateArn = text(read, 'certificateArn');
  const hostedZoneId = text(read, 'hostedZoneId');
  const hostedZoneName = text(read, 'hostedZoneName')?.toLowerCase().replace(/\.$/, '');
  if (domainName === undefined) {
    if (certificateArn || hostedZoneId || hostedZoneName) {
      throw new SettingsError('Context "certificateArn", "hostedZoneId" and "hostedZoneName" need "domainName"');
    }
    return undefined;
  }
  if (!HOSTNAME.test(domainName)) {
    throw new SettingsError(`Context "domainName" must be a DNS name like scim.example.com (got "${domainName}")`);
  }
  if (
    certificateArn !== undefined &&
    !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)
  ) {
    throw new SettingsError(`Context "certificateArn" must be an ACM certificate ARN (got "${certificateArn}")`);
  }
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    throw new SettingsError('Context "hostedZoneId" and "hostedZoneName" go together');
  }
  if (hostedZoneId !== undefined && hostedZoneName !== undefined) {
    if (!/^Z[A-Z0-9]{1,31}$/.test(hostedZoneId)) {
      throw new SettingsError(`Context "hostedZoneId" must be a Route 53 hosted zone id (got "${hostedZoneId}")`);
    }
    if (domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
      throw new SettingsError(`Context "domainName" ${domainName} is not inside hosted zone ${hostedZoneName}`);
    }
    return { domainName, certificateArn, hostedZone: { id: hostedZoneId, name: hostedZoneName } };
  }
  if (certificateArn === undefined) {
    throw new SettingsError(
      'Context "domainName" needs either "certificateArn" or "hostedZoneId" + "hostedZoneName" (to create one)',
    );
  }
  return { domainName, certificateArn };
}
