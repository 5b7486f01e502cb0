import { routes } from '../../contract/routes';
import { methodNotAllowed } from '../../core/scim/errors';
import { routeStack } from '../_shared/route-stack';
import { renderScimError } from '../_shared/scim-route';

/**
 * The `ANY` routes of the SCIM paths: a method the path has no route for is a 405 SCIM Error, with the methods
 * it does have in `Allow` (RFC 9110 §15.5.6), taken from the manifest. The plain route stack is used rather
 * than `scimRoute`, so that neither the body nor a token is looked at before saying the method is wrong.
 */
export const handler = routeStack(renderScimError, async (request) => {
  const allowed = routes
    .filter((route) => route.path === request.resourcePath && route.method !== 'ANY')
    .map((route) => route.method);
  throw methodNotAllowed(request.method, allowed);
});
