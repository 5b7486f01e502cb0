import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, type IRole, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnAlias, CfnKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The environment variable through which functions find the key that signs access tokens. */
export const SIGNING_KEY_ENV = 'TOKEN_SIGNING_KEY_ARN';

/**
 * Every key whose public half the JWKS publishes and token verification accepts, comma-separated, the signing
 * key first. During a rotation it also holds the next (or the previous) key; see docs/deploy-and-operate.md
 * "Rotating the token signing key".
 */
export const VERIFICATION_KEYS_ENV = 'TOKEN_VERIFICATION_KEY_ARNS';

export const SIGNING_ALGORITHM = 'ECDSA_SHA_256';
/** The signer sends the JWS signing input and lets KMS hash it (MessageType RAW). */
export const SIGNING_MESSAGE_TYPE = 'RAW';

/**
 * Administration without use: the account may manage, describe and read the public key of the signing keys,
 * but `kms:Sign` is absent, so an IAM policy granting `kms:*` still cannot sign with them.
 */
const KEY_ADMINISTRATION_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

export interface SigningKeysProps {
  readonly stage: string;
  /** Generations to keep, e.g. `['1']`, or `['1', '2']` during a rotation. */
  readonly generations: readonly string[];
  readonly active: string;
  readonly production: boolean;
}

/**
 * The access-token signing keys: KMS asymmetric keys (ECC_NIST_P256, SIGN_VERIFY) whose private halves never
 * leave KMS, one per generation, and an alias on the active one. Only roles passed to `allowSigning` may sign,
 * only with the active key, only ECDSA_SHA_256 over a raw message; the key policy enforces this too, so no other
 * principal in the account can sign even with broad IAM permissions.
 */
export class SigningKeys extends Construct {
  readonly activeKeyArn: string;
  /** The active key first. */
  readonly publishedKeyArns: readonly string[];
  readonly aliasName: string;
  private readonly activePolicy: PolicyDocument;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    const keys = props.generations.map((generation) => {
      const policy = new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'KeyAdministrationWithoutSigning',
            principals: [new AccountRootPrincipal()],
            actions: KEY_ADMINISTRATION_ACTIONS,
            resources: ['*'],
          }),
        ],
      });
      const key = new CfnKey(this, `Key${generation}`, {
        description: `Signs the ${props.stage} stage's OAuth access tokens (ES256), generation ${generation}`,
        keySpec: 'ECC_NIST_P256',
        keyUsage: 'SIGN_VERIFY',
        keyPolicy: policy,
        pendingWindowInDays: props.production ? 30 : 7,
      });
      key.applyRemovalPolicy(props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
      return { generation, key, policy };
    });
    const active = keys.find((entry) => entry.generation === props.active);
    if (!active) throw new Error(`The active signing key generation ${props.active} is not among the keys`);
    this.activePolicy = active.policy;
    this.activeKeyArn = active.key.attrArn;
    this.publishedKeyArns = [active, ...keys.filter((entry) => entry !== active)].map((entry) => entry.key.attrArn);
    this.aliasName = `alias/scim-provisioning-${props.stage}-token-signing`;
    new CfnAlias(this, 'Alias', { aliasName: this.aliasName, targetKeyId: active.key.attrKeyId });
  }

  /** For the environment variable VERIFICATION_KEYS_ENV. */
  get publishedKeyArnList(): string {
    return Fn.join(',', [...this.publishedKeyArns]);
  }

  /** The token function: sign with the active key (its role policy and the key policy), and read public keys. */
  allowSigning(role: IRole): void {
    const conditions = {
      StringEquals: { 'kms:SigningAlgorithm': SIGNING_ALGORITHM, 'kms:MessageType': SIGNING_MESSAGE_TYPE },
    };
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Sign'], resources: [this.activeKeyArn], conditions }),
    );
    // The principal is the account with an ARN condition rather than the role itself: KMS rejects a key policy
    // naming a role IAM has not propagated yet, and a recreated role keeps its ARN but not its unique id.
    this.activePolicy.addStatements(
      new PolicyStatement({
        principals: [new AccountRootPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ...conditions, ArnEquals: { 'aws:PrincipalArn': role.roleArn } },
      }),
    );
    this.allowReadingPublicKeys(role);
  }

  /** The JWKS and every bearer-token verifier: read the public keys, nothing else. */
  allowReadingPublicKeys(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [...this.publishedKeyArns] }),
    );
  }
}
