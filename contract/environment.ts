/**
 * The environment variables through which a function learns its configuration, declared once: the CDK stack
 * (lib/) sets them, the local runtime (local/) sets the same ones, and the functions read them
 * (functions/_shared/services.ts). The table names travel the same way (`tableEnvVar` in contract/tables.ts).
 */

/**
 * The public base URL of the service, without a trailing slash (e.g. `https://api.example.com` or
 * `https://abc.execute-api.eu-west-1.amazonaws.com/prod`): the OAuth issuer, from which the SCIM base URL and
 * the token audience are derived.
 */
export const PUBLIC_BASE_URL_ENV = 'PUBLIC_BASE_URL';

/** The KMS key that signs access tokens; set on routes with a signing capability. */
export const SIGNING_KEY_ENV = 'TOKEN_SIGNING_KEY_ARN';

/**
 * Every KMS key whose public half the JWKS publishes and token verification accepts, comma-separated, the
 * signing key first. During a rotation it also holds the next (or the previous) key; see
 * docs/deploy-and-operate.md "Rotating the token signing key".
 */
export const VERIFICATION_KEYS_ENV = 'TOKEN_VERIFICATION_KEY_ARNS';

/**
 * Whether settings meant only for a run on this machine may be honoured: a test or benchmark run
 * (`NODE_ENV=test`, which jest sets) outside AWS Lambda. Lambda always sets `AWS_LAMBDA_FUNCTION_NAME`, a
 * reserved variable no stack can remove, so a deployed function never honours them.
 */
export const honoursLocalTestSettings = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.NODE_ENV === 'test' && env.AWS_LAMBDA_FUNCTION_NAME === undefined;

/**
 * A JWKS document (RFC 7517 §5, `{"keys":[...]}`) of the public keys to verify access tokens with and to
 * publish, in place of KMS keys: for a function run alone in a fresh Node process (the cold-start bench),
 * which has neither the local runtime's signer nor KMS. Public keys only; honoured only where
 * `honoursLocalTestSettings` holds, and the stack never sets it.
 */
export const LOCAL_VERIFICATION_JWKS_ENV = 'SCIM_LOCAL_TOKEN_VERIFICATION_JWKS';

/** SCIM requests each tenant may make per fair-share window (contract/fair-share.ts); unset: the default. */
export const FAIR_SHARE_SCIM_REQUESTS_ENV = 'FAIR_SHARE_SCIM_REQUESTS_PER_TENANT';

/** Token requests each OAuth client may make per fair-share window (contract/fair-share.ts); unset: the default. */
export const FAIR_SHARE_TOKEN_REQUESTS_ENV = 'FAIR_SHARE_TOKEN_REQUESTS_PER_CLIENT';
