import type {
  AuthorizationCodeReader,
  AuthorizationCodeRecord,
  AuthorizationCodeWriter,
} from '../../core/oauth/authorization-code';

/**
 * Authorization codes in process memory, keyed by the code's hash like the DynamoDB store: a code is
 * written once (a second write of the same hash is refused and changes nothing), and a read returns a copy.
 * `records` may be shared with the grant ledger (memoryGrantStores), which marks codes consumed.
 */
export class MemoryAuthorizationCodeStore implements AuthorizationCodeWriter, AuthorizationCodeReader {
  constructor(private readonly records = new Map<string, AuthorizationCodeRecord>()) {}

  async save(record: AuthorizationCodeRecord): Promise<void> {
    if (this.records.has(record.codeHash)) throw new Error('An authorization code with this hash exists already');
    this.records.set(record.codeHash, structuredClone(record));
  }

  async get(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const record = this.records.get(codeHash);
    return record && structuredClone(record);
  }
}
