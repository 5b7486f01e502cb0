import type { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import { DynamoDbAccessStore } from '../../adapters/dynamodb/access-store';
import { DynamoDbActivityReader } from '../../adapters/dynamodb/activity-reader';
import { DynamoDbActivityWriter } from '../../adapters/dynamodb/activity-writer';
import { AssertionReplayStore } from '../../adapters/dynamodb/assertion-replay-store';
import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { AuthorizationSessionStore } from '../../adapters/dynamodb/authorization-session-store';
import { clientAuthFailureCounter } from '../../adapters/dynamodb/client-auth-failures';
import { ClientStore } from '../../adapters/dynamodb/client-store';
import { ConsoleSessionStore } from '../../adapters/dynamodb/console-session-store';
import { createDocumentClient } from '../../adapters/dynamodb/document-client';
import { GrantLedger } from '../../adapters/dynamodb/grant-ledger';
import { GrantStore } from '../../adapters/dynamodb/grant-store';
import { DynamoDbGroupAccessStore } from '../../adapters/dynamodb/group-access-store';
import { DynamoDbGroupStore } from '../../adapters/dynamodb/group-store';
import { LoginThrottleStore } from '../../adapters/dynamodb/login-throttle-store';
import { ScimTokenStore } from '../../adapters/dynamodb/scim-token-store';
import { DynamoDbShareCounters } from '../../adapters/dynamodb/share-counters';
import { TenantStore } from '../../adapters/dynamodb/tenant-store';
import { DynamoDbUserStore } from '../../adapters/dynamodb/user-store';
import { fetchJwksDocument } from '../../adapters/http/jwks-fetcher';
import type { KmsTokenSigner } from '../../adapters/kms/kms-signer';
import {
  honoursLocalTestSettings,
  LOCAL_VERIFICATION_JWKS_ENV,
  SIGNING_KEY_ENV,
  VERIFICATION_KEYS_ENV,
} from '../../contract/environment';
import { FAIR_SHARE_TABLE } from '../../contract/fair-share';
import { pathOf } from '../../contract/routes';
import { type TableKey, tableEnvVar } from '../../contract/tables';
import { awsClientBudget } from '../../contract/time-budget';
import { AccessService } from '../../core/access/access-service';
import { RemoteKeySets } from '../../core/oauth/assertion-keys';
import type { ClientAssertionDeps } from '../../core/oauth/client-assertion';
import type { TokenSigner } from '../../core/oauth/signer';
import type { ClientAuthFailureCounter } from '../../core/oauth/token-endpoint';
import { ConfigError, publicBaseUrl, required } from './configuration';
import { boundedByRequestDeadline } from './request-deadline';

/**
 * The composition root of every function: the configuration read from the environment (the variables of
 * contract/process.env.ts and the table names), and the document client, stores and token signer built on it,
 * each once for the values it depends on. In Lambda the environment never changes, so that is once per cold
 * start; in a process whose environment changes (the tests), what depends on a changed value (a store on a
 * renamed table, the signer of another key) is built anew on its next use, and nothing else.
 */

export { ConfigError, publicBaseUrl, scimBaseUrl } from './configuration';

/** What has been built, by name, with the inputs it was built from: at most one of each, the newest. */
const built = new Map<string, { readonly inputs: readonly unknown[]; readonly value: unknown }>();

/** Builds once for the given inputs (environment values, or other built things); new inputs build anew. */
function once<T>(name: string, inputs: readonly unknown[], build: () => T): T {
  const existing = built.get(name);
  if (
    existing &&
    existing.inputs.length === inputs.length &&
    existing.inputs.every((input, i) => input === inputs[i])
  ) {
    return existing.value as T;
  }
  const value = build();
  built.set(name, { inputs, value });
  return value;
}

let providedSigner: TokenSigner | undefined;

/**
 * How the local runtime hands the functions its own signer (a key file instead of KMS) without any function
 * knowing that it runs locally.
 */
export function provideTokenSigner(signer: TokenSigner): void {
  providedSigner = signer;
}

/** The name of a table this function was granted in the route manifest. */
export const tableName = (key: TableKey): string => required(tableEnvVar(key));

/**
 * One DynamoDB and one KMS client per process: the SDK resolves the region and endpoint from the environment
 * on a client's first call, and keeps its connections warm across requests. Both are bounded by the
 * function's time budget (contract/time-budget.ts): each call by its attempts' timeouts, and every call of a
 * request together by the request's deadline (functions/_shared/request-deadline.ts).
 */
export const documentClient = (): DynamoDBDocumentClient =>
  once('documentClient', [], () => boundedByRequestDeadline(createDocumentClient()));

/**
 * The KMS client and adapter, loaded at their first use rather than with the function: most functions never call
 * KMS, and those that do call it once per cold start (the public keys) or only on some requests (signing), so
 * the SDK's KMS client stays out of every cold start that does not need it.
 */
const kms = (): Promise<{ readonly client: KMSClient; readonly Signer: typeof KmsTokenSigner }> =>
  once('kms', [], () =>
    Promise.all([import('@aws-sdk/client-kms'), import('../../adapters/kms/kms-signer')]).then(
      ([{ KMSClient }, { KmsTokenSigner }]) => ({
        client: boundedByRequestDeadline(new KMSClient(awsClientBudget())),
        Signer: KmsTokenSigner,
      }),
    ),
  );

/** The KMS key's signer, usable at once: each call waits for the KMS client to be loaded first. */
function kmsSigner(keyArn: string): TokenSigner {
  let signer: Promise<TokenSigner> | undefined;
  const loaded = () => {
    signer ??= kms().then(({ client, Signer }) => new Signer(client, keyArn));
    return signer;
  };
  return {
    keyId: async () => (await loaded()).keyId(),
    sign: async (signingInput) => (await loaded()).sign(signingInput),
    publicJwk: async () => (await loaded()).publicJwk(),
  };
}

/** A store on one of the tables this function was granted (another table fails with a missing variable). */
function store<T>(name: string, table: TableKey, build: (db: DynamoDBDocumentClient, tableName: string) => T): T {
  const db = documentClient();
  const physicalName = tableName(table);
  return once(`store:${name}`, [db, physicalName], () => build(db, physicalName));
}

/** The signer the local runtime provided, else the KMS key the stack named; neither is a broken deployment. */
export const tokenSigner = (): TokenSigner => {
  if (providedSigner) return providedSigner;
  const keyArn = required(SIGNING_KEY_ENV);
  return once('kmsSigner', [keyArn], () => kmsSigner(keyArn));
};

/**
 * The public keys tokens are verified with and the JWKS publishes: every key in TOKEN_VERIFICATION_KEY_ARNS
 * when set (AWS), otherwise the local keys of a function run alone on this machine (LOCAL_VERIFICATION_JWKS_ENV,
 * never honoured in Lambda), otherwise the signer's own key (local runtime). Fetched once; a failed fetch is
 * retried.
 */
export function verificationKeys(): Promise<JWK[]> {
  const arns = (process.env[VERIFICATION_KEYS_ENV] ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  const localJwks = honoursLocalTestSettings() ? process.env[LOCAL_VERIFICATION_JWKS_ENV] : undefined;
  if (arns.length === 0 && localJwks) {
    return once('verificationKeys', [localJwks], () => Promise.resolve(parseLocalJwks(localJwks)));
  }
  if (arns.length === 0) {
    const signer = tokenSigner();
    return once('verificationKeys', [signer], () => retriedOnFailure(signer.publicJwk().then((jwk) => [jwk])));
  }
  return once('verificationKeys', [arns.join(',')], () =>
    retriedOnFailure(Promise.all(arns.map((arn) => kmsSigner(arn).publicJwk()))),
  );
}

/** The keys of a local JWKS document; one that is not `{"keys":[{...}]}` is a broken setup. */
function parseLocalJwks(document: string): JWK[] {
  let keys: unknown;
  try {
    keys = (JSON.parse(document) as { keys?: unknown }).keys;
  } catch {
    keys = undefined;
  }
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'object' && key !== null)) {
    throw new ConfigError(`${LOCAL_VERIFICATION_JWKS_ENV} is not a JWKS document with at least one key`);
  }
  return keys as JWK[];
}

