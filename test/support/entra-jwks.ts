import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { rememberSecret } from './secrets';

/**
 * A stand-in for Microsoft Entra ID's token issuer, which cannot run here: its issuer string, its discovery
 * keys served over a local HTTP server at Entra's path (`/<tenant id>/discovery/v2.0/keys`), RS256 tokens
 * with Entra's header (`kid`, `x5t`) and claim shapes (`tid`, `oid`, `azp`, `uti` and no `jti`), and a key
 * rotation. The tokens are what Entra's provisioning service sends as `client_assertion` under workload
 * identity federation.
 */
export interface EntraStandIn {
  readonly tenantId: string;
  /** `https://login.microsoftonline.com/<tenant id>/v2.0`, exactly Entra's. */
  readonly issuer: string;
  /** The local URL of the discovery keys. */
  readonly jwksUri: string;
  /** The provisioning app's service principal object id: the tokens' `sub` and `oid`. */
  readonly subject: string;
  /** How many times the keys were fetched. */
  fetches(): number;
  /** A token for `audience` signed with the current key; `overrides` replace claims (undefined removes one). */
  token(audience: string, overrides?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
  /** A token like `token`'s, signed by a key Entra never published but under the current key's kid. */
  forged(audience: string): Promise<string>;
  /** A new current key with a new kid; the old one is no longer published unless `keepOld`. */
  rotate(options?: { keepOld?: boolean }): Promise<void>;
  /** Makes the keys endpoint answer 503 (true) or the keys (false). */
  failing(value: boolean): void;
  close(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  // Entra publishes `kty`, `use`, `kid`, `x5t`, `n`, `e`, `x5c` and `issuer`; `x5c` is left out here.
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), use: 'sig', kid, x5t: kid } };
}

export async function startEntraStandIn(): Promise<EntraStandIn> {
  const tenantId = randomUUID();
  const issuer = `https://login.microsoftonline.com/${tenantId}/v2.0`;
  const subject = randomUUID();
  let published: SigningKey[] = [await newKey()];
  let current = published[0] as SigningKey;
  let fetches = 0;
  let unavailable = false;
  const keysPath = `/${tenantId}/discovery/v2.0/keys`;
  const server: Server = createServer((request, response) => {
    if (request.url !== keysPath) {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    if (unavailable) {
      response.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    const keys = published.map((key) => ({ ...key.publicJwk, issuer }));
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tenantId,
    issuer,
    jwksUri: `http://127.0.0.1:${port}${keysPath}`,
    subject,
    fetches: () => fetches,
    token: (audience, overrides = {}, lifetimeSeconds = 75 * 60) =>
      signed(current.kid, current.privateKey, audience, overrides, lifetimeSeconds),
    forged: async (audience) => signed(current.kid, (await newKey()).privateKey, audience, {}, 75 * 60),
    async rotate(options = {}) {
      current = await newKey();
      published = options.keepOld ? [...published, current] : [current];
    },
    failing(value) {
      unavailable = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  async function signed(
    kid: string,
    privateKey: CryptoKey,
    audience: string,
    overrides: Record<string, unknown>,
    lifetimeSeconds: number,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: audience,
      iss: issuer,
      iat: now - 5,
      nbf: now - 5,
      exp: now - 5 + lifetimeSeconds,
      aio: 'k2BgYGiZ2mxj/5e1fb3fXc0sAQA=',
      azp: randomUUID(),
      azpacr: '2',
      idtyp: 'app',
      oid: subject,
      rh: '1.AQUAv4j5cvGGr0GRqy180BHbR2bCvA.',
      sub: subject,
      tid: tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '2.0',
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const token = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: kid, kid })
      .sign(privateKey);
    rememberSecret(token);
    return token;
  }
}

/** A local URL nothing listens on: a JWKS endpoint that cannot be reached. */
export async function unreachableUrl(path = '/keys'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
