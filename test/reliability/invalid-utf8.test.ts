import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { type RunningService, startService } from '../support/local-service';
import { oauthFixture } from '../support/oauth';
import { scimTestToken } from '../support/tokens';

// Bytes that are not UTF-8, sent over HTTP: the local server, like API Gateway, hands the body to the function
// as a string, so they arrive as U+FFFD. Whatever they replace, the answer is a protocol answer, never a 500.

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

const INVALID = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88])];

async function post(path: string, headers: Record<string, string>, body: Buffer) {
  const response = await fetch(`${service.baseUrl}${path}`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test.each(INVALID.map((bytes) => [bytes.toString('hex'), bytes]))(
  'invalid UTF-8 (%s) inside a userName and between JSON tokens',
  async (_hex, bytes) => {
    const { token } = await scimTestToken();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' };
    const prefix = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bad';
    const inString = await post(
      '/scim/v2/Users',
      headers,
      Buffer.concat([Buffer.from(prefix), bytes, Buffer.from('@example.com"}')]),
    );
    expect(inString.status).toBe(201);
    expect(inString.body.userName).toMatch(/^bad\uFFFD+@example\.com$/);

    const between = await post(
      '/scim/v2/Users',
      headers,
      Buffer.concat([Buffer.from('{"userName":"x@example.com",'), bytes, Buffer.from('"active":true}')]),
    );
    expect(between.status).toBe(400);
    expect(between.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax' });
  },
);

test('invalid UTF-8 in an OAuth form body is an RFC 6749 error', async () => {
  const fixture = await oauthFixture();
  const answer = await post(
    '/oauth/token',
    {
      Authorization: `Basic ${Buffer.from(`${fixture.clientId}:${fixture.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    Buffer.concat([
      Buffer.from('grant_type=authorization_code&code='),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('&redirect_uri=x'),
    ]),
  );
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: 'invalid_grant' });
});
