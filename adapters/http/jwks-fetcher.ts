import { JWKS_FETCH_BUDGET } from '../../contract/time-budget';
import { MAX_REMOTE_JWKS_BYTES } from '../../core/oauth/assertion-keys';

/**
 * Fetches an identity provider's JWKS document over HTTPS: within the time budget, without following
 * redirects (a redirect could lead anywhere, plain http included), reading at most MAX_REMOTE_JWKS_BYTES.
 * Any failure throws; the caller (RemoteKeySets) decides what it means for the request.
 */
export async function fetchJwksDocument(uri: string): Promise<unknown> {
  const signal = AbortSignal.timeout(JWKS_FETCH_BUDGET.timeoutMs);
  const response = await fetch(uri, { headers: { Accept: 'application/json' }, redirect: 'error', signal });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`The JWKS endpoint answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_REMOTE_JWKS_BYTES) {
    await response.body.cancel();
    throw new Error('The JWKS document is too large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_REMOTE_JWKS_BYTES) throw new Error('The JWKS document is too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