/** A failed fetch of the keys is forgotten, so that the next request fetches them again. */
function retriedOnFailure(loading: Promise<JWK[]>): Promise<JWK[]> {
  const forget = () => {
    if (built.get('verificationKeys')?.value === guarded) built.delete('verificationKeys');
  };
  const guarded: Promise<JWK[]> = loading.catch((error: unknown) => {
    forget();
    throw error;
  });
  return guarded;
}

export const tenantStore = (): TenantStore => store('tenants', 'clients', (db, t) => new TenantStore(db, t));
export const clientStore = (): ClientStore => store('clients', 'clients', (db, t) => new ClientStore(db, t));
export const grantStore = (): GrantStore => store('grants', 'grants', (db, t) => new GrantStore(db, t));
export const grantLedger = (): GrantLedger => store('grantLedger', 'grants', (db, t) => new GrantLedger(db, t));
/** Long-lived SCIM bearer tokens, in the grants table every SCIM function already reads. */
export const scimTokenStore = (): ScimTokenStore => store('scimTokens', 'grants', (db, t) => new ScimTokenStore(db, t));
export const authorizationCodeStore = (): AuthorizationCodeStore =>
  store('authorizationCodes', 'grants', (db, t) => new AuthorizationCodeStore(db, t));
export const authorizationSessionStore = (): AuthorizationSessionStore =>
  store('authorizationSessions', 'grants', (db, t) => new AuthorizationSessionStore(db, t));
