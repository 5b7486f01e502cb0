import { displayNameKey } from '../../core/scim/group-attributes';
import { tenantPartition } from './storage-consistency';

type Item = Record<string, unknown>;

/**
 * What whole groups are in storage (docs/scim.md, "How groups are stored"): every group has its displayName
 * item; every membership is a MEMBER#/MEMBEROF# pair whose group and user both exist; each group's
 * memberCount is its number of memberships. Returns every violation, so that a test can expect `[]`.
 */
export function groupPartitionProblems(items: readonly Item[]): string[] {
  const problems: string[] = [];
  const sks = new Set(items.map((item) => String(item.sk)));
  const groups = items.filter((item) => String(item.sk).startsWith('GROUP#'));
  const users = new Set(items.filter((item) => String(item.sk).startsWith('USER#')).map((item) => String(item.id)));
  const members = new Map<string, number>();
  for (const group of groups) {
    const nameSk = `GROUPNAME#${encodeURIComponent(displayNameKey(String(group.displayName)))}`;
    const name = items.find((item) => item.sk === nameSk);
    if (name?.groupId !== group.id) problems.push(`group ${group.id} lacks its name item ${nameSk}`);
    members.set(String(group.id), 0);
  }
  for (const item of items.filter((candidate) => String(candidate.sk).startsWith('GROUPNAME#'))) {
    if (!members.has(String(item.groupId))) problems.push(`name item ${item.sk} points at a missing group`);
  }
  for (const edge of items.filter((item) => String(item.sk).startsWith('MEMBER#'))) {
    const groupId = String(edge.groupId);
    const userId = String(edge.userId);
    if (!sks.has(`MEMBEROF#${userId}#${groupId}`)) problems.push(`membership ${groupId}/${userId} lacks its user side`);
    if (!users.has(userId)) problems.push(`group ${groupId} holds ${userId}, which is not a user`);
    if (!members.has(groupId)) problems.push(`membership of ${userId} in missing group ${groupId}`);
    else members.set(groupId, (members.get(groupId) ?? 0) + 1);
  }
  for (const edge of items.filter((item) => String(item.sk).startsWith('MEMBEROF#'))) {
    if (!sks.has(`MEMBER#${edge.groupId}#${edge.userId}`)) {
      problems.push(`membership ${edge.groupId}/${edge.userId} lacks its group side`);
    }
  }
  for (const group of groups) {
    const counted = members.get(String(group.id)) ?? 0;
    if (group.memberCount !== counted) {
      problems.push(`group ${group.id} says ${group.memberCount} members, storage holds ${counted}`);
    }
  }
  return problems;
}

/** The problems of a tenant's groups, read strongly consistently. */
export const tenantGroupProblems = async (tenantId: string): Promise<string[]> =>
  groupPartitionProblems(await tenantPartition(tenantId));
