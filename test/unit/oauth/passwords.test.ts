import {
  DUMMY_PASSWORD_HASH,
  dummyPasswordHash,
  hashPassword,
  PRODUCTION_PASSWORD_HASH_COST,
  verifyPassword,
} from '../../../core/oauth/passwords';
import { passwordHashCost, WEAK_TEST_PASSWORD_HASHING } from '../../../functions/_shared/password-hashing';

/**
 * The behaviour is the same at any cost, so these tests hash at the test run's cost; the production cost is
 * proven on a hash the admin CLI stores (test/cli/admin-cli.test.ts).
 */
const testCost = passwordHashCost();

describe('admin passwords (scrypt)', () => {
  test('AS-B8: stored with scrypt, its parameters and a random salt; verified only by the right password', async () => {
    const first = await hashPassword('correct horse battery staple', testCost);
    const second = await hashPassword('correct horse battery staple', testCost);
    expect(first).toMatch(
      new RegExp(`^scrypt\\$ln=${testCost.log2Cost},r=8,p=1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`),
    );
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery staple', first)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', first)).resolves.toBe(false);
    await expect(verifyPassword('', first)).resolves.toBe(false);
  });

  test('Unicode passwords are compared in NFC, so composed and decomposed forms match', async () => {
    const stored = await hashPassword('Mot de passe é', testCost);
    await expect(verifyPassword('Mot de passe e\u0301', stored)).resolves.toBe(true);
  });

  test('the dummy hash has the production parameters and a full-length salt and hash, so verifying against it runs scrypt', () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(/^scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    return expect(dummyPasswordHash(PRODUCTION_PASSWORD_HASH_COST)).resolves.toBe(DUMMY_PASSWORD_HASH);
  });

  test('at another cost the dummy hash carries that cost, is made once, and matches no ordinary password', async () => {
    const dummy = await dummyPasswordHash(testCost);
    expect(dummy).toMatch(new RegExp(`^scrypt\\$ln=${testCost.log2Cost},r=8,p=1\\$`));
    await expect(dummyPasswordHash(testCost)).resolves.toBe(dummy);
    await expect(verifyPassword('password', dummy)).resolves.toBe(false);
  });

  test('malformed stored values and over-long passwords are a plain false', async () => {
    await expect(verifyPassword('x', 'not-a-hash')).resolves.toBe(false);
    await expect(
      verifyPassword('x', 'scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA'),
    ).resolves.toBe(false);
    await expect(verifyPassword('x'.repeat(2000), DUMMY_PASSWORD_HASH)).resolves.toBe(false);
    await expect(hashPassword('x'.repeat(2000), testCost)).rejects.toThrow('too long');
  });
});

describe('the test-only password hashing cost', () => {
  const weak = { [WEAK_TEST_PASSWORD_HASHING]: '1', NODE_ENV: 'test' };

  test('the test run uses it', () => {
    expect(testCost.log2Cost).toBeLessThan(PRODUCTION_PASSWORD_HASH_COST.log2Cost);
  });

  test('is honoured only in a test run outside Lambda; anywhere else the production cost applies', () => {
    expect(passwordHashCost(weak)).toEqual(testCost);
    expect(passwordHashCost({})).toEqual(PRODUCTION_PASSWORD_HASH_COST);
    expect(passwordHashCost({ ...weak, NODE_ENV: 'production' })).toEqual(PRODUCTION_PASSWORD_HASH_COST);
    expect(passwordHashCost({ ...weak, NODE_ENV: undefined })).toEqual(PRODUCTION_PASSWORD_HASH_COST);
    expect(passwordHashCost({ ...weak, AWS_LAMBDA_FUNCTION_NAME: 'ScimProvisioning-prod-Token' })).toEqual(
      PRODUCTION_PASSWORD_HASH_COST,
    );
    expect(passwordHashCost({ ...weak, [WEAK_TEST_PASSWORD_HASHING]: 'true' })).toEqual(PRODUCTION_PASSWORD_HASH_COST);
  });
});
