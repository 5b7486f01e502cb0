import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { METHOD_NOT_ALLOWED_ENTRY, routes } from '../../contract/routes';
import { synthTemplate } from '../support/synth';

const ROOT = join(__dirname, '..', '..');
/** The OAuth endpoints' 405 answers are RFC 6749 error JSON, not SCIM errors, so they have their own entry. */
const OAUTH_METHOD_NOT_ALLOWED_ENTRY = 'functions/oauth/method-not-allowed.ts';

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** `METHOD /path` for every method in the template, rebuilt from the Resource → ParentId chain. */
function deployedRoutes(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const pathOf = (resourceId: unknown): string => {
    if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) return '';
    const ref = (resourceId as { Ref: string }).Ref;
    const resource = resources[ref];
    if (!resource) throw new Error(`unknown resource ${ref}`);
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart as string}`;
  };
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties.HttpMethod !== 'OPTIONS')
    .map((method) => `${method.Properties.HttpMethod as string} ${pathOf(method.Properties.ResourceId)}`)
    .sort();
}

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
    expect(new Set(catchAlls.map((route) => route.entry))).toEqual(
      new Set([METHOD_NOT_ALLOWED_ENTRY, OAUTH_METHOD_NOT_ALLOWED_ENTRY]),
    );
    expect(specific.map((route) => route.entry)).not.toContain(METHOD_NOT_ALLOWED_ENTRY);
    expect(specific.map((route) => route.entry)).not.toContain(OAUTH_METHOD_NOT_ALLOWED_ENTRY);
    expect(catchAlls.every((route) => route.auth === 'public' && Object.keys(route.tables).length === 0)).toBe(true);
  });

  test('every SCIM path answers other methods with 405 (an ANY route)', () => {
    const scimPaths = new Set(routes.filter((route) => route.path.startsWith('/scim/')).map((route) => route.path));
    const withCatchAll = new Set(
      routes
        .filter((route) => route.method === 'ANY' && route.entry === METHOD_NOT_ALLOWED_ENTRY)
        .map((route) => route.path),
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
