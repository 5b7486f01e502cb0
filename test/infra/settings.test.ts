import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RouteSpec, routes } from '../../contract/routes';
import {
  CONTEXT_KEYS,
  type ContextKey,
  readSettings,
  reservedConcurrencyOf,
  routeGroupOf,
  SettingsError,
} from '../../lib/settings';

const read = (context: Partial<Record<ContextKey, unknown>>) => readSettings((key) => context[key]);

describe('settings from CDK context', () => {
  test('have safe defaults for a dev deployment', () => {
    expect(read({})).toEqual({
      stage: 'dev',
      production: false,
      customDomain: undefined,
      logRetention: 30,
      logLevel: 'INFO',
      apiProfile: 'default',
      waf: true,
      oauthRateLimit: 300,
      throttle: { rateLimit: 100, burstLimit: 200 },
      fairShare: { scimRequestsPerTenant: 50, tokenRequestsPerClient: 5 },
      alarmEmail: undefined,
      apiGatewayCloudWatchRole: false,
      signingKeys: ['1'],
      activeSigningKey: '1',
      reservedConcurrency: new Map(),
    });
  });

  test('offer the lean API profile, which has no WAF', () => {
    expect(read({ apiProfile: 'lean' })).toMatchObject({ apiProfile: 'lean', waf: false });
    expect(read({ apiProfile: 'lean', waf: 'false' })).toMatchObject({ apiProfile: 'lean', waf: false });
    expect(read({ apiProfile: 'default', waf: 'false' })).toMatchObject({ apiProfile: 'default', waf: false });
  });

  test('keep prod logs for a year unless told otherwise', () => {
    expect(read({ stage: 'prod' })).toMatchObject({ production: true, logRetention: 365 });
    expect(read({ stage: 'prod', logRetentionDays: '90' }).logRetention).toBe(90);
  });

  test('accept strings from -c and typed values from cdk.json', () => {
    expect(read({ waf: 'false', oauthRateLimit: '50', apiGatewayCloudWatchRole: false }).waf).toBe(false);
    expect(read({ waf: false, oauthRateLimit: 50 })).toMatchObject({ waf: false, oauthRateLimit: 50 });
    expect(read({ signingKeys: ['1', '2'], activeSigningKey: '2' })).toMatchObject({
      signingKeys: ['1', '2'],
      activeSigningKey: '2',
    });
    expect(read({ signingKeys: '1, 2' })).toMatchObject({ signingKeys: ['1', '2'], activeSigningKey: '1' });
  });

  test('read a custom domain with a certificate or with a hosted zone', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123';
    expect(read({ domainName: 'SCIM.Example.com', certificateArn }).customDomain).toEqual({
      domainName: 'scim.example.com',
      certificateArn,
    });
    expect(
      read({ domainName: 'scim.example.com', hostedZoneId: 'Z0ABC', hostedZoneName: 'example.com.' }).customDomain,
    ).toEqual({
      domainName: 'scim.example.com',
      certificateArn: undefined,
      hostedZone: { id: 'Z0ABC', name: 'example.com' },
    });
  });

  test.each<[string, Partial<Record<ContextKey, unknown>>, RegExp]>([
    ['an upper-case stage', { stage: 'Prod' }, /"stage" must be lower-case/],
    ['WARN logs (they would drop metric lines)', { logLevel: 'WARN' }, /DEBUG or INFO .*metric lines/],
    ['a retention CloudWatch does not offer', { logRetentionDays: '45' }, /one of 1, 3, 5, 7, 14, 30, 60, 90/],
    ['a non-boolean waf', { waf: 'off' }, /"waf" must be true or false/],
    ['an API profile that does not exist', { apiProfile: 'cheap' }, /"apiProfile" must be default or lean/],
    ['WAF asked for in the lean profile', { apiProfile: 'lean', waf: 'true' }, /HTTP API cannot have an AWS WAF/],
    ['a rate limit under WAF’s minimum', { oauthRateLimit: '5' }, /from 10 to/],
    ['a fractional throttle', { throttleRateLimit: '1.5' }, /whole number/],
    ['a fair share of none', { scimRequestsPerTenant: '0' }, /from 1 to/],
    ['a malformed email', { alarmEmail: 'ops' }, /"alarmEmail" must be an email/],
    ['a domain without a certificate or zone', { domainName: 'scim.example.com' }, /needs either "certificateArn"/],
    ['a certificate without a domain', { certificateArn: 'arn:aws:acm:x' }, /need "domainName"/],
    [
      'a domain outside its zone',
      { domainName: 'scim.other.com', hostedZoneId: 'Z1', hostedZoneName: 'example.com' },
      /not inside/,
    ],
    ['a zone id without its name', { domainName: 'scim.example.com', hostedZoneId: 'Z1' }, /go together/],
    [
      'a non-ACM certificate',
      { domainName: 'scim.example.com', certificateArn: 'arn:aws:iam::1:x' },
      /ACM certificate ARN/,
    ],
    [
      'an active key outside the list',
      { signingKeys: '1,2', activeSigningKey: '3' },
      /"activeSigningKey" must be one of/,
    ],
    ['a repeated key generation', { signingKeys: '1,1' }, /twice/],
    ['no reserved concurrency at all', { reservedConcurrency: '0' }, /whole number from 1/],
    ['a reserved concurrency that is not a number', { reservedConcurrency: 'scim=lots' }, /whole number/],
    ['a reserved concurrency for no route', { reservedConcurrency: 'ScimUser=5' }, /neither a route id/],
    ['a route group given twice', { reservedConcurrency: 'oauth=5,oauth=6' }, /twice/],
    ['a key generation with symbols', { signingKeys: 'key-1' }, /letters and digits/],
  ])('refuse %s with a sentence', (_case, context, message) => {
    expect(() => read(context)).toThrow(SettingsError);
    expect(() => read(context)).toThrow(message);
  });

  test('reserve concurrency by route, then by route group, then for every function', () => {
    const token = routes.find((route) => route.id === 'OAuthToken') as RouteSpec;
    const authorize = routes.find((route) => route.id === 'OAuthAuthorize') as RouteSpec;
    const userGet = routes.find((route) => route.id === 'ScimUserGet') as RouteSpec;
    const jwks = routes.find((route) => route.id === 'OAuthJwks') as RouteSpec;
    const everywhere = read({ reservedConcurrency: 50 });
    expect([token, userGet, jwks].map((route) => reservedConcurrencyOf(everywhere, route))).toEqual([50, 50, 50]);
    expect(reservedConcurrencyOf(read({ reservedConcurrency: ' 40 ' }), userGet)).toBe(40);
    const mixed = read({ reservedConcurrency: 'scim=80, oauth=20, OAuthToken=30' });
    expect([token, authorize, userGet, jwks].map((route) => reservedConcurrencyOf(mixed, route))).toEqual([
      30,
      20,
      80,
      undefined,
    ]);
    expect(routeGroupOf(jwks)).toBe('wellKnown');
    expect(reservedConcurrencyOf(read({ reservedConcurrency: 'wellKnown=5' }), jwks)).toBe(5);
    expect(reservedConcurrencyOf(read({ reservedConcurrency: '*=10,scim=70' }), token)).toBe(10);
    expect(reservedConcurrencyOf(read({}), token)).toBeUndefined();
  });

  test('are all documented in the deployment guide with their defaults', () => {
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'deploy-and-operate.md'), 'utf8');
    const start = guide.indexOf('## Context keys');
    expect(start).toBeGreaterThanOrEqual(0);
    const section = guide.slice(start, guide.indexOf('\n## ', start));
    for (const key of CONTEXT_KEYS) expect(section).toContain(`| \`${key}\``);
  });
});
