import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { METHOD_NOT_ALLOWED_ENTRY, OAUTH_METHOD_NOT_ALLOWED_ENTRY, routes } from '../../contract/routes';
import { AUTHORIZATION_PATH, AUTHORIZE_ROUTE_ID, TOKEN_PATH, TOKEN_ROUTE_ID } from '../../lib/endpoints';
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

  test('the synthesized API has exactly the manifest routes', () => {
    expect(deployedRoutes(template)).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  test('there is one Lambda function per route', () => {
    template.resourceCountIs('AWS::Lambda::Function', routes.length);
  });

  test('SCIM lives under /scim/v2, OAuth under /oauth, metadata and keys under /.well-known', () => {
    for (const route of routes) {
      expect(route.path).toMatch(/^\/(scim\/v2|oauth|\.well-known)\//);
    }
  });

  test('the authorize and token routes, once in the manifest, sit where the stack outputs point Okta', () => {
    for (const route of routes) {
      if (route.id === AUTHORIZE_ROUTE_ID) expect(route.path).toBe(AUTHORIZATION_PATH);
      if (route.id === TOKEN_ROUTE_ID) expect(route.path).toBe(TOKEN_PATH);
      if (route.path === TOKEN_PATH && route.method === 'POST') expect(route.capabilities).toContain('sign-tokens');
    }
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

  test('each entry file is one route’s, except the 405 catch-alls (ANY), which share one per protocol', () => {
    const specific = routes.filter((route) => route.method !== 'ANY');
    expect(new Set(specific.map((route) => route.entry)).size).toBe(specific.length);
    const catchAlls = routes.filter((route) => route.method === 'ANY');
    const entriesUnder = (prefix: string) =>
      new Set(catchAlls.filter((route) => route.path.startsWith(prefix)).map((route) => route.entry));
    expect(entriesUnder('/scim/')).toEqual(new Set([METHOD_NOT_ALLOWED_ENTRY]));
    expect(entriesUnder('/oauth/')).toEqual(new Set([OAUTH_METHOD_NOT_ALLOWED_ENTRY]));
    expect(catchAlls.every((route) => /^\/(scim|oauth)\//.test(route.path))).toBe(true);
    expect(specific.map((route) => route.entry)).not.toContain(METHOD_NOT_ALLOWED_ENTRY);
    expect(specific.map((route) => route.entry)).not.toContain(OAUTH_METHOD_NOT_ALLOWED_ENTRY);
    expect(catchAlls.every((route) => route.auth === 'public' && Object.keys(route.tables).length === 0)).toBe(true);
  });

  test('every SCIM path answers other methods with 405 (an ANY route)', () => {
    const scimPaths = new Set(routes.filter((route) => route.path.startsWith('/scim/')).map((route) => route.path));
    const withCatchAll = new Set(
      routes.filter((route) => route.method === 'ANY' && route.path.startsWith('/scim/')).map((route) => route.path),
    );
    expect(withCatchAll).toEqual(scimPaths);
  });

  test.each(routes.map((route) => [route.id, route.entry]))('%s: %s exists and exports handler', async (_id, entry) => {
    expect(existsSync(join(ROOT, entry))).toBe(true);
    const module = (await import(join(ROOT, entry))) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  test('every function entry file outside functions/_shared is some route’s entry', () => {
    const entries = new Set<string>(routes.map((route) => route.entry));
    const orphans = sourceFiles(join(ROOT, 'functions'))
      .map((path) => relative(ROOT, path))
      .filter((path) => !path.startsWith('functions/_shared/') && !entries.has(path));
    expect(orphans).toEqual([]);
  });
});
