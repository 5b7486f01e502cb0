import type { ApplicationDeps } from '../../core/console/applications';
import type { SignedInRequest } from './console-route';
import { assertionReplayStore, clientStore, grantStore, userStore } from './services';

/** The applications pages' dependencies, on the tables the route manifest grants them. */
export const applicationDeps = (request: SignedInRequest): ApplicationDeps => ({
  clients: clientStore(),
  grants: grantStore(),
  users: userStore(),
  sessions: request.deps.sessions,
  forms: assertionReplayStore(),
  issuer: request.deps.issuer,
  now: request.deps.now,
});

/** A path parameter of the route (API Gateway never calls a route without it). */
export const pathParam = (request: SignedInRequest, name: string): string => request.pathParams[name] ?? '';
