import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import { base64url, decodeProtectedHeader } from 'jose';
import * as oauth from 'oauth4webapi';
import { KmsTokenSigner } from '../../adapters/kms/kms-signer';
import { FileTokenSigner } from '../../adapters/local/file-signer';
import {
  AccessTokenError,
  mintAccessToken,
  rememberingAccessTokenVerifier,
  verifyAccessToken,
} from '../../core/oauth/access-token';
import { derToJoseSignature } from '../../core/oauth/signer';

const claims = {
  issuer: 'https://auth.example.test',
  audience: 'https://auth.example.test/scim/v2',
  subject: 'admin-1',
  clientId: 'client-1',
  scope: 'scim',
  tenantId: 'tenant-1',
  grantId: 'grant-1',
};
const expected = { issuer: claims.issuer, audience: claims.audience };

const keyFile = () => join(mkdtempSync(join(tmpdir(), 'signer-')), 'key.json');

describe('access tokens (RFC 9068)', () => {
  const signer = new FileTokenSigner(keyFile());

  test('carry typ at+jwt, ES256, kid and the claims, and verify', async () => {
    const { token, expiresIn } = await mintAccessToken(signer, claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: await signer.keyId() });
    expect(expiresIn).toBe(3600);
    const verified = await verifyAccessToken(token, [await signer.publicJwk()], expected);
    expect(verified).toMatchObject({ ...claims, tokenId: expect.any(String), expiresAt: expect.any(Number) });
  });

  test('follow a key rotation: each published key list verifies exactly its own keys, however often it is reused', async () => {
    const rotated = new FileTokenSigner(keyFile());
    const before = [await signer.publicJwk()];
    const during = [await signer.publicJwk(), await rotated.publicJwk()];
    const { token: oldToken } = await mintAccessToken(signer, claims);
    const { token: newToken } = await mintAccessToken(rotated, claims);
    for (let round = 0; round < 2; round += 1) {
      await expect(verifyAccessToken(oldToken, before, expected)).resolves.toMatchObject({ tenantId: 'tenant-1' });
      await expect(verifyAccessToken(newToken, before, expected)).rejects.toThrow(AccessTokenError);
      await expect(verifyAccessToken(newToken, during, expected)).resolves.toMatchObject({ tenantId: 'tenant-1' });
      await expect(verifyAccessToken(oldToken, during, expected)).resolves.toMatchObject({ tenantId: 'tenant-1' });
    }
  });

  test('are accepted by oauth4webapi’s independent RFC 9068 validator', async () => {
    const { token } = await mintAccessToken(signer, claims);
    const jwk = await signer.publicJwk();
    const as = { issuer: claims.issuer, jwks_uri: 'https://auth.example.test/.well-known/jwks.json' };
    const request = new Request('https://auth.example.test/scim/v2/Users', {
      headers: { Authorization: `Bearer ${token}` },
    });
    const jwksFetch = async () => Response.json({ keys: [jwk] });
    const result = await oauth.validateJwtAccessToken(as, request, claims.audience, {
      [oauth.customFetch]: jwksFetch as typeof fetch,
    });
    expect(result.client_id).toBe('client-1');
    expect(result.sub).toBe('admin-1');
  });

  test.each([
    ['another issuer', { issuer: 'https://evil.example.test', audience: claims.audience }],
    ['another audience', { issuer: claims.issuer, audience: 'https://other.example.test/scim/v2' }],
  ])('are refused for %s', async (_name, wrong) => {
    const { token } = await mintAccessToken(signer, claims);
    await expect(verifyAccessToken(token, [await signer.publicJwk()], wrong)).rejects.toThrow(AccessTokenError);
  });

  test('are refused once expired', async () => {
    const issuedAt = Math.floor(Date.now() / 1000) - 7200;
    const { token } = await mintAccessToken(signer, claims, issuedAt, 3600);
    await expect(verifyAccessToken(token, [await signer.publicJwk()], expected)).rejects.toThrow('expired');
  });

  test('verified once per container: a remembered token still expires, and nothing refused is remembered', async () => {
    const verify = rememberingAccessTokenVerifier(2);
    const keys = [await signer.publicJwk()];
    const now = Math.floor(Date.now() / 1000);
    const { token } = await mintAccessToken(signer, claims, now, 60);
    const first = await verify(token, keys, expected, now);
    await expect(verify(token, keys, expected, now + 59)).resolves.toBe(first);
    await expect(verify(token, keys, { ...expected, audience: 'https://other.example.test' }, now)).rejects.toThrow(
      AccessTokenError,
    );
    await expect(verify(token, [await new FileTokenSigner(keyFile()).publicJwk()], expected, now)).rejects.toThrow(
      AccessTokenError,
    );
    await expect(verify(token, keys, expected, now + 60)).rejects.toThrow('expired');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), tenant_id: 'tenant-2' }))}.${signature}`;
    for (let round = 0; round < 2; round += 1) {
      await expect(verify(tampered, keys, expected, now)).rejects.toThrow(AccessTokenError);
    }
    // At most two remembered: the oldest goes first and is simply verified again.
    const others = await Promise.all([1, 2, 3].map(() => mintAccessToken(signer, claims, now, 60)));
    for (const other of others) await expect(verify(other.token, keys, expected, now)).resolves.toMatchObject(claims);
    await expect(verify(others[0]?.token ?? '', keys, expected, now)).resolves.toMatchObject(claims);
  });

  test('are refused when signed by another key', async () => {
    const other = new FileTokenSigner(keyFile());
    const { token } = await mintAccessToken(other, claims);
    await expect(verifyAccessToken(token, [await signer.publicJwk()], expected)).rejects.toThrow(AccessTokenError);
  });

  test('are refused with alg none, a wrong typ, or a tampered payload', async () => {
    const { token } = await mintAccessToken(signer, claims);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const keys = [await signer.publicJwk()];
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
    await expect(verifyAccessToken(none, keys, expected)).rejects.toThrow(AccessTokenError);
    const jwtTyped = base64url.encode(
      JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(header))), typ: 'JWT' }),
    );
    await expect(verifyAccessToken(`${jwtTyped}.${payload}.${signature}`, keys, expected)).rejects.toThrow(
      AccessTokenError,
    );
    const tampered = base64url.encode(
      JSON.stringify({ ...JSON.parse(new TextDecoder().decode(base64url.decode(payload))), tenant_id: 'tenant-2' }),
    );
    await expect(verifyAccessToken(`${header}.${tampered}.${signature}`, keys, expected)).rejects.toThrow(
      AccessTokenError,
    );
    await expect(verifyAccessToken('not-a-jwt', keys, expected)).rejects.toThrow(AccessTokenError);
  });

  test('the local key file is created once and reused', async () => {
    const file = keyFile();
    const first = new FileTokenSigner(file);
    const second = new FileTokenSigner(file);
    expect(await second.keyId()).toBe(await first.keyId());
  });
});

describe('the KMS signer', () => {
  // AWS KMS cannot run here: this fake answers Sign and GetPublicKey the way KMS does (DER signature over the
  // digest, SPKI DER public key) with a local P-256 key, so the conversion and verification are real.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const fakeKms = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      if (command.constructor.name === 'SignCommand') {
        expect(command.input).toMatchObject({ MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
        const der = sign('sha256', command.input.Message as Uint8Array, { key: privateKey, dsaEncoding: 'der' });
        return { Signature: new Uint8Array(der) };
      }
      return { PublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })) };
    },
  } as unknown as KMSClient;

  test('converts DER signatures to JOSE form and produces verifiable tokens', async () => {
    expect(derToJoseSignature(new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]))).toEqual(
      new Uint8Array([...new Array(31).fill(0), 1, ...new Array(31).fill(0), 2]),
    );
    expect(() => derToJoseSignature(new Uint8Array([0x31, 0x00]))).toThrow('Malformed');

    const signer = new KmsTokenSigner(fakeKms, 'arn:aws:kms:eu-west-1:111122223333:key/test');
    for (let attempt = 0; attempt < 20; attempt += 1) {
      // DER integers vary in length (leading zero bytes); twenty signatures exercise the padding paths.
      const { token } = await mintAccessToken(signer, claims);
      expect(token.split('.')[2]).toHaveLength(86);
      await expect(verifyAccessToken(token, [await signer.publicJwk()], expected)).resolves.toMatchObject(claims);
    }
    expect(sent.filter((call) => call.name === 'GetPublicKeyCommand')).toHaveLength(1);
  });
});
