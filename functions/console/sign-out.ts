import { CONSOLE_SESSION_COOKIE } from '../../core/console/guard';
import { signOut } from '../../core/console/sign-in';
import { consoleResult } from '../_shared/console-route';
import { htmlRoute } from '../_shared/html-route';
import { consoleSessionStore, publicBaseUrl } from '../_shared/services';

/** POST /console/sign-out: ends the session server-side, whatever role the admin holds by now. */
export const handler = htmlRoute(async (request) =>
  consoleResult(
    await signOut(
      { sessions: consoleSessionStore(), issuer: publicBaseUrl() },
      {
        form: request.form,
        origin: request.headers.origin,
        fetchSite: request.headers['sec-fetch-site'],
        sessionSecret: request.cookies[CONSOLE_SESSION_COOKIE],
      },
    ),
  ),
);
