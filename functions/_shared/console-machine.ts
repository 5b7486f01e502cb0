import type { MachineClientDeps } from '../../core/console/machine-clients';
import type { ScimTokenPageDeps } from '../../core/console/scim-tokens';
import type { SignedInRequest } from './console-route';
import { assertionReplayStore, clientStore, grantStore, scimTokenStore } from './services';

/** The machine-client pages' dependencies, on the tables the route manifest grants them. */
export const machineClientDeps = (request: SignedInRequest): MachineClientDeps => ({
  clients: clientStore(),
  grants: grantStore(),
  forms: assertionReplayStore(),
  sessions: request.deps.sessions,
  issuer: request.deps.issuer,
  now: request.deps.now,
});

/** The SCIM token pages' dependencies: the tokens live in the grants table, as the CLI's `token` commands keep them. */
export const scimTokenPageDeps = (request: SignedInRequest): ScimTokenPageDeps => ({
  tokens: scimTokenStore(),
  forms: assertionReplayStore(),
  sessions: request.deps.sessions,
  issuer: request.deps.issuer,
  now: request.deps.now,
});
