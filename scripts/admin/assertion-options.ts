import { open } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import {
  FEDERATED_FIELDS,
  type FederatedField,
  federatedCredentialOf,
  KeySetProblem,
  MAX_REGISTERED_JWKS_BYTES,
  parseRegisteredJwks,
} from '../../core/oauth/assertion-keys';
import type { AssertionCredential } from '../../core/oauth/client-assertion';
import { CliError } from './cli-error';
import type { CommandContext } from './command-support';

/** `client create`'s options for a client that authenticates with a signed JWT (RFC 7523) instead of a secret. */
export const ASSERTION_OPTIONS = {
  'jwks-file': { type: 'string' },
  'federated-issuer': { type: 'string' },
  'federated-subject': { type: 'string' },
  'federated-audience': { type: 'string' },
  'jwks-uri': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const ASSERTION_USAGE =
  '[--jwks-file <path> | --federated-issuer <url> --federated-subject <sub> --federated-audience <aud> --jwks-uri <url>]';

export const ASSERTION_HELP = [
  'Instead of a secret, a client may authenticate with a signed JWT (private_key_jwt, RFC 7523):',
  `  --jwks-file <path>  a JWK Set file with its public keys (at most ${MAX_REGISTERED_JWKS_BYTES} bytes and 5 keys);`,
  '    the JWT has iss = sub = the client id and aud = the token endpoint URL (or the issuer).',
  '  --federated-issuer, --federated-subject, --federated-audience and --jwks-uri: a federated credential,',
  "    tokens of another issuer (Entra's workload identity federation). For Entra: the issuer",
  '    https://login.microsoftonline.com/<tenant id>/v2.0, the provisioning app’s object id, the audience',
  '    the app was given (e.g. api://<app id>), and https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys.',
  'Such a client has no secret. JWKS URLs must be https (http only for localhost, with the local data).',
];

/** An issuer that stands for where the client's keys will be fetched from: the local runtime, or a deployment. */
const LOCAL_ISSUER = 'http://localhost';
const DEPLOYED_ISSUER = 'https://deployed.invalid';

async function readBounded(path: string): Promise<string> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new CliError(`Cannot read --jwks-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 2);
  }
  try {
    const buffer = Buffer.alloc(MAX_REGISTERED_JWKS_BYTES + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_REGISTERED_JWKS_BYTES) {
      throw new CliError(`--jwks-file is larger than ${MAX_REGISTERED_JWKS_BYTES} bytes`, 2);
    }
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/**
 * The assertion credential the options describe, or undefined when none is given (a client with a secret).
 * `local` is whether the data is the local runtime's, where plain-http loopback JWKS URLs are allowed.
 */
export async function assertionCredentialOf(
  context: CommandContext,
  local: boolean,
): Promise<AssertionCredential | undefined> {
  const jwksFile = context.values['jwks-file'];
  const federated = ['federated-issuer', 'federated-subject', 'federated-audience', 'jwks-uri'].some(
    (name) => context.values[name] !== undefined,
  );
  if (jwksFile !== undefined && federated) {
    throw new CliError('Give either --jwks-file or a federated credential, not both', 2);
  }
  if (typeof jwksFile === 'string') {
    try {
      return { kind: 'jwks', keys: parseRegisteredJwks(await readBounded(jwksFile)) };
    } catch (error) {
      if (error instanceof KeySetProblem) throw new CliError(`--jwks-file: ${error.message}`, 2);
      throw error;
    }
  }
  if (!federated) return undefined;
  const optionOf: Record<FederatedField, string> = {
    issuer: 'federated-issuer',
    subject: 'federated-subject',
    audience: 'federated-audience',
    jwksUri: 'jwks-uri',
  };
  const value = (field: FederatedField) => {
    const given = context.values[optionOf[field]];
    return typeof given === 'string' ? given : undefined;
  };
  const values = Object.fromEntries(FEDERATED_FIELDS.map((field) => [field, value(field)])) as Record<
    FederatedField,
    string | undefined
  >;
  const result = federatedCredentialOf(values, local ? LOCAL_ISSUER : DEPLOYED_ISSUER);
  if ('credential' in result) return result.credential;
  const field = FEDERATED_FIELDS.find((name) => result.problems[name] !== undefined) as FederatedField;
  const given = field === 'jwksUri' && values.jwksUri ? `: ${values.jwksUri.trim()}` : '';
  throw new CliError(`--${optionOf[field]} ${result.problems[field]}${given}`, 2);
}
