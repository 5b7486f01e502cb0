import { readRequest } from '../../functions/_shared/http-event';
import { matchRoute, toProxyEvent } from '../../local/api-gateway';

describe('the local API Gateway event', () => {
  test('matches manifest routes and nothing else', () => {
    expect(matchRoute('GET', '/scim/v2/ServiceProviderConfig')?.route.id).toBe('ScimServiceProviderConfig');
    expect(matchRoute('GET', '/scim/v2/ServiceProviderConfig/')?.route.id).toBe('ScimServiceProviderConfig');
    expect(matchRoute('GET', '/scim/v2/serviceproviderconfig')).toBeUndefined();
    expect(matchRoute('GET', '/')).toBeUndefined();
  });

  test('carries multi-value headers and query parameters, decoding %XX but leaving + as API Gateway does', () => {
    const match = matchRoute('GET', '/scim/v2/ServiceProviderConfig');
    if (!match) throw new Error('route missing');
    const event = toProxyEvent(
      {
        method: 'GET',
        url: '/scim/v2/ServiceProviderConfig?filter=userName+eq+%22a%40b.com%22&x=1&x=2',
        rawHeaders: ['Accept', 'application/scim+json', 'X-Test', 'one', 'X-Test', 'two'],
        body: Buffer.alloc(0),
        sourceIp: '10.0.0.1',
      },
      match,
    );
    expect(event.queryStringParameters).toEqual({ filter: 'userName+eq+"a@b.com"', x: '2' });
    expect(event.multiValueQueryStringParameters).toEqual({ filter: ['userName+eq+"a@b.com"'], x: ['1', '2'] });
    expect(event.multiValueHeaders['X-Test']).toEqual(['one', 'two']);
    expect(event.requestContext.resourcePath).toBe('/scim/v2/ServiceProviderConfig');
    expect(event.requestContext.identity.sourceIp).toBe('10.0.0.1');
    expect(event.body).toBeNull();

    const request = readRequest(event);
    expect(request.headers.accept).toBe('application/scim+json');
    expect(request.headers['x-test']).toBe('one, two');
    expect(request.query.x).toEqual(['1', '2']);
  });

  test('a query parameter or header named __proto__ or constructor is an ordinary name', () => {
    const match = matchRoute('GET', '/scim/v2/ServiceProviderConfig');
    if (!match) throw new Error('route missing');
    const event = toProxyEvent(
      {
        method: 'GET',
        url: '/scim/v2/ServiceProviderConfig?__proto__=a&__proto__=b&constructor=c&filter=d',
        rawHeaders: ['__proto__', 'x', 'Accept', 'application/scim+json'],
        body: Buffer.alloc(0),
        sourceIp: '10.0.0.1',
      },
      match,
    );
    expect(Object.entries(event.multiValueQueryStringParameters ?? {})).toEqual([
      ['__proto__', ['a', 'b']],
      ['constructor', ['c']],
      ['filter', ['d']],
    ]);
    const request = readRequest(event);
    expect(Object.entries(request.query)).toEqual([
      ['__proto__', ['a', 'b']],
      ['constructor', ['c']],
      ['filter', ['d']],
    ]);
    expect(request.query.toString).toBeUndefined();
    expect(Object.entries(request.headers)).toContainEqual(['__proto__', 'x']);
    expect(request.headers.accept).toBe('application/scim+json');
  });

  test('decodes base64 bodies', () => {
    const match = matchRoute('GET', '/scim/v2/ServiceProviderConfig');
    if (!match) throw new Error('route missing');
    const event = toProxyEvent(
      { method: 'GET', url: '/scim/v2/ServiceProviderConfig', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '::1' },
      match,
    );
    const request = readRequest({ ...event, body: Buffer.from('{"a":"é"}').toString('base64'), isBase64Encoded: true });
    expect(request.body).toBe('{"a":"é"}');
    expect(request.bodyBytes).toBe(10);
  });
});
