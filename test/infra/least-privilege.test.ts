import {
  FAIR_SHARE_SCIM_REQUESTS_ENV,
  FAIR_SHARE_TOKEN_REQUESTS_ENV,
  SIGNING_KEY_ENV,
  VERIFICATION_KEYS_ENV,
} from '../../contract/environment';
import { DEFAULT_FAIR_SHARE, FAIR_SHARE_KEY_PREFIX, FAIR_SHARE_TABLE } from '../../contract/fair-share';
import type { RouteSpec } from '../../contract/routes';
import { routes } from '../../contract/routes';
import { type TableKey, tables } from '../../contract/tables';
import { INDEX_ACTIONS, SCIM_TOKEN_KEY_PATTERN, TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../lib/table-access';
import { capabilityRoutes } from '../support/capability-routes';
import {
  type CfnResource,
  environmentOf,
  flatten,
  resourcesOfType,
  roleStatements,
  synthTemplate,
} from '../support/synth';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
type Synth = ReturnType<typeof synthTemplate>;

const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const resourcesOf = (statement: Statement) =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(flatten);

/** Every statement the route's role is given (its inline policy, and any policy attached to it), by route id. */
function statementsByRoute({ template, stack }: Synth): Record<string, Statement[]> {
  return Object.fromEntries(
    stack.functions.map((fn) => [
      fn.route.id,
      roleStatements(template, stack.getLogicalId(fn.role.node.defaultChild as never)) as Statement[],
    ]),
  );
}

function routeEnvironment({ template, stack }: Synth, routeId: string): Record<string, unknown> {
  const fn = stack.functions.find((candidate) => candidate.route.id === routeId);
  return environmentOf(template, stack.getLogicalId(fn?.function.node.defaultChild as never));
}

const keyIds = ({ template }: Synth) =>
  Object.keys(resourcesOfType(template, 'AWS::KMS::Key')).filter((id) => id.startsWith('TokenSigningKeys'));
const tableArnOf = (synth: Synth, key: TableKey) =>
  flatten(synth.stack.resolve(synth.stack.tables.byKey[key].tableArn));

describe('least privilege, from the manifest', () => {
  test('read means item and query reads (no Scan); readWrite adds the item writes transactions are made of', () => {
    expect([...TABLE_READ_ACTIONS].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect([...TABLE_WRITE_ACTIONS].sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect([...INDEX_ACTIONS]).toEqual(['dynamodb:Query']);
  });

  for (const [name, manifest] of [
    ['the capability manifest', capabilityRoutes],
    ['the current manifest', routes],
  ] as [string, readonly RouteSpec[]][]) {
    describe(name, () => {
      const synth = synthTemplate({ routes: manifest });
      const byRoute = statementsByRoute(synth);

      test('no function role uses an AWS managed policy', () => {
        for (const fn of synth.stack.functions) {
          const role = (synth.template.toJSON().Resources as Record<string, CfnResource>)[
            synth.stack.getLogicalId(fn.role.node.defaultChild as never)
          ];
          expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
        }
      });

      test('no action has a wildcard, and only X-Ray (which has no resource-level permissions) gets resource "*"', () => {
        for (const statements of Object.values(byRoute)) {
          for (const statement of statements) {
            expect(actionsOf(statement).filter((action) => action.includes('*'))).toEqual([]);
            if (resourcesOf(statement).some((resource) => resource.includes('*'))) {
              expect(actionsOf(statement).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
              expect(resourcesOf(statement)).toEqual(['*']);
            }
          }
        }
      });

      test('every function may write its own log group and nothing else in CloudWatch Logs', () => {
        for (const fn of synth.stack.functions) {
          const logStatements = (byRoute[fn.route.id] ?? []).filter((statement) =>
            actionsOf(statement).some((action) => action.startsWith('logs:')),
          );
          expect(logStatements).toHaveLength(1);
          expect(actionsOf(logStatements[0] as Statement).sort()).toEqual([
            'logs:CreateLogStream',
            'logs:PutLogEvents',
          ]);
          expect(resourcesOf(logStatements[0] as Statement)).toEqual([
            flatten(synth.stack.resolve(fn.logGroup.logGroupArn)),
          ]);
        }
      });

      test.each(manifest.map((route) => [route.id, route]))(
        '%s gets exactly its manifest table access',
        (_id, route) => {
          const dynamo = (byRoute[route.id] ?? []).filter((statement) =>
            actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
          );
          const expected: { actions: string[]; resources: string[]; condition?: unknown }[] = [];
          for (const [key, access] of Object.entries(route.tables) as [TableKey, string][]) {
            const tableArn = tableArnOf(synth, key);
            expected.push({
              actions: (access === 'readWrite'
                ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS]
                : [...TABLE_READ_ACTIONS]
              ).sort(),
              resources: [tableArn],
            });
            const indexes = tables[key].globalIndexes.map((index) => `${tableArn}/index/${index.name}`);
            if (indexes.length > 0) expected.push({ actions: [...INDEX_ACTIONS], resources: indexes });
          }
          if (route.capabilities?.includes('record-scim-token-use')) {
            expected.push({
              actions: ['dynamodb:UpdateItem'],
              resources: [tableArnOf(synth, 'grants')],
              condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [SCIM_TOKEN_KEY_PATTERN] } },
            });
          }
          if (route.capabilities?.includes('take-fair-share')) {
            expected.push({
              actions: ['dynamodb:UpdateItem'],
              resources: [tableArnOf(synth, FAIR_SHARE_TABLE)],
              condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${FAIR_SHARE_KEY_PREFIX}*`] } },
            });
          }
          const sortKey = (entry: { actions: string[]; resources: string[]; condition?: unknown }) =>
            `${entry.resources.join()} ${entry.actions.join()} ${JSON.stringify(entry.condition ?? null)}`;
          expect(
            dynamo
              .map((statement) => ({
                actions: actionsOf(statement).sort(),
                resources: resourcesOf(statement),
                condition: statement.Condition,
              }))
              .sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
          ).toEqual(expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
          for (const statement of dynamo) {
            expect(actionsOf(statement)).not.toContain('dynamodb:Scan');
            expect(actionsOf(statement)).not.toContain('dynamodb:DescribeTable');
          }
        },
      );

      test('a route that takes a fair share may update the share counters and no other item of their table', () => {
        for (const route of manifest.filter((candidate) => candidate.capabilities?.includes('take-fair-share'))) {
          const sharing = (byRoute[route.id] ?? []).filter((statement) =>
            JSON.stringify(statement.Condition ?? null).includes(FAIR_SHARE_KEY_PREFIX),
          );
          expect(sharing.filter((statement) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')))).toEqual([
            expect.objectContaining({
              Action: 'dynamodb:UpdateItem',
              Resource: synth.stack.resolve(synth.stack.tables.byKey[FAIR_SHARE_TABLE].tableArn),
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${FAIR_SHARE_KEY_PREFIX}*`] } },
            }),
          ]);
          expect(routeEnvironment(synth, route.id)).toMatchObject({
            [FAIR_SHARE_SCIM_REQUESTS_ENV]: String(DEFAULT_FAIR_SHARE.scimRequestsPerTenant),
            [FAIR_SHARE_TOKEN_REQUESTS_ENV]: String(DEFAULT_FAIR_SHARE.tokenRequestsPerClient),
          });
        }
      });

      test('read-only routes write only the last-used time of SCIM tokens (SCIMTOKEN# keys) and the share counters', () => {
        const writes = new Set<string>(TABLE_WRITE_ACTIONS);
        const leadingKeysOf = (statement: Statement) =>
          (statement.Condition as { 'ForAllValues:StringLike'?: Record<string, unknown> } | undefined)?.[
            'ForAllValues:StringLike'
          ]?.['dynamodb:LeadingKeys'];
        for (const route of manifest.filter((candidate) => !Object.values(candidate.tables).includes('readWrite'))) {
          const writing = (byRoute[route.id] ?? []).filter(
            (statement) =>
              actionsOf(statement).some((action) => writes.has(action)) &&
              JSON.stringify(leadingKeysOf(statement)) !== JSON.stringify([`${FAIR_SHARE_KEY_PREFIX}*`]),
          );
          if (!route.capabilities?.includes('record-scim-token-use')) {
            expect(writing).toEqual([]);
            continue;
          }
          expect(writing).toHaveLength(1);
          expect(actionsOf(writing[0] as Statement)).toEqual(['dynamodb:UpdateItem']);
          expect(resourcesOf(writing[0] as Statement)).toEqual([tableArnOf(synth, 'grants')]);
          expect(leadingKeysOf(writing[0] as Statement)).toEqual([SCIM_TOKEN_KEY_PATTERN]);
        }
        const recorders = manifest.filter((route) => route.capabilities?.includes('record-scim-token-use'));
        expect(recorders.length).toBeGreaterThan(0);
        expect(new Set(recorders.map((route) => route.auth))).toEqual(new Set(['scim-bearer']));
      });

      test('only the token function can sign, only with the active key, ECDSA_SHA_256 over a raw message', () => {
        const signers = Object.entries(byRoute)
          .filter(([, statements]) => statements.some((statement) => actionsOf(statement).includes('kms:Sign')))
          .map(([id]) => id);
        expect(signers).toEqual(
          manifest.filter((route) => route.capabilities?.includes('sign-tokens')).map((route) => route.id),
        );
        for (const id of signers) {
          const sign = byRoute[id]?.filter((statement) => actionsOf(statement).includes('kms:Sign')) ?? [];
          expect(sign).toHaveLength(1);
          expect(actionsOf(sign[0] as Statement)).toEqual(['kms:Sign']);
          expect(resourcesOf(sign[0] as Statement)).toEqual([
            flatten(synth.stack.resolve(synth.stack.signingKeys.activeKeyArn)),
          ]);
          expect(sign[0]?.Condition).toEqual({
            StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' },
          });
        }
      });

      test('verifiers may read the public key and nothing else of it; routes without capabilities get no KMS access', () => {
        for (const route of manifest) {
          const kmsActions = (byRoute[route.id] ?? []).flatMap(actionsOf).filter((action) => action.startsWith('kms:'));
          const capabilities = route.capabilities ?? [];
          if (capabilities.includes('sign-tokens')) expect(kmsActions.sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
          else if (capabilities.includes('read-signing-key')) expect(kmsActions).toEqual(['kms:GetPublicKey']);
          else expect(kmsActions).toEqual([]);
          const environment = routeEnvironment(synth, route.id);
          if (capabilities.includes('sign-tokens') || capabilities.includes('read-signing-key')) {
            expect(flatten(environment[SIGNING_KEY_ENV])).toBe(
              flatten(synth.stack.resolve(synth.stack.signingKeys.activeKeyArn)),
            );
            expect(environment[VERIFICATION_KEYS_ENV]).toBeDefined();
          } else {
            expect(environment[SIGNING_KEY_ENV]).toBeUndefined();
            expect(environment[VERIFICATION_KEYS_ENV]).toBeUndefined();
          }
        }
      });
    });
  }
});

