import { mintAccessToken } from './access-token';
import { ASSERTION_GRANT_SECRET, DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, machineGrantIdOf } from './clients';
import { invalidScope, unauthorizedClient } from './errors';
import { singleParam } from './form-params';
import type { GrantRecord, MachineGrantStore } from './grants';
import { DEFAULT_SCOPE } from './scopes';
import { boundedLifetime, epochSeconds, type TokenGrant, type TokenIssuingDeps } from './token-grant';

/**
 * The client_credentials grant, RFC 6749 §4.4, for machine clients (Microsoft Entra ID): the client acts on
 * its own tenant with no resource owner, so the token's `sub` is the client itself (RFC 9068 §2.2), and no
 * refresh token is issued (§4.4.3): the client asks again with its secret. The access token lives the
 * client's configured lifetime (60 minutes to 6 hours), and never beyond the federated assertion the client
 * authenticated with, if any (token-grant.ts `boundedLifetime`). A client that authenticates with assertions has
 * no secret, and one grant for all its tokens (clients.ts `ASSERTION_GRANT_SECRET`).
 *
 * Every token is issued under the grant of the secret that got it (clients.ts `machineGrantIdOf`), written the
 * first time that secret is used; the admin tools end that grant when the secret is rotated away or the client
 * deleted, and the resource server's grant check then refuses the token within its cache window.
 */
export interface ClientCredentialsGrantDeps extends TokenIssuingDeps {
  readonly machineGrants: MachineGrantStore;
}

/** The only scope a machine client can have; `offline_access` means nothing without refresh tokens. */
const MACHINE_SCOPE = DEFAULT_SCOPE;

/** RFC 6749 §4.4.2: `scope` is optional; each requested token must be `scim`. */
function machineScope(requested: string | undefined): string {
  const tokens = (requested ?? '').split(' ').filter((token) => token !== '');
  const other = tokens.find((token) => token !== MACHINE_SCOPE);
  if (other !== undefined) {
    throw invalidScope(`A client_credentials client may only ask for the scope ${MACHINE_SCOPE}`);
  }
  return MACHINE_SCOPE;
}

export const clientCredentialsGrant: TokenGrant<ClientCredentialsGrantDeps> = async (deps, authenticated, form) => {
  const scope = machineScope(singleParam(form, 'scope'));
  const { client, secret } = authenticated;
  const tenantId = client.tenantId;
  // A multi-tenant client has no tenant for a machine token to act in; only its admins' consents give one.
  if (tenantId === undefined) throw unauthorizedClient('A multi-tenant client cannot use the client_credentials grant');
  const nowDate = deps.now();
  const now = epochSeconds(nowDate);
  const grant: GrantRecord = {
    grantId: machineGrantIdOf(client.clientId, secret ?? ASSERTION_GRANT_SECRET),
    tenantId,
    clientId: client.clientId,
    subject: client.clientId,
    scope: MACHINE_SCOPE,
    status: 'active',
    createdAt: nowDate.toISOString(),
    ...(secret?.expiresAt === undefined ? {} : { expiresAt: secret.expiresAt }),
  };
  await deps.machineGrants.createIfAbsent(grant);
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
    boundedLifetime(client.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, now, authenticated),
  );
  return {
    response: { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope },
    grantType: 'client_credentials',
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    grantId: grant.grantId,
  };
};
