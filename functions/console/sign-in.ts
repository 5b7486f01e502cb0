import { showSignIn } from '../../core/console/sign-in';
import { consoleResult } from '../_shared/console-route';
import { htmlRoute } from '../_shared/html-route';
import { publicBaseUrl } from '../_shared/services';

/** GET /console/sign-in: the sign-in form (core/console/sign-in.ts). */
export const handler = htmlRoute(async (request) =>
  consoleResult(showSignIn({ issuer: publicBaseUrl() }, request.query)),
);
