import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CliError } from '../../scripts/admin/cli-error';
import { connect } from '../../scripts/admin/connection';

/**
 * `--stack` reads a deployed stack's outputs. CloudFormation cannot run here, so its client's `send` is
 * replaced by a stub returning what DescribeStacks returns for our stack (the output keys the CDK stack
 * declares); nothing else is mocked.
 */
afterEach(() => jest.restoreAllMocks());

function stubDescribeStacks(outputs: Record<string, string>) {
  return jest.spyOn(CloudFormationClient.prototype, 'send').mockImplementation(async (command: unknown) => {
    const input = (command as { input: { StackName?: string } }).input;
    return {
      Stacks: [
        {
          StackName: input.StackName,
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    } as never;
  });
}

describe('admin CLI connection to a deployed stack', () => {
  test('--stack takes the table names from the stack outputs', async () => {
    const send = stubDescribeStacks({
      ScimBaseUrl: 'https://example.execute-api.eu-west-1.amazonaws.com/dev/scim/v2',
      UsersTableName: 'Dev-UsersTable-1',
      ClientsTableName: 'Dev-ClientsTable-2',
      GrantsTableName: 'Dev-GrantsTable-3',
      ActivityTableName: 'Dev-ActivityTable-4',
    });
    const connection = await connect({ stack: 'ScimProvisioning-dev', region: 'eu-west-1' });
    try {
      expect(connection.tables).toEqual({
        users: 'Dev-UsersTable-1',
        clients: 'Dev-ClientsTable-2',
        grants: 'Dev-GrantsTable-3',
        activity: 'Dev-ActivityTable-4',
      });
      expect(connection.description).toBe('stack ScimProvisioning-dev');
      expect(send).toHaveBeenCalledTimes(1);
      expect(send.mock.calls[0]?.[0]).toMatchObject({ input: { StackName: 'ScimProvisioning-dev' } });
      expect(await connection.db.config.region()).toBe('eu-west-1');
    } finally {
      await connection.close();
    }
  });

  test('a stack without the table outputs is a clear error', async () => {
    stubDescribeStacks({ ScimBaseUrl: 'https://x/scim/v2' });
    await expect(connect({ stack: 'Other' })).rejects.toThrow(
      new CliError('Stack Other has no ClientsTableName and GrantsTableName outputs'),
    );
  });

  test('naming only some tables is a usage error', async () => {
    await expect(connect({ clientsTable: 'c' })).rejects.toMatchObject({ exitCode: 2 });
  });
});
