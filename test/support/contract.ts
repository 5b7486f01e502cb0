import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../adapters/dynamodb/document-client';
import type { TableKey } from '../../contract/tables';
import { tableName } from '../../functions/_shared/config';
import { useLocalEnvironment } from './local-service';

/** What a DynamoDB adapter is built from: the document client on the run's DynamoDB Local, and the table names. */
export interface DynamoDbContext {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: (key: TableKey) => string;
}

export interface ContractFactories<Subject> {
  /** A fresh in-memory adapter (adapters/memory/); called before every test. */
  readonly memory: () => Subject | Promise<Subject>;
  /** The DynamoDB adapter on the run's DynamoDB Local; called before every test. */
  readonly dynamodb: (context: DynamoDbContext) => Subject | Promise<Subject>;
}

export type AdapterKind = keyof ContractFactories<unknown>;

/**
 * Runs one contract suite against every implementation of a port (`Subject`, the port's type), so that the
 * memory adapter the unit tests use is held to exactly what the DynamoDB adapter does. `suite` declares its
 * tests once; it reads the adapter under test through `subject()` inside each test (a fresh one per test) and
 * may branch on `kind` only to inspect storage, never to expect different behaviour.
 *
 * The DynamoDB Local tables are shared by the whole run and never emptied: each test works on its own keys
 * (a fresh tenant id, `randomUUID()`). Files using this live in test/contract/ and are named
 * `*.contract.test.ts`; jest starts DynamoDB Local for them.
 *
 *     describeContract<AuthorizationCodes>('authorization code store', {
 *       memory: () => new MemoryAuthorizationCodeStore(),
 *       dynamodb: ({ db, tableName }) => new AuthorizationCodeStore(db, tableName('grants')),
 *     }, (subject) => {
 *       test('…', async () => { await subject().save(record); … });
 *     });
 */
export function describeContract<Subject>(
  name: string,
  factories: ContractFactories<Subject>,
  suite: (subject: () => Subject, kind: AdapterKind) => void,
): void {
  const builders: Record<AdapterKind, () => Subject | Promise<Subject>> = {
    memory: factories.memory,
    dynamodb: () => factories.dynamodb({ db: dynamoDocumentClient(), tableName }),
  };
  for (const kind of Object.keys(builders) as AdapterKind[]) {
    describe(`${name} (${kind === 'memory' ? 'memory adapter' : 'DynamoDB Local'})`, () => {
      let current: Subject | undefined;
      if (kind === 'dynamodb') beforeAll(() => useLocalEnvironment());
      beforeEach(async () => {
        current = await builders[kind]();
      });
      afterEach(() => {
        current = undefined;
      });
      suite(() => {
        if (current === undefined) throw new Error('subject() is only available inside a test');
        return current;
      }, kind);
    });
  }
}
