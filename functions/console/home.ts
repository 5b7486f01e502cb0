import { consoleHome } from '../../core/console/sign-in';
import { consoleResult } from '../_shared/console-route';
import { htmlRoute } from '../_shared/html-route';
import { publicBaseUrl } from '../_shared/services';

/** GET /console: on to the console's first section (which sends a visitor without a session to sign in). */
export const handler = htmlRoute(async () => consoleResult(consoleHome({ issuer: publicBaseUrl() })));
