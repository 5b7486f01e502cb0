import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../../core/oauth/passwords';

describe('admin passwords (scrypt)', () => {
  test('AS-B8: stored with scrypt N=2^17, r=8, p=1 and a random salt; verified only by the right password', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(/^scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery staple', first)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', first)).resolves.toBe(false);
    await expect(verifyPassword('', first)).resolves.toBe(false);
  });

  test('Unicode passwords are compared in NFC, so composed and decomposed forms match', async () => {
    const stored = await hashPassword('Mot de passe é');
    await expect(verifyPassword('Mot de passe e\u0301', stored)).resolves.toBe(true);
  });

  test('the dummy hash is well formed with the real parameters and matches no ordinary password', async () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(/^scrypt\$ln=17,r=8,p=1\$/);
    await expect(verifyPassword('password', DUMMY_PASSWORD_HASH)).resolves.toBe(false);
  });

  test('malformed stored values and over-long passwords are a plain false', async () => {
    await expect(verifyPassword('x', 'not-a-hash')).resolves.toBe(false);
    await expect(
      verifyPassword('x', 'scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA'),
    ).resolves.toBe(false);
    await expect(verifyPassword('x'.repeat(2000), DUMMY_PASSWORD_HASH)).resolves.toBe(false);
    await expect(hashPassword('x'.repeat(2000))).rejects.toThrow('too long');
  });
});