describe('the token signing key', () => {
  const synth = synthTemplate({ routes: capabilityRoutes });

  const keys = resourcesOfType(synth.template, 'AWS::KMS::Key');
  const [keyId] = keyIds(synth);
  const key = keys[keyId as string] as CfnResource;
  const policy = key.Properties.KeyPolicy as { Statement: (Statement & { Principal: unknown })[] };

  test('is an asymmetric P-256 signing key with an alias', () => {
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    synth.template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/scim-provisioning-dev-token-signing',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'KeyId'] },
    });
  });

  test('key policy: the account administers it but cannot sign; signing only by the token role, ES256, raw', () => {
    const administration = policy.Statement.find((statement) => !actionsOf(statement).includes('kms:Sign'));
    expect(actionsOf(administration as Statement)).not.toContain('kms:*');
    expect(actionsOf(administration as Statement).some((action) => /^kms:(Sign|\*|S\*)/.test(action))).toBe(false);
    const signing = policy.Statement.filter((statement) => actionsOf(statement).includes('kms:Sign'));
    expect(signing).toHaveLength(1);
    const tokenRole = synth.stack.functions.find((fn) => fn.route.id === 'OAuthToken')?.role;
    expect(signing[0]?.Condition).toEqual({
      StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' },
      ArnEquals: { 'aws:PrincipalArn': synth.stack.resolve(tokenRole?.roleArn) },
    });
  });

  test('has no signing statement when no route signs', () => {
    const current = synthTemplate({
      routes: routes.filter((route) => !route.capabilities?.includes('sign-tokens')),
    });
    const [currentKey] = Object.values(resourcesOfType(current.template, 'AWS::KMS::Key')).filter(
      (resource) => resource.Properties.KeySpec === 'ECC_NIST_P256',
    );
    if (!currentKey) throw new Error('no signing key');
    const statements = (currentKey.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    expect(statements.flatMap(actionsOf)).not.toContain('kms:Sign');
  });

  test('is destroyable in dev (7-day deletion window) and retained in prod', () => {
    expect(key.DeletionPolicy).toBe('Delete');
    expect(key.Properties.PendingWindowInDays).toBe(7);
    const prod = synthTemplate({ stage: 'prod' });
    const [prodKey] = Object.values(resourcesOfType(prod.template, 'AWS::KMS::Key')).filter(
      (resource) => resource.Properties.KeySpec === 'ECC_NIST_P256',
    );
    expect(prodKey?.DeletionPolicy).toBe('Retain');
  });

  test('rotation: a new generation is published to verifiers before it signs, then signs while the old one still verifies', () => {
    const publish = synthTemplate({ routes: capabilityRoutes }, { signingKeys: '1,2' });
    const [first, second] = keyIds(publish);
    const arn = (id: string | undefined) => `\${${id}.Arn}`;
    const tokenStatements = statementsByRoute(publish).OAuthToken ?? [];
    const signResources = tokenStatements
      .filter((statement) => actionsOf(statement).includes('kms:Sign'))
      .flatMap(resourcesOf);
    expect(signResources).toEqual([arn(first)]);
    for (const id of ['OAuthToken', 'OAuthJwks', 'ScimGetUser']) {
      const readable = (statementsByRoute(publish)[id] ?? [])
        .filter((statement) => actionsOf(statement).includes('kms:GetPublicKey'))
        .flatMap(resourcesOf);
      expect(readable).toEqual([arn(first), arn(second)]);
      expect(flatten(routeEnvironment(publish, id)[VERIFICATION_KEYS_ENV])).toBe(`${arn(first)},${arn(second)}`);
      expect(flatten(routeEnvironment(publish, id)[SIGNING_KEY_ENV])).toBe(arn(first));
    }

    const switched = synthTemplate({ routes: capabilityRoutes }, { signingKeys: '1,2', activeSigningKey: '2' });
    const switchedStatements = statementsByRoute(switched).OAuthToken ?? [];
    expect(
      switchedStatements.filter((statement) => actionsOf(statement).includes('kms:Sign')).flatMap(resourcesOf),
    ).toEqual([arn(second)]);
    expect(flatten(routeEnvironment(switched, 'OAuthJwks')[VERIFICATION_KEYS_ENV])).toBe(
      `${arn(second)},${arn(first)}`,
    );
    switched.template.hasResourceProperties('AWS::KMS::Alias', { TargetKeyId: { 'Fn::GetAtt': [second, 'KeyId'] } });
    const oldKeyPolicy = resourcesOfType(switched.template, 'AWS::KMS::Key')[first as string]?.Properties.KeyPolicy as {
      Statement: Statement[];
    };
    expect(oldKeyPolicy.Statement.flatMap(actionsOf)).not.toContain('kms:Sign');
  });
});
