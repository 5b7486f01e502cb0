import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ACTIVITY_INGEST_ENTRY } from '../../contract/activity';
import { FAIR_SHARE_TABLE } from '../../contract/fair-share';
import { consoleNotFoundAnswer } from '../../contract/method-not-allowed';
import {
  CONSOLE_BASE_PATH,
  catchAllsOf,
  OAUTH_BASE_PATH,
  pathOf,
  routeById,
  routes,
  SCIM_BASE_PATH,
  WELL_KNOWN_BASE_PATH,
} from '../../contract/routes';
import { UNMATCHED_REQUEST_ENTRY } from '../../contract/unmatched-requests';
import { synthTemplate } from '../support/synth';
import { deployedRoutes } from '../support/template-routes';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the route manifest', () => {
  const { template } = synthTemplate();

  test('the synthesized API has exactly the manifest routes, ANY on each of their paths, and ANY below /console', () => {
    const paths = [...new Set(routes.map((route) => route.path))];
    expect(deployedRoutes(template)).toEqual(
      [
        ...routes.map((route) => `${route.method} ${route.path}`),
        ...paths.map((path) => `ANY ${path}`),
        `ANY ${CONSOLE_BASE_PATH}/{proxy+}`,
      ].sort(),
    );
  });

  test('every other path under /console is answered by API Gateway with the console’s 404 page, as locally', () => {
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const [proxyId] = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::ApiGateway::Resource' && resource.Properties.PathPart === '{proxy+}',
    );
    if (!proxyId) throw new Error('no {proxy+} resource');
    const [method] = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::ApiGateway::Method' &&
        JSON.stringify(resource.Properties.ResourceId) === JSON.stringify({ Ref: proxyId[0] }),
    );
    const answer = consoleNotFoundAnswer();
    expect(method?.Properties).toMatchObject({
      HttpMethod: 'ANY',
      Integration: {
        Type: 'MOCK',
        IntegrationResponses: [
          {
            StatusCode: '404',
            ResponseParameters: Object.fromEntries(
              Object.entries(answer.headers).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
            ),
            ResponseTemplates: { 'application/json': answer.body },
          },
        ],
      },
    });
    // Static header values are quoted strings, and the template is Velocity: neither may hold what they parse.
    for (const value of Object.values(answer.headers)) expect(value).not.toContain("'");
    expect(answer.body).not.toMatch(
      /\$|##|#\*|#(if|else|elseif|end|foreach|set|include|parse|stop|break|evaluate|define|macro)\b/,
    );
  });

  test('there is one Lambda function per route (and the activity log ingest); the ANY methods invoke none', () => {
    template.resourceCountIs('AWS::Lambda::Function', routes.length + 1);
    const anyMethods = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'ANY' } }),
    );
    expect(anyMethods.length).toBe(catchAllsOf(routes).length + 1);
    for (const method of anyMethods) expect(method.Properties.Integration.Type).toBe('MOCK');
  });

  test('SCIM lives under /scim/v2, OAuth under /oauth, metadata and keys under /.well-known, the console under /console', () => {
    expect([SCIM_BASE_PATH, OAUTH_BASE_PATH, WELL_KNOWN_BASE_PATH, CONSOLE_BASE_PATH]).toEqual([
      '/scim/v2',
      '/oauth',
      '/.well-known',
      '/console',
    ]);
    for (const route of routes) {
      expect(route.path).toMatch(/^\/(scim\/v2\/|oauth\/|\.well-known\/|console$|console\/)/);
    }
    expect(pathOf('OAuthMetadata')).toBe('/.well-known/oauth-authorization-server');
  });

  test('the token route is the one that signs tokens', () => {
    for (const route of routes.filter((candidate) => candidate.capabilities?.includes('sign-tokens'))) {
      expect(route.path).toBe(pathOf('OAuthToken'));
    }
  });

  test('no code outside the manifest spells a path of the service', () => {
    const spelled = ['adapters', 'bin', 'contract', 'core', 'functions', 'lib', 'local', 'scripts']
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((path) => relative(ROOT, path) !== 'contract/routes.ts')
      .flatMap((path) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
          .filter((line) => /(['"`]|\})(\/scim\/v2|\/oauth\/|\/\.well-known\/)/.test(line))
          .map((line) => `${relative(ROOT, path)}: ${line.trim()}`),
      );
    expect(spelled).toEqual([]);
  });

  test('route ids and method+path pairs are unique', () => {
    expect(new Set(routes.map((route) => route.id)).size).toBe(routes.length);
    expect(new Set(routes.map((route) => `${route.method} ${route.path}`)).size).toBe(routes.length);
  });

  test('bearer-authenticated routes may read grants (revocation) and the signing key’s public half', () => {
    for (const route of routes.filter((candidate) => candidate.auth === 'scim-bearer')) {
      expect(route.tables.grants).toBe('read');
      expect(route.capabilities).toContain('read-signing-key');
    }
  });

  test('every bearer-authenticated route and the token route take a fair share, from the table that holds it', () => {
    const sharing = routes.filter((route) => route.capabilities?.includes('take-fair-share')).map((route) => route.id);
    expect(sharing.sort()).toEqual(
      routes
        .filter((route) => route.auth === 'scim-bearer' || route.id === 'OAuthToken')
        .map((route) => route.id)
        .sort(),
    );
    for (const id of sharing) expect(routeById(id)?.tables[FAIR_SHARE_TABLE]).toBeDefined();
  });

  test('each entry file is one route’s', () => {
    expect(new Set(routes.map((route) => route.entry)).size).toBe(routes.length);
  });

  test('every path gets one catch-all that allows exactly its routes’ methods, in the protocol of its prefix', () => {
    expect(catchAllsOf(routes)).toContainEqual({
      path: '/scim/v2/Users/{id}',
      allowedMethods: ['GET', 'PUT', 'PATCH', 'DELETE'],
      protocol: 'scim',
    });
    expect(catchAllsOf(routes)).toContainEqual({
      path: '/oauth/authorize',
      allowedMethods: ['GET', 'POST'],
      protocol: 'oauth',
    });
    expect(catchAllsOf(routes)).toContainEqual({
      path: '/.well-known/jwks.json',
      allowedMethods: ['GET'],
      protocol: 'oauth',
    });
    for (const catchAll of catchAllsOf(routes)) {
      const methods = routes.filter((route) => route.path === catchAll.path).map((route) => route.method);
      expect(catchAll.allowedMethods).toEqual(methods);
      expect(catchAll.protocol).toBe(
        catchAll.path.startsWith('/scim/v2/')
          ? 'scim'
          : catchAll.path.startsWith(CONSOLE_BASE_PATH)
            ? 'console'
            : 'oauth',
      );
    }
  });

  test.each(routes.map((route) => [route.id, route.entry]))('%s: %s exists and exports handler', async (_id, entry) => {
    expect(existsSync(join(ROOT, entry))).toBe(true);
    const module = (await import(join(ROOT, entry))) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  test('every function entry file outside functions/_shared is some route’s entry, the activity ingest or the lean 404/405', () => {
    const entries = new Set<string>([
      ...routes.map((route) => route.entry),
      ACTIVITY_INGEST_ENTRY,
      UNMATCHED_REQUEST_ENTRY,
    ]);
    const orphans = sourceFiles(join(ROOT, 'functions'))
      .map((path) => relative(ROOT, path))
      .filter((path) => !path.startsWith('functions/_shared/') && !entries.has(path));
    expect(orphans).toEqual([]);
  });
});
