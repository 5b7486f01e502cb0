import type { Refusal } from '../../core/access/refusal';

/** The access model's refusals in the CLI's words, with the command that helps where there is one. */
export function refusalMessage(refusal: Refusal): string {
  const facts = refusal.facts;
  const fact = (name: string) => {
    const value = facts[name];
    return Array.isArray(value) ? value.join(', ') : String(value ?? '');
  };
  // Refusals a store worded itself (the OAuth client store's) carry no facts.
  if (Object.keys(facts).length === 0 && refusal.message !== refusal.code) return refusal.message;
  switch (refusal.code) {
    case 'unknown-tenant':
      return `There is no tenant ${fact('tenantId')} (list them with: tenant list)`;
    case 'unknown-brand':
      return `Tenant ${fact('tenantId')} has no brand ${fact('brandId')} (list them with: brand list)`;
    case 'unknown-role':
      return `Tenant ${fact('tenantId')} has no role ${fact('role')} (list them with: role list)`;
    case 'unknown-user':
      return `Tenant ${fact('tenantId')} has no user ${fact('user')}`;
    case 'unknown-admin':
      return `Tenant ${fact('tenantId')} has no admin ${fact('email')} (list them with: admin list)`;
    case 'unknown-client':
      return `There is no client ${fact('clientId')} (list them with: client list)`;
    case 'unknown-grant':
      return `There is no grant ${fact('grantId')} (list them with: grant list)`;
    case 'duplicate-tenant-name':
      return `A tenant named "${fact('name')}" already exists${facts.tenantId ? ` (${fact('tenantId')})` : ''}; choose another name, or add --force to create a second one`;
    case 'duplicate-role':
      return `Tenant ${fact('tenantId')} already has a role ${fact('role')} (role names are compared case-insensitively)`;
    case 'duplicate-admin':
      return `Tenant ${fact('tenantId')} already has an admin with that email`;
    case 'duplicate-client':
      return `There is already a client ${fact('clientId')}`;
    case 'invalid-role-name':
      return `Role names are 1 to 64 characters without control characters (not ${JSON.stringify(fact('role'))})`;
    case 'invalid-value':
      return `${fact('field')} must be at most ${fact('maxLength')} characters, without control characters`;
    case 'built-in-role':
      return `${fact('role')} is a built-in role; built-in roles cannot be created, renamed or deleted`;
    case 'role-in-use': {
      const holders = Number(facts.holders);
      const examples = fact('examples');
      return `Role ${fact('role')} is still held by ${holders} user(s) (${examples}${holders > 3 ? ', …' : ''}); give them another role first (user set-role)`;
    }
    case 'role-mapped':
      return `Role ${fact('role')} is given by the mapping of group(s) ${fact('groups')}; change or remove those mappings first (group map, group unmap)`;
    case 'role-renaming':
      return `Role ${fact('role')} is being renamed to ${fact('to')}; run that rename again to finish it (role rename --role ${JSON.stringify(fact('role'))} --name ${JSON.stringify(fact('to'))})`;
    case 'last-admin':
      return `This is the last admin of tenant ${fact('tenantId')}; make another user admin first (user set-role --role admin)`;
    case 'ambiguous-user': {
      const ids = Array.isArray(facts.userIds) ? facts.userIds : [];
      return `${ids.length} users have the email ${fact('user')}; name one by id (${ids.join(', ')})`;
    }
    case 'concurrent-change':
      return 'The data kept changing while this command ran; run it again';
    case 'unknown-group':
      return `Tenant ${fact('tenantId')} has no group ${fact('group')} (list them with: group list)`;
    case 'unmapped-group':
      return `Group ${fact('group')} of tenant ${fact('tenantId')} has no mapping (list them with: group list)`;
    case 'too-many-mappings':
      return `Tenant ${fact('tenantId')} already maps ${fact('limit')} groups, the most it can; unmap one first (group unmap)`;
    case 'access-from-groups':
      return `Tenant ${fact('tenantId')} takes roles and brands from groups: map a group instead (group map), give the admin role directly (user set-role --role admin), or switch back (tenant set-access-source --source admins)`;
    default:
      return refusal.message;
  }
}
