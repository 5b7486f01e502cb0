// ESM-only dependencies must be transformed for CommonJS jest on Node 20 (jest does not use require(esm)).
const esmOnly = ['jose', '@middy', 'openid-client', 'oauth4webapi'];

/** What every test file shares, whichever project it belongs to. */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-logs.ts'],
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
};

/** Test folders that need no database (and so no Java); every other folder runs on DynamoDB Local. */
const withoutDatabase = ['unit', 'infra'];

/**
 * Two projects, so that DynamoDB Local is started only when a selected test needs it: jest runs a project's
 * global setup only when at least one of its test files is selected (`npx jest test/unit` starts no Java),
 * while `npm test` still runs both in one go. The run-wide setup and teardown (the end-of-run secret scan)
 * cover both.
 */
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'no database',
      testMatch: withoutDatabase.map((folder) => `<rootDir>/test/${folder}/**/*.test.ts`),
    },
    {
      ...common,
      displayName: 'DynamoDB Local',
      testPathIgnorePatterns: ['/node_modules/', ...withoutDatabase.map((folder) => `<rootDir>/test/${folder}/`)],
      globalSetup: '<rootDir>/test/support/dynamodb-local-setup.ts',
      globalTeardown: '<rootDir>/test/support/dynamodb-local-teardown.ts',
    },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
