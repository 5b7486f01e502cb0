import { mintAccessToken } from './access-token';
import type { AuthorizationCodeRecord } from './authorization-code';
import { type ClientCredentials, clientCredentialsFrom } from './client-authentication';
import {
  invalidClient,
  invalidGrant,
  invalidScope,
  tooManyFailedClientAuthentications,
  unsupportedGrantType,
} from './errors';
import { type FormParams, requiredParam, singleParam } from './form-params';
import type { GrantRecord, RevocationReason } from './grants';
import { newOpaqueToken, opaqueTokenHash } from './opaque-tokens';
import { verifierMatchesChallenge } from './pkce';
import {
  GRANT_ABSOLUTE_LIFETIME_SECONDS,
  REFRESH_GRACE_SECONDS,
  REFRESH_TOKEN_IDLE_SECONDS,
  type RefreshTokenRecord,
  sealSuccessor,
  unsealSuccessor,
} from './refresh-tokens';
import { normalizeRequestedScope, scopeIsWithin } from './scopes';
import type { TokenSigner } from './signer';

/** What the token endpoint needs from storage; the DynamoDB adapters provide it. */
export interface TokenEndpointDeps {
  readonly clients: {
    authenticate(clientId: string, clientSecret: string, now: Date): Promise<{ clientId: string } | undefined>;
  };
  readonly codes: { get(codeHash: string): Promise<AuthorizationCodeRecord | undefined> };
  readonly grants: {
    get(grantId: string): Promise<GrantRecord | undefined>;
    revokeIfExists(grantId: string, at: string, reason: RevocationReason): Promise<boolean>;
  };
  readonly ledger: {
    getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
    redeemCode(codeHash: string, now: number, grant: GrantRecord, refresh: RefreshTokenRecord): Promise<boolean>;
    rotateRefreshToken(
      current: RefreshTokenRecord,
      now: number,
      successor: RefreshTokenRecord,
      sealedSuccessor: string,
      grantExpiresAt: number,
    ): Promise<boolean>;
  };
  readonly signer: TokenSigner;
  /** Failed client authentications of this caller (AS-E5); without it, failures are not limited. */
  readonly clientAuthFailures?: ClientAuthFailureCounter;
  /** Our issuer (`iss`) and the SCIM base URL (`aud`). */
  readonly issuer: string;
  readonly audience: string;
  readonly now: () => Date;
}

/** Failed client authentications, counted per client id for the calling address. */
export interface ClientAuthFailureCounter {
  /** Seconds before this caller may try to authenticate as the client again; 0 when it may now. */
  waitSeconds(clientId: string): Promise<number>;
  recordFailure(clientId: string): Promise<void>;
}

/** RFC 6749 §5.1. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope: string;
}

/** What the handler may log about a successful exchange: ids, never a credential. */
export interface TokenOutcome {
  readonly response: TokenResponse;
  readonly tenantId: string;
  readonly clientId: string;
  readonly grantId: string;
}

export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token'] as const;

/**
 * Authenticates the client (RFC 6749 §2.3.1); any failure is `invalid_client`, the same for every cause, and
 * repeated failures from one caller make it wait (429 with Retry-After) before it may try again (AS-E5).
 */
export async function authenticateClient(
  deps: Pick<TokenEndpointDeps, 'clients' | 'now' | 'clientAuthFailures'>,
  authorization: string | undefined,
  form: FormParams,
): Promise<ClientCredentials> {
  const credentials = clientCredentialsFrom(authorization, form);
  const waitSeconds = (await deps.clientAuthFailures?.waitSeconds(credentials.clientId)) ?? 0;
  if (waitSeconds > 0) throw tooManyFailedClientAuthentications(waitSeconds);
  const client = await deps.clients.authenticate(credentials.clientId, credentials.clientSecret, deps.now());
  if (!client) {
    await deps.clientAuthFailures?.recordFailure(credentials.clientId);
    throw invalidClient('Client authentication failed', credentials.method === 'client_secret_basic');
  }
  return credentials;
}

