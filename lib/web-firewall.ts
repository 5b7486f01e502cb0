import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { gatewayErrorBody, gatewayResponses } from '../contract/gateway-responses';
import { OAUTH_BASE_PATH, SCIM_BASE_PATH } from '../contract/routes';

/**
 * Rules of the AWS common rule set that legitimate SCIM traffic trips, counted (labelled) instead of blocking,
 * and then blocked again by `BlockCommonRuleMatchesOutsideScim` on every path that is not SCIM:
 *
 * - SizeRestrictions_BODY blocks bodies over 8 KB. A SCIM user with its extension, several emails, phone
 *   numbers and addresses, or a PATCH with many operations, passes that; the functions enforce their own
 *   128 KiB limit with a SCIM 413.
 * - CrossSiteScripting_BODY and GenericRFI_BODY match free text and URLs that come from the customer's
 *   directory: titles or display names with angle brackets, profile and photo URLs that point at internal IP
 *   addresses. The service stores them as data and never renders them as HTML. Blocking them makes Okta fail
 *   that user's provisioning with a 403 that the tenant admin cannot fix.
 *
 * The query-string rules stay blocking: SCIM filters (`userName eq "a@b.c"`, `emails[type eq "work"]`) and
 * attribute lists contain nothing they look for. The SQL-injection rule set is deliberately not used: SCIM's
 * filter grammar (quoted values joined by `and`/`or`, `pr`, `eq`) looks like SQL boolean expressions to it,
 * and the filters never reach a SQL engine (they become DynamoDB key conditions).
 */
export const SCIM_RELAXED_COMMON_RULES: readonly { rule: string; label: string }[] = [
  { rule: 'SizeRestrictions_BODY', label: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' },
  { rule: 'CrossSiteScripting_BODY', label: 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body' },
  { rule: 'GenericRFI_BODY', label: 'awswaf:managed:aws:core-rule-set:GenericRFI_Body' },
];

/** WAF's window for the OAuth rate limit. */
export const OAUTH_RATE_WINDOW_SECONDS = 300;

/** Blocked-by-rate-limit answer: the shared gateway document for a client over its quota, 429 + Retry-After. */
const TOO_MANY_REQUESTS = gatewayResponses.QUOTA_EXCEEDED;

export interface WebFirewallProps {
  readonly stage: Stage;
  /** Path prefix WAF sees before `/scim/v2` and `/oauth` (`/dev` on the execute-api URL, empty on a domain). */
  readonly uriPrefix: string;
  readonly oauthRateLimit: number;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * A regional web ACL on the API stage: a per-IP rate limit on the OAuth paths, the AWS common and known-bad-
 * inputs rule groups (with the SCIM exceptions above), and logs of every blocked or counted request with the
 * Authorization and Cookie headers redacted.
 */
export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;
  readonly metricPrefix: string;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.metricPrefix = stackName.replace(/[^A-Za-z0-9_-]/g, '-');
    const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${this.metricPrefix}-${name}`,
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${this.metricPrefix}-api`,
      description: 'SCIM provisioning API: OAuth rate limit, AWS common and known-bad-inputs rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      customResponseBodies: {
        TooManyRequests: { contentType: 'APPLICATION_JSON', content: gatewayErrorBody(TOO_MANY_REQUESTS) },
      },
      rules: [
        {
          // First, so every OAuth request counts towards the limit, including ones a later rule blocks.
          name: 'OAuthRateLimitPerIp',
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: TOO_MANY_REQUESTS.status,
                customResponseBodyKey: 'TooManyRequests',
                responseHeaders: [{ name: 'Retry-After', value: String(TOO_MANY_REQUESTS.retryAfterSeconds) }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: props.oauthRateLimit,
              evaluationWindowSec: OAUTH_RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
              scopeDownStatement: uriPathStartsWith(`${props.uriPrefix}${OAUTH_BASE_PATH}/`),
            },
          },
          visibilityConfig: visibility('oauth-rate-limit'),
        },
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              ruleActionOverrides: SCIM_RELAXED_COMMON_RULES.map(({ rule }) => ({
                name: rule,
                actionToUse: { count: {} },
              })),
            },
          },
          visibilityConfig: visibility('common'),
        },
        {
          name: 'BlockCommonRuleMatchesOutsideScim',
          priority: 2,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                {
                  orStatement: {
                    statements: SCIM_RELAXED_COMMON_RULES.map(({ label }) => ({
                      labelMatchStatement: { scope: 'LABEL', key: label },
                    })),
                  },
                },
                { notStatement: { statement: uriPathStartsWith(`${props.uriPrefix}${SCIM_BASE_PATH}/`) } },
              ],
            },
          },
          visibilityConfig: visibility('common-outside-scim'),
        },
        {
          name: 'AWSManagedRulesKnownBadInputsRuleSet',
          priority: 3,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('known-bad-inputs'),
        },
      ],
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only logs to log groups named aws-waf-logs-*.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${this.metricPrefix}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Bearer tokens, client secrets (Basic auth) and the admin's session cookie must not reach any log.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      // Allowed requests are already in the access log; keep what WAF blocked or counted.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
  }
}

/**
 * Matches the URI path after URL-decoding and path normalization, so `/scim/v2/../oauth/token` is judged as the
 * OAuth path it resolves to and cannot borrow SCIM's exceptions.
 */
function uriPathStartsWith(prefix: string): CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      searchString: prefix,
      textTransformations: [
        { priority: 0, type: 'URL_DECODE' },
        { priority: 1, type: 'NORMALIZE_PATH' },
      ],
    },
  };
}
