import { gatewayErrorBody, gatewayResponses } from '../../contract/gateway-responses';
import { SCIM_RELAXED_COMMON_RULES } from '../../lib/web-firewall';
import { flatten, resourcesOfType, synthTemplate } from '../support/synth';

type Rule = {
  Name: string;
  Priority: number;
  Statement: Record<string, unknown>;
  Action?: unknown;
  OverrideAction?: unknown;
};

function webAcl(template: ReturnType<typeof synthTemplate>['template']) {
  const acls = Object.values(resourcesOfType(template, 'AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0]?.Properties as {
    Scope: string;
    DefaultAction: unknown;
    Rules: Rule[];
    CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
  };
}

const rule = (acl: ReturnType<typeof webAcl>, name: string): Rule => {
  const found = acl.Rules.find((candidate) => candidate.Name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

describe('the web ACL', () => {
  const { template, stack } = synthTemplate();
  const acl = webAcl(template);

  test('is regional, allows by default, and is associated with the API stage', () => {
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const association = Object.values(resourcesOfType(template, 'AWS::WAFv2::WebACLAssociation'))[0];
    const apiId = stack.getLogicalId(stack.service.api.node.defaultChild as never);
    const stageId = stack.getLogicalId(stack.service.stage.node.defaultChild as never);
    // A reference to the stage resource, so CloudFormation creates the association after the stage.
    expect(flatten(association?.Properties.ResourceArn)).toBe(
      `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${${apiId}}/stages/\${${stageId}}`,
    );
  });

  test('uses the AWS common and known-bad-inputs rule groups', () => {
    for (const name of ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']) {
      expect(rule(acl, name)).toMatchObject({
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } },
      });
    }
  });

  test('counts, instead of blocking, the common rules SCIM bodies trip (8 KB body limit among them)', () => {
    const common = rule(acl, 'AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement as {
      RuleActionOverrides: { Name: string; ActionToUse: unknown }[];
    };
    expect(common.RuleActionOverrides).toEqual(
      SCIM_RELAXED_COMMON_RULES.map(({ rule: name }) => ({ Name: name, ActionToUse: { Count: {} } })),
    );
    expect(SCIM_RELAXED_COMMON_RULES.map(({ rule: name }) => name)).toContain('SizeRestrictions_BODY');
  });

  test('blocks those rules’ matches again on every path outside /scim/v2, judged on the normalized path', () => {
    const outside = rule(acl, 'BlockCommonRuleMatchesOutsideScim');
    expect(outside.Action).toEqual({ Block: {} });
    expect(outside.Priority).toBeGreaterThan(rule(acl, 'AWSManagedRulesCommonRuleSet').Priority);
    expect(outside.Statement).toEqual({
      AndStatement: {
        Statements: [
          {
            OrStatement: {
              Statements: SCIM_RELAXED_COMMON_RULES.map(({ label }) => ({
                LabelMatchStatement: { Scope: 'LABEL', Key: label },
              })),
            },
          },
          {
            NotStatement: {
              Statement: {
                ByteMatchStatement: {
                  FieldToMatch: { UriPath: {} },
                  PositionalConstraint: 'STARTS_WITH',
                  SearchString: '/dev/scim/v2/',
                  TextTransformations: [
                    { Priority: 0, Type: 'URL_DECODE' },
                    { Priority: 1, Type: 'NORMALIZE_PATH' },
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('rate-limits each IP on the OAuth paths first, answering 429 with Retry-After in SCIM Error JSON', () => {
    const rateLimit = rule(acl, 'OAuthRateLimitPerIp');
    expect(rateLimit.Priority).toBe(0);
    expect(rateLimit.Statement).toEqual({
      RateBasedStatement: {
        Limit: 300,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          ByteMatchStatement: {
            FieldToMatch: { UriPath: {} },
            PositionalConstraint: 'STARTS_WITH',
            SearchString: '/dev/oauth/',
            TextTransformations: [
              { Priority: 0, Type: 'URL_DECODE' },
              { Priority: 1, Type: 'NORMALIZE_PATH' },
            ],
          },
        },
      },
    });
    const quota = gatewayResponses.QUOTA_EXCEEDED;
    expect(rateLimit.Action).toEqual({
      Block: {
        CustomResponse: {
          ResponseCode: 429,
          CustomResponseBodyKey: 'TooManyRequests',
          ResponseHeaders: [{ Name: 'Retry-After', Value: String(quota.retryAfterSeconds) }],
        },
      },
    });
    expect(acl.CustomResponseBodies.TooManyRequests).toEqual({
      ContentType: 'APPLICATION_JSON',
      Content: gatewayErrorBody(quota),
    });
  });

  test('takes the OAuth rate limit from context', () => {
    const custom = webAcl(synthTemplate({}, { oauthRateLimit: '1000' }).template);
    expect(rule(custom, 'OAuthRateLimitPerIp').Statement).toMatchObject({ RateBasedStatement: { Limit: 1000 } });
  });

  test('matches paths without the stage prefix on a custom domain', () => {
    const custom = webAcl(
      synthTemplate(
        {},
        {
          domainName: 'scim.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
        },
      ).template,
    );
    expect(JSON.stringify(rule(custom, 'OAuthRateLimitPerIp').Statement)).toContain('"SearchString":"/oauth/"');
    expect(JSON.stringify(rule(custom, 'BlockCommonRuleMatchesOutsideScim').Statement)).toContain(
      '"SearchString":"/scim/v2/"',
    );
  });

  test('logs blocked and counted requests to an aws-waf-logs-* group, with Authorization and Cookie redacted', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-Test', RetentionInDays: 30 });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      LoggingFilter: {
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
    const logging = Object.values(resourcesOfType(template, 'AWS::WAFv2::LoggingConfiguration'))[0];
    const logGroupId = stack.getLogicalId(stack.firewall?.logGroup.node.defaultChild as never);
    // WAF wants the log group ARN without the ":*" suffix CloudFormation's Arn attribute carries.
    expect(flatten(logging?.Properties.LogDestinationConfigs)).toBe(
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:\${${logGroupId}}`,
    );
  });

  test('is switched off by context waf=false, for a sandbox', () => {
    const { template: sandbox } = synthTemplate({}, { waf: 'false' });
    sandbox.resourceCountIs('AWS::WAFv2::WebACL', 0);
    sandbox.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});
