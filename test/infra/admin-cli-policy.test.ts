import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tableKeys, tables } from '../../contract/tables';
import { adminCliPolicyDocument, documentedAdminCliPolicy } from '../../lib/admin-cli-policy';
import { OUTPUT_KEYS } from '../../lib/scim-provisioning-stack';
import { resourcesOfType, synthTemplate } from '../support/synth';

const ROOT = join(__dirname, '..', '..');

/** The ```json block that follows the policy's heading in the deployment guide. */
function documentedPolicyBlock(): unknown {
  const guide = readFileSync(join(ROOT, 'docs', 'deploy-and-operate.md'), 'utf8');
  const section = guide.slice(guide.indexOf('## The admin CLI against the stack'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error('the deployment guide shows no policy document');
  return JSON.parse(block);
}

/**
 * Every AWS SDK command the admin CLI's code can send: the `new …Command(` and `paginate…(` of every project file the CLI's entry
 * point imports, directly or through other files (the stores it drives, and nothing it never loads). The local
 * runtime (`local/`) is left out: it runs only against DynamoDB Local, never against the stack.
 */
function commandsTheCliSends(): Set<string> {
  const seen = new Set<string>();
  const pending = [join(ROOT, 'scripts', 'admin.ts')];
  const commands = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // A command is sent as `new XCommand(` or through the SDK's paginator for it, `paginateX(`.
    for (const match of source.matchAll(/new (\w+)Command\(|paginate(\w+)\(/g))
      commands.add(match[1] ?? match[2] ?? '');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = join(dirname(file), match[1] as string);
      const candidates = [`${target}.ts`, join(target, 'index.ts')];
      const found = candidates.find((candidate) => existsSync(candidate));
      if (found && !found.startsWith(join(ROOT, 'local'))) pending.push(found);
    }
  }
  return commands;
}

/** The IAM actions a command is authorized as; a transaction as the actions of its items. */
const ACTIONS_OF: Record<string, readonly string[]> = {
  DescribeStacks: ['cloudformation:DescribeStacks'],
  Get: ['dynamodb:GetItem'],
  BatchGet: ['dynamodb:BatchGetItem'],
  Query: ['dynamodb:Query'],
  Scan: ['dynamodb:Scan'],
  Put: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  Delete: ['dynamodb:DeleteItem'],
  TransactWrite: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
};

describe('the admin CLI operator’s IAM policy', () => {
  const documented = documentedAdminCliPolicy();

  test('the deployment guide shows exactly the policy the stack creates, with placeholders', () => {
    expect(documentedPolicyBlock()).toEqual(documented);
  });

  test('its placeholders are the stack outputs that hold the table names', () => {
    const text = JSON.stringify(documented);
    for (const key of tableKeys) expect(text).toContain(`table/<${OUTPUT_KEYS.tables[key]}>`);
  });

  test('allows every command the CLI sends, and no action it does not use', () => {
    const allowed = new Set(documented.Statement.flatMap((statement) => statement.Action));
    const needed = new Set(
      [...commandsTheCliSends()].flatMap((command) => {
        const actions = ACTIONS_OF[command];
        if (!actions) throw new Error(`the policy test does not know the command ${command}Command`);
        return actions;
      }),
    );
    expect([...allowed].sort()).toEqual([...needed].sort());
  });

  test('names every table and index exactly, with no wildcard', () => {
    const resources = documented.Statement.flatMap((statement) => statement.Resource);
    for (const key of tableKeys) {
      for (const index of tables[key].globalIndexes) {
        expect(resources).toContain(
          `arn:aws:dynamodb:<region>:<account>:table/<${OUTPUT_KEYS.tables[key]}>/index/${index.name}`,
        );
      }
    }
    expect(resources.filter((resource) => resource.includes('*'))).toEqual([
      'arn:aws:cloudformation:<region>:<account>:stack/ScimProvisioning-<stage>/*',
    ]);
  });

  test('is a managed policy of the stack, on its own tables and stack id, named in an output', () => {
    const { template, stack } = synthTemplate();
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    const tableArns = Object.fromEntries(
      Object.entries(stack.tables.byKey).map(([key, table]) => [key, table.tableArn]),
    ) as Record<(typeof tableKeys)[number], string>;
    // CloudFormation's IAM takes a lone action or resource as a string; CDK writes it so.
    const single = (values: readonly unknown[]) => (values.length === 1 ? values[0] : values);
    const expected = adminCliPolicyDocument({ stackArn: stack.stackId, tableArns });
    expect(policies[0]?.Properties.PolicyDocument).toEqual(
      stack.resolve({
        ...expected,
        Statement: expected.Statement.map((statement) => ({
          ...statement,
          Action: single(statement.Action),
          Resource: single(statement.Resource),
        })),
      }),
    );
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUT_KEYS.adminCliPolicyArn]?.Value).toEqual(stack.resolve(stack.adminCliPolicy.managedPolicyArn));
  });
});
