import { AuthorizationCodeStore } from '../../adapters/dynamodb/authorization-code-store';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import { opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { tableName } from '../../functions/_shared/config';
import { AuthorizeBrowser, hiddenField, type PageResponse } from '../support/authorize-client';
import { type RunningService, startService } from '../support/local-service';
import { type ConnectionFixture, createConnectionFixture, OKTA_CALLBACK } from '../support/oauth-fixtures';

let service: RunningService;
let connection: ConnectionFixture;
beforeAll(async () => {
  service = await startService();
  connection = await createConnectionFixture();
});
afterAll(() => service.close());

const codes = () => new AuthorizationCodeStore(dynamoDocumentClient(), tableName('grants'));

/** The authorization request Okta sends, with overrides. */
function oktaRequest(overrides: Record<string, string | readonly string[] | undefined> = {}) {
  return {
    response_type: 'code',
    client_id: connection.clientId,
    redirect_uri: OKTA_CALLBACK,
    state: 'okta-state-123',
    ...overrides,
  };
}

async function startFlow(browser: AuthorizeBrowser, overrides = {}): Promise<PageResponse> {
  const page = await browser.get(browser.authorizeUrl(oktaRequest(overrides)));
  expect(page.status).toBe(200);
  return page;
}

async function signIn(browser: AuthorizeBrowser, loginPage: PageResponse, email = connection.adminEmail) {
  return browser.post({
    step: 'login',
    csrf_token: hiddenField(loginPage.body, 'csrf_token'),
    email,
    password: connection.adminPassword,
  });
}

function callbackParameters(location: string | null): URLSearchParams {
  expect(location).not.toBeNull();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(OKTA_CALLBACK);
  return url.searchParams;
}

describe('the authorization code flow through the pages', () => {
  test('AS-A8: sign-in, consent and Allow end in a 303 to the redirect URI with code, state and iss', async () => {
    const browser = new AuthorizeBrowser(service.baseUrl);
    const login = await startFlow(browser);
    expect(login.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const consent = await signIn(browser, login);
    expect(consent.status).toBe(200);
    expect(consent.body).toContain(connection.clientName);
    expect(consent.body).toContain(connection.tenantName);
    const answer = await browser.post({
      step: 'consent',
      csrf_token: hiddenField(consent.body, 'csrf_token'),
      decision: 'allow',
    });
    expect(answer.status).toBe(303);
    const parameters = callbackParameters(answer.location);
    expect([...parameters.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(parameters.get('state')).toBe('okta-state-123');
    expect(parameters.get('iss')).toBe(service.baseUrl);
    const record = await codes().get(opaqueTokenHash(parameters.get('code') as string));
    expect(record).toMatchObject({ tenantId: connection.tenantId, clientId: connection.clientId });
  });
});
