import { newOpaqueToken } from '../../../core/oauth/opaque-tokens';
import { sealSuccessor, unsealSuccessor } from '../../../core/oauth/refresh-tokens';

describe('the sealed successor of a rotated refresh token', () => {
  test('only the predecessor token opens it', () => {
    const predecessor = newOpaqueToken();
    const successor = newOpaqueToken();
    const sealed = sealSuccessor(predecessor, successor);
    expect(sealed).not.toContain(successor);
    expect(unsealSuccessor(predecessor, sealed)).toBe(successor);
    expect(unsealSuccessor(newOpaqueToken(), sealed)).toBeUndefined();
  });

  test('a tampered or truncated value opens to nothing', () => {
    const predecessor = newOpaqueToken();
    const sealed = Buffer.from(sealSuccessor(predecessor, newOpaqueToken()), 'base64url');
    sealed[20] = (sealed[20] ?? 0) ^ 1;
    expect(unsealSuccessor(predecessor, sealed.toString('base64url'))).toBeUndefined();
    expect(unsealSuccessor(predecessor, 'AAAA')).toBeUndefined();
  });
});
