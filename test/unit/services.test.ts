import type { JWK } from 'jose';
import { LOCAL_VERIFICATION_JWKS_ENV } from '../../contract/environment';
import { AWS_CALL_BUDGET, FUNCTION_TIMEOUT_SECONDS } from '../../contract/time-budget';
import {
  ConfigError,
  clientStore,
  documentClient,
  provideTokenSigner,
  publicBaseUrl,
  scimBaseUrl,
  tableName,
  tokenSigner,
  verificationKeys,
} from '../../functions/_shared/services';

const ENVIRONMENT = [
  'PUBLIC_BASE_URL',
  'CLIENTS_TABLE_NAME',
  'GRANTS_TABLE_NAME',
  'TOKEN_SIGNING_KEY_ARN',
  'NODE_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  LOCAL_VERIFICATION_JWKS_ENV,
];
const saved = Object.fromEntries(ENVIRONMENT.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the functions’ composition root', () => {
  test('a missing or empty variable fails loudly, naming it', () => {
    delete process.env.PUBLIC_BASE_URL;
    expect(() => publicBaseUrl()).toThrow(new ConfigError('Missing required environment variable PUBLIC_BASE_URL'));
    process.env.GRANTS_TABLE_NAME = '';
    expect(() => tableName('grants')).toThrow(
      new ConfigError('Missing required environment variable GRANTS_TABLE_NAME'),
    );
  });

  test('table names and the base URLs come from the environment the stack sets', () => {
    process.env.GRANTS_TABLE_NAME = 'grants-table';
    process.env.PUBLIC_BASE_URL = 'https://api.example.test/prod/';
    expect(tableName('grants')).toBe('grants-table');
    expect(publicBaseUrl()).toBe('https://api.example.test/prod');
    expect(scimBaseUrl()).toBe('https://api.example.test/prod/scim/v2');
  });

  test('the client is built once, and a store once per table name it is built on', () => {
    process.env.CLIENTS_TABLE_NAME = 'clients-one';
    const client = documentClient();
    const store = clientStore();
    expect(documentClient()).toBe(client);
    expect(clientStore()).toBe(store);
    process.env.CLIENTS_TABLE_NAME = 'clients-two';
    expect(clientStore()).not.toBe(store);
    expect(documentClient()).toBe(client);
  });

  test('without a provided signer, the signer needs the KMS key the stack names', () => {
    delete process.env.TOKEN_SIGNING_KEY_ARN;
    expect(() => tokenSigner()).toThrow(new ConfigError('Missing required environment variable TOKEN_SIGNING_KEY_ARN'));
  });

  test('a provided signer signs, and its key is the one published when no KMS keys are listed', async () => {
    const jwk: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'provided' };
    const signer = {
      keyId: async () => 'provided',
      sign: async () => new Uint8Array([1]),
      publicJwk: async () => jwk,
    };
    provideTokenSigner(signer);
    expect(tokenSigner()).toBe(signer);
    await expect(verificationKeys()).resolves.toEqual([jwk]);
  });

  test('a fresh local process verifies with the local JWKS it is given, which a deployed function never takes', async () => {
    const provided: JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'provided' };
    provideTokenSigner({
      keyId: async () => 'provided',
      sign: async () => new Uint8Array([1]),
      publicJwk: async () => provided,
    });
    const local: JWK = { kty: 'EC', crv: 'P-256', x: 'lx', y: 'ly', kid: 'local' };
    process.env[LOCAL_VERIFICATION_JWKS_ENV] = JSON.stringify({ keys: [local] });
    process.env.NODE_ENV = 'test';
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    await expect(verificationKeys()).resolves.toEqual([local]);

    process.env.AWS_LAMBDA_FUNCTION_NAME = 'ScimUsersList';
    await expect(verificationKeys()).resolves.toEqual([provided]);
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.NODE_ENV = 'production';
    await expect(verificationKeys()).resolves.toEqual([provided]);

    process.env.NODE_ENV = 'test';
    process.env[LOCAL_VERIFICATION_JWKS_ENV] = '{"keys":[]}';
    expect(() => verificationKeys()).toThrow(ConfigError);
  });

  test('every attempt of a call to AWS, and the back-off between them, fits inside the function’s time budget', () => {
    const backOffMs = 1_000;
    const worstCallMs = AWS_CALL_BUDGET.maxAttempts * AWS_CALL_BUDGET.requestTimeoutMs + backOffMs;
    expect(worstCallMs).toBeLessThan(FUNCTION_TIMEOUT_SECONDS * 1000);
    expect(AWS_CALL_BUDGET.connectionTimeoutMs).toBeLessThan(AWS_CALL_BUDGET.requestTimeoutMs);
  });
});
