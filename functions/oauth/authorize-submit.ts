import { AUTHORIZATION_SESSION_COOKIE, submitAuthorization } from '../../core/oauth/authorize-endpoint';
import { authorizeResult, authorizeSubmitDeps } from '../_shared/authorize-flow';
import { htmlRoute } from '../_shared/html-route';

/** POST /oauth/authorize: the sign-in and consent forms, decided by core/oauth/authorize-endpoint.ts. */
export const handler = htmlRoute(async (request) =>
  authorizeResult(
    await submitAuthorization(authorizeSubmitDeps(), {
      form: request.form,
      sessionSecret: request.cookies[AUTHORIZATION_SESSION_COOKIE],
      origin: request.headers.origin,
      fetchSite: request.headers['sec-fetch-site'],
      sourceIp: request.sourceIp,
    }),
  ),
);
