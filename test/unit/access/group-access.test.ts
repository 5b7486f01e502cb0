import { type GroupMapping, grantFromGroups, holdsDirectAdmin, isPriority } from '../../../core/access/group-access';
import { type AppAccess, DEFAULT_ACCESS } from '../../../core/scim/user-record';

const at = '2026-01-01T00:00:00.000Z';
const mapping = (groupId: string, part: Omit<GroupMapping, 'groupId' | 'updatedAt'>): GroupMapping => ({
  groupId,
  ...part,
  updatedAt: at,
});

const editors = mapping('g-editors', { role: { name: 'Editor', priority: 10 } });
const admins = mapping('g-admins', { role: { name: 'admin', priority: 100 } });
const viewers = mapping('g-viewers', { role: { name: 'Viewer', priority: 1 }, brands: ['b1'] });
const brandTwo = mapping('g-brand-2', { brands: ['b2', 'b1'] });
const everyBrand = mapping('g-all', { brands: 'all' });
const mappings = [editors, admins, viewers, brandTwo, everyBrand];

const grant = (current: AppAccess, groups: string[], options?: { keepDirectAdmin: boolean }) =>
  grantFromGroups(current, new Set(groups), mappings, options);

describe('roles and brands from groups', () => {
  test('the role is the highest-priority mapped group’s; brands are the union of the mapped groups’', () => {
    expect(grant(DEFAULT_ACCESS, ['g-viewers', 'g-editors', 'g-brand-2'])).toEqual({
      access: { role: 'Editor', roleGroup: 'g-editors', allBrands: false, brands: ['b1', 'b2'] },
      roleGroup: 'g-editors',
      brandGroups: ['g-brand-2', 'g-viewers'],
      keptDirectAdmin: false,
    });
    expect(grant(DEFAULT_ACCESS, ['g-viewers', 'g-admins']).access.role).toBe('admin');
    // One group giving every brand gives every brand, whatever the others list.
    expect(grant(DEFAULT_ACCESS, ['g-viewers', 'g-all']).access).toMatchObject({ allBrands: true, brands: [] });
  });

  test('equal priorities are decided by group id, never by the order memberships or mappings are read in', () => {
    const a = mapping('g-a', { role: { name: 'Alpha', priority: 5 } });
    const b = mapping('g-b', { role: { name: 'Beta', priority: 5 } });
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect(grantFromGroups(DEFAULT_ACCESS, new Set(['g-b', 'g-a']), order).access.role).toBe('Alpha');
    }
  });

  test('without a mapped group the tenant defaults apply: collaborator and all brands', () => {
    const before: AppAccess = { role: 'Editor', roleGroup: 'g-editors', allBrands: false, brands: ['b1'] };
    expect(grant(before, ['g-unmapped']).access).toEqual(DEFAULT_ACCESS);
    expect(grant(before, []).access).toEqual(DEFAULT_ACCESS);
  });

  test('leaving a group removes exactly what it gave, and nothing the other groups give', () => {
    const both = grant(DEFAULT_ACCESS, ['g-editors', 'g-viewers', 'g-brand-2']).access;
    expect(both).toMatchObject({ role: 'Editor', brands: ['b1', 'b2'] });
    const leftEditors = grant(both, ['g-viewers', 'g-brand-2']).access;
    expect(leftEditors).toEqual({ role: 'Viewer', roleGroup: 'g-viewers', allBrands: false, brands: ['b1', 'b2'] });
    const leftBrandTwo = grant(leftEditors, ['g-viewers']).access;
    expect(leftBrandTwo).toEqual({ role: 'Viewer', roleGroup: 'g-viewers', allBrands: false, brands: ['b1'] });
  });

  test('a direct admin role (break-glass) is kept whatever the groups say; a group-given one is not', () => {
    const direct: AppAccess = { role: 'admin', allBrands: true, brands: [] };
    expect(holdsDirectAdmin(direct)).toBe(true);
    expect(grant(direct, ['g-viewers'])).toMatchObject({
      access: { role: 'admin', allBrands: false, brands: ['b1'] },
      keptDirectAdmin: true,
    });
    expect(grant(direct, ['g-viewers']).access.roleGroup).toBeUndefined();
    const fromGroup: AppAccess = { role: 'admin', roleGroup: 'g-admins', allBrands: true, brands: [] };
    expect(holdsDirectAdmin(fromGroup)).toBe(false);
    expect(grant(fromGroup, ['g-viewers']).access.role).toBe('Viewer');
    // Released by an admin, the direct role gives way to the groups.
    expect(grant(direct, ['g-viewers'], { keepDirectAdmin: false }).access.role).toBe('Viewer');
  });

  test('priorities are whole numbers in range', () => {
    expect([0, 1, 1_000_000].map(isPriority)).toEqual([true, true, true]);
    expect([-1, 1.5, 1_000_001, Number.NaN].map(isPriority)).toEqual([false, false, false, false]);
  });
});