/** POST /oauth/token (RFC 6749 §3.2): the authorization_code (§4.1.3) and refresh_token (§6) grants. */
export async function handleTokenRequest(
  deps: TokenEndpointDeps,
  authorization: string | undefined,
  form: FormParams,
): Promise<TokenOutcome> {
  const grantType = requiredParam(form, 'grant_type');
  const client = await authenticateClient(deps, authorization, form);
  if (grantType === 'authorization_code') return redeemAuthorizationCode(deps, client.clientId, form);
  if (grantType === 'refresh_token') return refresh(deps, client.clientId, form);
  throw unsupportedGrantType('Supported grant types: authorization_code and refresh_token');
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

async function redeemAuthorizationCode(deps: TokenEndpointDeps, clientId: string, form: FormParams) {
  const code = requiredParam(form, 'code');
  const redirectUri = singleParam(form, 'redirect_uri');
  const verifier = singleParam(form, 'code_verifier');
  const nowDate = deps.now();
  const now = epochSeconds(nowDate);
  const codeHash = opaqueTokenHash(code);
  const record = await deps.codes.get(codeHash);
  // RFC 6749 §4.1.3: the code must exist, be unexpired and unused, and have been issued to this client.
  if (!record || record.clientId !== clientId) throw invalidGrant('The authorization code is invalid');
  if (record.consumedAt !== undefined) return refuseReplayedCode(deps, record, nowDate);
  if (record.validUntil <= now) throw invalidGrant('The authorization code has expired');
  // RFC 6749 §4.1.3, §10.6: the same redirect_uri as in the authorization request, byte for byte.
  if (redirectUri !== record.redirectUri) {
    throw invalidGrant('The redirect_uri does not match the one of the authorization request');
  }
  // RFC 7636 §4.6; and a verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 §4.8).
  if (record.codeChallenge !== undefined) {
    if (verifier === undefined || !verifierMatchesChallenge(verifier, record.codeChallenge)) {
      throw invalidGrant('The code_verifier does not match the code_challenge');
    }
  } else if (verifier !== undefined) {
    throw invalidGrant('A code_verifier was sent, but the authorization request had no code_challenge');
  }

  const grant: GrantRecord = {
    grantId: record.grantId,
    tenantId: record.tenantId,
    clientId: record.clientId,
    subject: record.subject,
    scope: record.scope,
    status: 'active',
    createdAt: nowDate.toISOString(),
    expiresAt: now + GRANT_ABSOLUTE_LIFETIME_SECONDS,
    authTime: record.authTime,
  };
  const refreshToken = newOpaqueToken();
  const refreshRecord = newRefreshRecord(refreshToken, grant, now);
  if (!(await deps.ledger.redeemCode(codeHash, now, grant, refreshRecord))) {
    // Another request consumed the code between our read and our write, or it expired in between.
    const latest = await deps.codes.get(codeHash);
    if (latest?.consumedAt !== undefined) return refuseReplayedCode(deps, latest, nowDate);
    throw invalidGrant('The authorization code has expired');
  }
  return respond(deps, grant, grant.scope, refreshToken, now);
}

/** RFC 6749 §4.1.2: a code used twice is refused, and everything issued from it is revoked (AS-C4). */
async function refuseReplayedCode(deps: TokenEndpointDeps, record: AuthorizationCodeRecord, now: Date): Promise<never> {
  await deps.grants.revokeIfExists(record.grantId, now.toISOString(), 'code-replay');
  throw invalidGrant('The authorization code has already been used; the tokens issued from it are revoked');
}

function newRefreshRecord(token: string, grant: GrantRecord, now: number): RefreshTokenRecord {
  return {
    tokenHash: opaqueTokenHash(token),
    grantId: grant.grantId,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    subject: grant.subject,
    scope: grant.scope,
    issuedAt: now,
    validUntil: Math.min(now + REFRESH_TOKEN_IDLE_SECONDS, grant.expiresAt ?? Number.POSITIVE_INFINITY),
    status: 'active',
  };
}

async function refresh(deps: TokenEndpointDeps, clientId: string, form: FormParams): Promise<TokenOutcome> {
  const presented = requiredParam(form, 'refresh_token');
  const requestedScope = singleParam(form, 'scope');
  const nowDate = deps.now();
  const now = epochSeconds(nowDate);
  const tokenHash = opaqueTokenHash(presented);

  // Two passes at most: a rotation lost to a concurrent request is decided again from the fresh state.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const record = await deps.ledger.getRefreshToken(tokenHash);
    if (!record || record.clientId !== clientId) throw invalidGrant('The refresh token is invalid');
    const grant = await deps.grants.get(record.grantId);
    if (grant?.status !== 'active') throw invalidGrant('The refresh token has been revoked');
    if (grant.expiresAt !== undefined && grant.expiresAt <= now) throw invalidGrant('The grant has expired');
    // RFC 6749 §6: a narrower scope may be asked for the access token; the refresh token keeps the grant's.
    const scope = requestedScope === undefined ? record.scope : narrowedScope(requestedScope, record.scope);

    if (record.status === 'rotated') {
      const successor = await retryableSuccessor(deps, record, presented, now);
      if (successor === undefined) {
        await deps.grants.revokeIfExists(record.grantId, nowDate.toISOString(), 'refresh-token-reuse');
        throw invalidGrant('The refresh token has already been used; the grant is revoked');
      }
      return respond(deps, grant, scope, successor, now);
    }
    if (record.validUntil <= now) throw invalidGrant('The refresh token has expired');

    const successor = newOpaqueToken();
    const successorRecord = newRefreshRecord(successor, grant, now);
    const rotated = await deps.ledger.rotateRefreshToken(
      record,
      now,
      successorRecord,
      sealSuccessor(presented, successor),
      grant.expiresAt ?? successorRecord.validUntil,
    );
    if (rotated) return respond(deps, grant, scope, successor, now);
  }
  throw invalidGrant('The refresh token is invalid');
}

