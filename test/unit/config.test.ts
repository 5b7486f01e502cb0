import { ConfigError, requireEnv, resetConfigCache, tableName } from '../../functions/_shared/config';

describe('configuration', () => {
  afterEach(() => resetConfigCache());

  test('a missing variable fails loudly', () => {
    delete process.env.SOME_MISSING_VARIABLE;
    expect(() => requireEnv('SOME_MISSING_VARIABLE')).toThrow(ConfigError);
    expect(() => requireEnv('SOME_MISSING_VARIABLE')).toThrow(
      'Missing required environment variable SOME_MISSING_VARIABLE',
    );
  });

  test('a variable is read once per cold start', () => {
    process.env.READ_ONCE = 'first';
    expect(requireEnv('READ_ONCE')).toBe('first');
    process.env.READ_ONCE = 'second';
    expect(requireEnv('READ_ONCE')).toBe('first');
  });

  test('table names come from the manifest’s environment variables', () => {
    process.env.GRANTS_TABLE_NAME = 'grants-table';
    expect(tableName('grants')).toBe('grants-table');
  });
});
