/**
 * What the admin asked for cannot be done, for a reason they can act on. It carries a code and the facts
 * behind it, never wording: each front end (the admin CLI, a web console) says it in its own words.
 */
export type RefusalCode =
  | 'unknown-tenant'
  | 'unknown-brand'
  | 'unknown-role'
  | 'unknown-user'
  | 'unknown-admin'
  | 'unknown-client'
  | 'unknown-grant'
  | 'duplicate-tenant-name'
  | 'duplicate-role'
  | 'duplicate-admin'
  /** A brand id already taken: a repeated creation (the console's create form posted twice). */
  | 'duplicate-brand'
  /** A client id already registered: a repeated registration (the console's create form posted twice). */
  | 'duplicate-client'
  | 'invalid-role-name'
  /** A name or description that is empty, too long or holds control characters; `field` says which. */
  | 'invalid-value'
  | 'built-in-role'
  | 'role-in-use'
  /** A custom role that group mappings give; `groups` names them. */
  | 'role-mapped'
  /** A rename of the role to another name is under way (`to`); run that one again to finish it. */
  | 'role-renaming'
  | 'last-admin'
  | 'ambiguous-user'
  | 'concurrent-change'
  | 'unknown-group'
  | 'unmapped-group'
  | 'too-many-mappings'
  /** The tenant takes access from groups: roles (other than a direct admin) and brands come from mappings. */
  | 'access-from-groups';

export type RefusalFacts = Readonly<Record<string, string | number | readonly string[]>>;

export class Refusal extends Error {
  override readonly name = 'Refusal';

  constructor(
    readonly code: RefusalCode,
    readonly facts: RefusalFacts = {},
    message: string = code,
  ) {
    super(message);
  }
}
