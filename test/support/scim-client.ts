import type { RunningService } from './local-service';

export interface ScimResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed body, or undefined when there is none. */
  readonly body: Record<string, unknown> | undefined;
}

/** A SCIM client speaking HTTP to the local server the way Okta does (its headers, its content type). */
export function scimClient(service: RunningService, token: string | undefined) {
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse> => {
    const response = await fetch(`${service.scimBaseUrl}${path}`, {
      method,
      headers: {
        Accept: 'application/scim+json',
        'Accept-Charset': 'utf-8',
        'User-Agent': 'Okta SCIM Client 1.0.0',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/scim+json; charset=utf-8' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) => send('POST', path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => send('PUT', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => send('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => send('DELETE', path, undefined, headers),
    send,
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

/** A PatchOp message (RFC 7644 §3.5.2). */
export const patchOp = (...operations: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: operations,
});

/** GET /Users with a filter, encoded the way Okta encodes it. */
export const filterPath = (filter: string, extra = '&startIndex=1&count=100') =>
  `/Users?filter=${encodeURIComponent(filter)}${extra}`;

export type ListedUser = Record<string, unknown> & { id: string; userName: string };

/** The Resources of a ListResponse (empty when there are none). */
export const resourcesOf = (response: ScimResponse): ListedUser[] => (response.body?.Resources ?? []) as ListedUser[];