export const consoleSessionStore = (): ConsoleSessionStore =>
  store('consoleSessions', 'grants', (db, t) => new ConsoleSessionStore(db, t));
export const loginThrottleStore = (): LoginThrottleStore =>
  store('loginThrottle', 'grants', (db, t) => new LoginThrottleStore(db, t));
/** Failed client authentications from one address, counted in the grants table (AS-E5). */
export const clientAuthFailures = (sourceIp: string): ClientAuthFailureCounter =>
  clientAuthFailureCounter(loginThrottleStore(), sourceIp);
export const userStore = (): DynamoDbUserStore => store('users', 'users', (db, t) => new DynamoDbUserStore(db, t));
export const groupStore = (): DynamoDbGroupStore => store('groups', 'users', (db, t) => new DynamoDbGroupStore(db, t));
/** The tenant's access source and group mappings, and the access writes that follow groups (users table). */
export const groupAccessStore = (): DynamoDbGroupAccessStore =>
  store('groupAccess', 'users', (db, t) => new DynamoDbGroupAccessStore(db, t));

/** Used client assertion ids (RFC 7523 §3), in the grants table. */
export const assertionReplayStore = (): AssertionReplayStore =>
  store('assertionReplays', 'grants', (db, t) => new AssertionReplayStore(db, t));
/** The identity providers' key sets, cached for the life of the process (a warm Lambda keeps them). */
export const remoteKeySets = (): RemoteKeySets => once('remoteKeySets', [], () => new RemoteKeySets(fetchJwksDocument));

/** What verifying a client assertion at the token or revocation endpoint needs. */
export const clientAssertionVerification = (): Omit<ClientAssertionDeps, 'now'> => ({
  replays: assertionReplayStore(),
  remoteKeys: remoteKeySets(),
  issuer: publicBaseUrl(),
  tokenEndpoint: `${publicBaseUrl()}${pathOf('OAuthToken')}`,
});
/** The fair-share counters (contract/fair-share.ts), in the grants table. */
export const shareCounters = (): DynamoDbShareCounters =>
  store('shareCounters', FAIR_SHARE_TABLE, (db, t) => new DynamoDbShareCounters(db, t));
/**
 * The access model's use cases (the admin CLI's), over the clients and users tables, acting as `actor`, with
 * the tenant's access source and group mappings (so that, as in the CLI, groups mode refuses what groups decide
 * and a deleted brand or role leaves the mappings).
 */
export const accessService = (actor: string): AccessService =>
  new AccessService(
    store('accessStore', 'users', (db, users) => new DynamoDbAccessStore(db, { clients: tableName('clients'), users })),
    actor,
    undefined,
    groupAccessStore(),
  );
export const activityWriter = (): DynamoDbActivityWriter =>
  store('activityWriter', 'activity', (db, t) => new DynamoDbActivityWriter(db, t));
export const activityReader = (): DynamoDbActivityReader =>
  store('activityReader', 'activity', (db, t) => new DynamoDbActivityReader(db, t));
