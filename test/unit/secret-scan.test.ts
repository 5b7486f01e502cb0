import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeakedSecrets } from '../support/global-teardown';

describe('the end-of-run secret scan', () => {
  const dirs = () => {
    const root = mkdtempSync(join(tmpdir(), 'secret-scan-'));
    const secrets = join(root, 'secrets');
    const logs = join(root, 'logs');
    mkdirSync(secrets);
    mkdirSync(logs);
    return { secrets, logs };
  };

  test('finds a recorded secret and an Authorization header in the logs', () => {
    const { secrets, logs } = dirs();
    writeFileSync(join(secrets, 'a.test.ts.txt'), `${JSON.stringify('refresh-token-value-123')}\n`);
    writeFileSync(join(logs, 'a.test.ts.log'), '{"message":"request","note":"refresh-token-value-123"}\n');
    writeFileSync(join(logs, 'b.test.ts.log'), '{"message":"request","headers":{"Authorization":"Bearer x"}}\n');
    expect(findLeakedSecrets(secrets, logs)).toEqual([
      'a.test.ts.log: a recorded secret (refr…) was logged',
      'b.test.ts.log: an Authorization header was logged',
    ]);
  });

  test('is quiet when the logs hold no secret', () => {
    const { secrets, logs } = dirs();
    writeFileSync(join(secrets, 'a.test.ts.txt'), `${JSON.stringify('client-secret-value')}\n`);
    writeFileSync(join(logs, 'a.test.ts.log'), '{"message":"request","status":200}\n');
    expect(findLeakedSecrets(secrets, logs)).toEqual([]);
  });
});
