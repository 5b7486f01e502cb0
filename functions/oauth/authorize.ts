import { startAuthorization } from '../../core/oauth/authorize-endpoint';
import { authorizeEndpointDeps, authorizeResult } from '../_shared/authorize-flow';
import { htmlRoute } from '../_shared/html-route';

/** GET /oauth/authorize: core/oauth/authorize-endpoint.ts checks the request and starts the sign-in. */
export const handler = htmlRoute(async (request) =>
  authorizeResult(await startAuthorization(authorizeEndpointDeps(), request.query)),
);
