import { invalidPath, invalidValue, mutability, noTarget } from './errors';
import { type FilterNode, parsePatchPathSyntax } from './filter-syntax';
import {
  displayNameValue,
  externalIdValue,
  type GroupAttributes,
  type MemberInput,
  memberValues,
} from './group-attributes';
import { groupPathName } from './group-filter';
import { MAX_GROUP_MEMBERS, MAX_GROUP_PATCH_OPERATIONS } from './limits';
import { applyInOrder, type Operation, readOperations } from './patch';
import { isPlainObject } from './values';

/**
 * Group PATCH (RFC 7644 §3.5.2), reduced before anything is read to what it asks for: new attribute values and a
 * membership plan. Member operations are deltas (add these, remove those) unless one of them replaces or clears
 * the whole list, so a PATCH that only adds or removes members never reads the member list.
 *
 * Dialects accepted besides the RFC's own form:
 * - Okta: several `remove` ops with `path: members[value eq "<id>"]` and one `add` of a `members` value array in
 *   one request; a path-less `replace` of `{id, displayName}` (the `id` is ignored); `replace` of `members` with
 *   everyone ("Push Now").
 * - Entra: `Add` / `Remove` / `Replace` in any letter case; `Remove` of `members` naming the members to remove in
 *   `value` (only those are removed); `"$ref": null` in member values; a bare id string as a member value.
 */
export type MemberPlan =
  /** Per user id: the member to add, or null to remove. */
  | { readonly kind: 'delta'; readonly changes: ReadonlyMap<string, MemberInput | null> }
  /** The whole membership after the request. */
  | { readonly kind: 'exact'; readonly members: ReadonlyMap<string, MemberInput> };

export interface GroupPatchPlan {
  /** Applies the attribute operations to the group's current attributes. */
  readonly attributes: (current: GroupAttributes) => GroupAttributes;
  readonly members: MemberPlan;
}

type AttributeEdit = (attributes: GroupAttributes) => GroupAttributes;

class PlanBuilder {
  readonly edits: AttributeEdit[] = [];
  private delta = new Map<string, MemberInput | null>();
  private exact: Map<string, MemberInput> | undefined;
  private named = 0;

  addMembers(members: readonly MemberInput[]): void {
    this.count(members.length);
    for (const member of members) {
      if (this.exact) {
        if (!this.exact.has(member.userId)) this.exact.set(member.userId, member);
      } else {
        this.delta.set(member.userId, member);
      }
    }
  }

  removeMembers(userIds: readonly string[]): void {
    this.count(userIds.length);
    for (const userId of userIds) {
      if (this.exact) this.exact.delete(userId);
      else this.delta.set(userId, null);
    }
  }

  replaceMembers(members: readonly MemberInput[]): void {
    this.count(members.length);
    this.delta = new Map();
    this.exact = new Map(members.map((member) => [member.userId, member]));
  }

  plan(): GroupPatchPlan {
    const edits = [...this.edits];
    return {
      attributes: (current) => edits.reduce((attributes, edit) => edit(attributes), current),
      members: this.exact ? { kind: 'exact', members: this.exact } : { kind: 'delta', changes: this.delta },
    };
  }

  private count(members: number): void {
    this.named += members;
    if (this.named > MAX_GROUP_MEMBERS) {
      throw invalidValue(`A request may name at most ${MAX_GROUP_MEMBERS} members`);
    }
  }
}

export function planGroupPatch(body: unknown): GroupPatchPlan {
  const builder = new PlanBuilder();
  const operations = readOperations(body, MAX_GROUP_PATCH_OPERATIONS, 'A group PATCH request');
  applyInOrder(operations, (operation) => applyOperation(builder, operation));
  return builder.plan();
}

