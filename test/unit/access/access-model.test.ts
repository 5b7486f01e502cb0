import {
  accessChange,
  brandsText,
  isBuiltInRole,
  mayApproveConnections,
  roleKey,
  roleNameProblem,
  sameAccess,
  tidyRoleName,
  withBrands,
  withoutBrand,
} from '../../../core/access/access-model';
import { DEFAULT_ACCESS } from '../../../core/scim/user-record';

const scoped = { role: 'collaborator', allBrands: false, brands: ['b1', 'b2'] };

describe('the access model’s rules', () => {
  test('role names as people type them: compared case-insensitively, spaces tidied, never a built-in name', () => {
    expect(isBuiltInRole('admin')).toBe(true);
    expect(isBuiltInRole(' Collaborator ')).toBe(true);
    expect(roleKey('  Email   Creator ')).toBe('email creator');
    expect(roleKey('E\u0301diteur')).toBe(roleKey('\u00c9diteur'));
    expect(tidyRoleName('  Email   Creator ')).toBe('Email Creator');
    expect(roleKey('brand-editor')).toBe('brand-editor');
    for (const good of ['Email Creator', 'brand-editor', 'Éditeur', 'a'.repeat(64)]) {
      expect({ good, problem: roleNameProblem(good) }).toEqual({ good, problem: undefined });
    }
    expect(roleNameProblem('ADMIN')).toBe('built-in');
    for (const bad of ['', '   ', 'a'.repeat(65), 'bell\u0007', 'zero\u200bwidth']) {
      expect({ bad, problem: roleNameProblem(bad) }).toEqual({ bad, problem: 'invalid' });
    }
  });

  test('brand choices: all brands clears the list; a list drops repeats; a deleted brand leaves the list', () => {
    expect(withBrands(scoped, 'all')).toEqual({ role: 'collaborator', allBrands: true, brands: [] });
    expect(withBrands(DEFAULT_ACCESS, ['b2', 'b1', 'b2'])).toEqual({
      ...DEFAULT_ACCESS,
      allBrands: false,
      brands: ['b2', 'b1'],
    });
    expect(withoutBrand(scoped, 'b1')).toEqual({ ...scoped, brands: ['b2'] });
    expect(withoutBrand(DEFAULT_ACCESS, 'b1')).toEqual(DEFAULT_ACCESS);
    expect(sameAccess(scoped, { ...scoped, brands: ['b1', 'b2'] })).toBe(true);
    expect(sameAccess(scoped, { ...scoped, brands: ['b2', 'b1'] })).toBe(false);
  });

  test('the audit trail’s "what changed" names only what changed, brands as "all" or a list', () => {
    expect(accessChange(DEFAULT_ACCESS, { ...DEFAULT_ACCESS, role: 'admin' })).toEqual({
      role: { from: 'collaborator', to: 'admin' },
    });
    expect(accessChange(DEFAULT_ACCESS, scoped)).toEqual({ brands: { from: 'all', to: ['b1', 'b2'] } });
    expect(accessChange(scoped, scoped)).toEqual({});
    expect(brandsText({ allBrands: false, brands: [] })).toEqual([]);
  });

  test('only an active user holding admin may approve connections', () => {
    const admin = { access: { ...DEFAULT_ACCESS, role: 'admin' }, attributes: { userName: 'a@x.example' } };
    expect(mayApproveConnections(admin)).toBe(true);
    expect(mayApproveConnections({ ...admin, attributes: { userName: 'a@x.example', active: false } })).toBe(false);
    expect(mayApproveConnections({ ...admin, access: DEFAULT_ACCESS })).toBe(false);
    expect(mayApproveConnections(undefined)).toBe(false);
  });
});
