import type { Browser } from 'playwright-core';
import { CONSOLE_BASE_PATH, catchAllsOf, protocolOf, routes } from '../../contract/routes';
import { launchChromium, localContext, seriousAccessibilityViolations } from '../support/console';
import { type RunningService, startService } from '../support/local-service';

/**
 * Under /console a person's browser gets the console's own HTML error pages for what no route answers: an
 * unknown path is a 404 page and a method a path has no route for a 405 page with `Allow`, through the real
 * HTTP server (which answers them as API Gateway does, without a function); never the gateway's JSON.
 */
let service: RunningService;
let browser: Browser;
jest.setTimeout(120_000);
beforeAll(async () => {
  service = await startService();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

const consoleCatchAlls = catchAllsOf(routes).filter((catchAll) => catchAll.protocol === 'console');

async function fetchPage(method: string, path: string, body?: string) {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    redirect: 'manual',
    ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
  });
  return { response, text: await response.text() };
}

function expectConsolePage(response: Response, text: string, status: number, heading: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(text).toMatch(/^<!doctype html>/);
  expect(text).toContain(`<h1>${heading}</h1>`);
  // Nothing of the request or of the service's insides is on the page.
  expect(text).not.toMatch(/urn:ietf|"schemas"|error_description|\.ts:\d|\{"/);
}

describe('the console’s error pages', () => {
  test('the manifest has console paths to probe', () => {
    expect(consoleCatchAlls.length).toBeGreaterThan(5);
  });

  test.each(consoleCatchAlls.map((catchAll) => [catchAll.path, catchAll] as const))(
    '%s: a method it has no route for is the console’s 405 page with Allow',
    async (path, catchAll) => {
      const method = (['PUT', 'DELETE', 'PATCH', 'POST', 'GET'] as const).find(
        (candidate) => !catchAll.allowedMethods.includes(candidate),
      ) as string;
      const { response, text } = await fetchPage(
        method,
        path.replace(/\{\w+\}/g, 'probe'),
        method === 'GET' || method === 'DELETE' ? undefined : '{"a":1}',
      );
      expectConsolePage(response, text, 405, 'Not available here');
      expect(response.headers.get('allow')).toBe(catchAll.allowedMethods.join(', '));
    },
  );

  test('a GET of a form-only address and a PUT of a page are 405 pages', async () => {
    for (const [method, path] of [
      ['GET', '/console/sign-out'],
      ['PUT', '/console/users'],
      ['DELETE', '/console/groups/01h0000000000000000000000'],
    ] as const) {
      const { response, text } = await fetchPage(method, path);
      expectConsolePage(response, text, 405, 'Not available here');
    }
  });

  test.each([
    '/console/no-such-page',
    '/console/users/someone/history',
    '/console/groups/some-group/members/extra',
    '/console/applications/x/connections/y/z',
  ])('%s, a path no route has, is the console’s 404 page for every method', async (path) => {
    expect(protocolOf(path)).toBe('console');
    for (const method of ['GET', 'POST', 'PUT']) {
      const { response, text } = await fetchPage(method, path, method === 'GET' ? undefined : '{}');
      expectConsolePage(response, text, 404, 'Page not found');
    }
  });

  test('outside /console an unknown path is still the gateway’s SCIM Error JSON', async () => {
    const { response, text } = await fetchPage('GET', '/consoles/nope');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(JSON.parse(text)).toMatchObject({ status: '404' });
  });

  test('the pages look like the console’s and have no serious accessibility violation, at both widths', async () => {
    for (const viewport of [undefined, { width: 390, height: 844 }]) {
      const context = await localContext(browser, viewport ? { viewport } : {});
      const page = await context.newPage();
      const shown = await page.goto(`${service.baseUrl.replace('127.0.0.1', 'localhost')}${CONSOLE_BASE_PATH}/nope`);
      expect(shown?.status()).toBe(404);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await expect(page.evaluate('document.documentElement.scrollWidth > window.innerWidth')).resolves.toBe(false);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await context.close();
    }
  });
});