function applyOperation(builder: PlanBuilder, operation: Operation): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw noTarget('"remove" needs a "path" (RFC 7644 §3.5.2.2)');
    if (!isPlainObject(operation.value)) {
      throw invalidValue(`"${operation.op}" without a "path" needs an object "value" of attributes`);
    }
    // RFC 7644 §3.5.2.1/§3.5.2.3 without a path: each member of the value is an attribute to set. Read-only
    // and unknown ones are ignored, as in a PUT (Okta sends the group's `id` here).
    for (const [key, member] of Object.entries(operation.value)) {
      const name = key.toLowerCase();
      if (name === 'displayname') setDisplayName(builder, member);
      else if (name === 'externalid') setExternalId(builder, member);
      else if (name === 'members') writeMembers(builder, operation.op, member);
    }
    return;
  }
  const syntax = parsePatchPathSyntax(operation.path, invalidPath);
  const name = groupPathName(syntax.path);
  // A path in another schema (Okta's SCIM 1.1 `urn:okta:custom:group:1.0` description) names nothing we keep.
  if (name === undefined) return;
  if (name === 'members' && syntax.filter) {
    if (syntax.subAttribute !== undefined || operation.op !== 'remove') {
      throw invalidPath('A filtered members path is only supported for "remove" (members[value eq "<user id>"])');
    }
    builder.removeMembers(filteredMemberIds(syntax.filter));
    return;
  }
  if (syntax.filter) throw invalidPath(`A value filter needs a multi-valued attribute; ${name} is not one`);
  switch (name) {
    case 'displayname':
      if (operation.op === 'remove') throw mutability('displayName is required and cannot be removed');
      setDisplayName(builder, requireValue(operation));
      return;
    case 'externalid':
      if (operation.op === 'remove') setExternalId(builder, null);
      else setExternalId(builder, requireValue(operation));
      return;
    case 'members':
      if (operation.op === 'remove') {
        // Entra's default dialect names the members to remove in `value`; without one, every member goes.
        if (operation.hasValue && operation.value !== null) builder.removeMembers(memberIds(operation.value));
        else builder.replaceMembers([]);
        return;
      }
      writeMembers(builder, operation.op, requireValue(operation));
      return;
    case 'id':
    case 'meta':
    case 'schemas':
      throw mutability(`${name} is read-only`);
    default:
      if (name.startsWith('meta.') || name.startsWith('id.')) throw mutability(`${name} is read-only`);
      throw invalidPath(`"${operation.path}" is not an attribute of a Group`);
  }
}

function requireValue(operation: Operation): unknown {
  if (!operation.hasValue) throw invalidValue(`"${operation.op}" needs a "value"`);
  return operation.value;
}

function setDisplayName(builder: PlanBuilder, value: unknown): void {
  const displayName = displayNameValue(value);
  builder.edits.push((attributes) => ({ ...attributes, displayName }));
}

function setExternalId(builder: PlanBuilder, value: unknown): void {
  const externalId = externalIdValue(value);
  builder.edits.push(({ displayName }) => ({ displayName, ...(externalId !== undefined ? { externalId } : {}) }));
}

function writeMembers(builder: PlanBuilder, op: 'add' | 'replace', value: unknown): void {
  const members = memberValues(value, 'members');
  if (op === 'add') builder.addMembers(members);
  else builder.replaceMembers(members);
}

const memberIds = (value: unknown): string[] => memberValues(value, 'members').map((member) => member.userId);

/** `value eq "<id>"`, possibly several joined by `or`: the ids a filtered remove names. */
function filteredMemberIds(filter: FilterNode): string[] {
  if (filter.kind === 'or') return [...filteredMemberIds(filter.left), ...filteredMemberIds(filter.right)];
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    typeof filter.value === 'string' &&
    filter.path.schema === undefined &&
    filter.path.subAttribute === undefined &&
    filter.path.attribute?.toLowerCase() === 'value'
  ) {
    return [filter.value];
  }
  throw invalidPath('Inside members[…] only value eq "<user id>" (or several joined by "or") is supported');
}
