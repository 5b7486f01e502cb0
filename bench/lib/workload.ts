import type { InvokeRequest } from '../../test/support/invoke';
import { oktaCreateBody } from '../../test/support/scim-fixtures';

/** The requests Okta sends, with its headers and content type (okta-scim §1). */
const SCIM_JSON = 'application/scim+json; charset=utf-8';

export const scimHeaders = (token: string, withBody = false): Record<string, string> => ({
  Accept: 'application/scim+json',
  'User-Agent': 'Okta SCIM Client 1.0.0',
  Authorization: `Bearer ${token}`,
  ...(withBody ? { 'Content-Type': SCIM_JSON } : {}),
});

/** A unique, realistic userName for the n-th user of a run. */
export const userNameFor = (run: string, n: number): string => `user${n}.${run}@example.com`;

export const createRequest = (token: string, userName: string): InvokeRequest => ({
  method: 'POST',
  url: '/scim/v2/Users',
  headers: scimHeaders(token, true),
  body: JSON.stringify({ ...oktaCreateBody(userName), externalId: `00u${userName.length}${userName.slice(4, 12)}` }),
});

export const getRequest = (token: string, id: string): InvokeRequest => ({
  method: 'GET',
  url: `/scim/v2/Users/${id}`,
  headers: scimHeaders(token),
});

/** Okta's lookup before a create: `userName eq`, URL-encoded, with its paging parameters. */
export const lookupRequest = (token: string, userName: string): InvokeRequest => ({
  method: 'GET',
  url: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
  headers: scimHeaders(token),
});

/** Okta's profile push: a full PUT of the user it holds, with one attribute changed. */
export const replaceRequest = (token: string, user: Record<string, unknown>, title: string): InvokeRequest => {
  const { meta: _meta, ...attributes } = user;
  return {
    method: 'PUT',
    url: `/scim/v2/Users/${String(user.id)}`,
    headers: scimHeaders(token, true),
    body: JSON.stringify({ ...attributes, title }),
  };
};

/** Okta's deactivation (and reactivation): a path-less PATCH of `active`. */
export const activeRequest = (token: string, id: string, active: boolean): InvokeRequest => ({
  method: 'PATCH',
  url: `/scim/v2/Users/${id}`,
  headers: scimHeaders(token, true),
  body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', value: { active } }],
  }),
});

/** One page of Okta's import walk. */
export const pageRequest = (token: string, startIndex: number, count = 100): InvokeRequest => ({
  method: 'GET',
  url: `/scim/v2/Users?startIndex=${startIndex}&count=${count}`,
  headers: scimHeaders(token),
});

export const refreshRequest = (authorization: string, refreshToken: string): InvokeRequest => ({
  method: 'POST',
  url: '/oauth/token',
  headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
});

export const redeemRequest = (authorization: string, code: string, redirectUri: string): InvokeRequest => ({
  method: 'POST',
  url: '/oauth/token',
  headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
});

/** Runs `work(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function inParallel(total: number, concurrency: number, work: (index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/** Silences the functions' JSON log lines while a benchmark runs (they still format and write them). */
export async function withFunctionLogsDiscarded<T>(run: () => Promise<T>): Promise<T> {
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{')) return true;
    return (stderrWrite as (chunk: string, ...args: unknown[]) => boolean).call(process.stderr, text, ...rest);
  }) as typeof process.stderr.write;
  try {
    return await run();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}