function narrowedScope(requested: string, granted: string): string {
  const scope = normalizeRequestedScope(requested);
  if (!scopeIsWithin(scope, granted)) throw invalidScope('The requested scope exceeds the granted scope');
  return scope;
}

/**
 * The grace window (AS-G5): a rotated token presented again within REFRESH_GRACE_SECONDS of its rotation gets
 * the same successor back, provided the successor has not been used itself. Anything else is reuse.
 */
async function retryableSuccessor(
  deps: TokenEndpointDeps,
  record: RefreshTokenRecord,
  presented: string,
  now: number,
): Promise<string | undefined> {
  if (record.rotatedAt === undefined || now >= record.rotatedAt + REFRESH_GRACE_SECONDS) return undefined;
  if (record.successorHash === undefined || record.sealedSuccessor === undefined) return undefined;
  const successor = await deps.ledger.getRefreshToken(record.successorHash);
  if (successor?.status !== 'active' || successor.validUntil <= now) return undefined;
  return unsealSuccessor(presented, record.sealedSuccessor);
}

async function respond(
  deps: TokenEndpointDeps,
  grant: GrantRecord,
  scope: string,
  refreshToken: string,
  now: number,
): Promise<TokenOutcome> {
  const access = await mintAccessToken(
    deps.signer,
    {
      issuer: deps.issuer,
      audience: deps.audience,
      subject: grant.subject,
      clientId: grant.clientId,
      scope,
      tenantId: grant.tenantId,
      grantId: grant.grantId,
    },
    now,
  );
  return {
    response: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
      scope,
    },
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    grantId: grant.grantId,
  };
}
