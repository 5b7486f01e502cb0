import type { ClientRecord } from '../../adapters/dynamodb/client-store';
import type { TenantRecord } from '../../adapters/dynamodb/tenant-store';
import { pathOf } from '../../contract/routes';
import { PageError } from '../../core/html/page-error';
import {
  type AuthorizationRedirectError,
  type AuthorizationRequest,
  authorizationResponseUrl,
} from '../../core/oauth/authorization-request';
import type { HtmlRequest, HtmlResult } from './html-route';
import { clientStore, publicBaseUrl, tenantStore } from './services';

/**
 * What the two authorization routes (GET /oauth/authorize, and the POST of its sign-in and consent forms)
 * share: the session cookie, lifetimes, the form's address, and the redirect back to the client.
 */
export const SESSION_COOKIE = '__Host-authorization';

/** The sign-in page stays usable for 10 minutes. */
export const LOGIN_LIFETIME_SECONDS = 10 * 60;
/** The consent page for 10 minutes after signing in, and the whole flow never beyond 15 minutes (AS-B10). */
export const CONSENT_LIFETIME_SECONDS = 10 * 60;
export const MAX_FLOW_SECONDS = 15 * 60;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Where the pages' forms post: our own authorization endpoint, under the public base URL. */
export const formAction = (): string => `${publicBaseUrl()}${pathOf('OAuthAuthorizeSubmit')}`;

/** The authorization response (RFC 6749 §4.1.2, §4.1.2.1) as a 303, with `iss` (RFC 9207). */
export function redirectToClient(
  request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  parameters: Record<string, string | undefined>,
  cookies: readonly string[] = [],
): HtmlResult {
  return {
    kind: 'redirect',
    location: authorizationResponseUrl(request.redirectUri, {
      ...parameters,
      state: request.state,
      iss: publicBaseUrl(),
    }),
    cookies,
  };
}

export const redirectError = (error: AuthorizationRedirectError): HtmlResult =>
  redirectToClient(
    { redirectUri: error.redirectUri, state: error.state },
    { error: error.error, error_description: error.description },
  );

export interface FlowParties {
  readonly client: ClientRecord;
  readonly tenant: TenantRecord;
}

/**
 * The client and tenant of a request, re-read from storage: a client deleted or a redirect URI unregistered
 * since the flow began ends it on an error page, never with a redirect.
 */
export async function loadParties(
  request: Pick<AuthorizationRequest, 'clientId' | 'redirectUri'>,
): Promise<FlowParties> {
  const client = await clientStore().get(request.clientId);
  const tenant = client ? await tenantStore().get(client.tenantId) : undefined;
  if (!client || !tenant || !client.redirectUris.includes(request.redirectUri)) {
    throw new PageError(
      400,
      'Application not available',
      'The application that sent you here is no longer registered with this service. Start again from your identity provider.',
    );
  }
  return { client, tenant };
}

/** What the forms need to say where a submission may lead (CSP form-action) and where the admin returns to. */
export function redirectTarget(redirectUri: string): { redirectOrigin: string; redirectHost: string } {
  const url = new URL(redirectUri);
  return { redirectOrigin: url.origin, redirectHost: url.host };
}

/** A single form field; a repeated one is a broken or forged form. */
export function formField(request: HtmlRequest, name: string): string | undefined {
  const values = request.form[name] ?? [];
  if (values.length > 1) throw new PageError(400, 'Invalid request', 'The form was sent with repeated fields.');
  return values[0];
}
