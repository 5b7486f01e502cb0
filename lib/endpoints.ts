import { pathOf, SCIM_BASE_PATH } from '../contract/routes';

/**
 * What Okta's provisioning form and the admin CLI need, for a base URL without a trailing slash: the stack
 * outputs and the URLs `npm start` prints, derived from the route manifest.
 */
export function publicEndpoints(baseUrl: string) {
  return {
    scimBaseUrl: `${baseUrl}${SCIM_BASE_PATH}`,
    authorizationEndpoint: `${baseUrl}${pathOf('OAuthAuthorize')}`,
    tokenEndpoint: `${baseUrl}${pathOf('OAuthToken')}`,
    issuer: baseUrl,
    jwksUrl: `${baseUrl}${pathOf('OAuthJwks')}`,
    consoleUrl: `${baseUrl}${pathOf('ConsoleHome')}`,
  };
}
