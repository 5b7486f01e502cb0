import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';

/**
 * The ServiceProviderConfig resource, RFC 7643 §5: what this service provider supports, stated honestly
 * because clients such as Entra read it to decide what to send.
 */
export function serviceProviderConfig(scimBaseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${scimBaseUrl}/ServiceProviderConfig`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4: index paging (startIndex/count) and cursor paging on the same endpoint.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize: MAX_PAGE_SIZE,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'An RFC 9068 JWT access token from this service’s OAuth 2.0 authorization server (authorization code grant), or a long-lived SCIM token (scimtok_…) a tenant admin created, sent as Authorization: Bearer <token>.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${scimBaseUrl}/ServiceProviderConfig`,
    },
  };
}
