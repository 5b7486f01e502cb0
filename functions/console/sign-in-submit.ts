import { SIGN_IN_COOKIE, submitSignIn } from '../../core/console/sign-in';
import { consoleResult, consoleSignInDeps } from '../_shared/console-route';
import { htmlRoute } from '../_shared/html-route';

/** POST /console/sign-in: checks the admin's password and starts a console session (core/console/sign-in.ts). */
export const handler = htmlRoute(async (request) =>
  consoleResult(
    await submitSignIn(consoleSignInDeps(), {
      form: request.form,
      origin: request.headers.origin,
      fetchSite: request.headers['sec-fetch-site'],
      signInSecret: request.cookies[SIGN_IN_COOKIE],
      sourceIp: request.sourceIp,
    }),
  ),
);
