/**
 * The shapes of a parsed IAM policy document, as the IAM JSON policy grammar describes them
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
 *
 * Parsing normalises the grammar's "single value or array" forms into arrays so the compiler
 * never has to ask which form it got.
 */

/**
 * Where a policy document is used; validation rules differ per kind:
 * - identity: managed and inline policies of users, groups and roles (no Principal)
 * - resource: bucket policies, queue policies, … (Principal required)
 * - trust: a role's assume-role policy (Principal required, no Resource)
 * - boundary: a permissions boundary (a managed policy, same rules as identity)
 * - session: a session policy passed to AssumeRole / GetFederationToken (same rules as identity)
 */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session';

/** "2008-10-17" is the legacy language: no policy variables (`${…}` is literal text). */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type Effect = 'Allow' | 'Deny';

/** A condition value as JSON allows it in a policy: strings, numbers and booleans. */
export type ConditionValue = string | number | boolean;

/** `{ "StringEquals": { "aws:username": ["alice"] } }`, operator → key → values (always an array). */
export type ConditionBlock = Record<string, Record<string, ConditionValue[]>>;

/** Principal element normalised: "*" becomes `{ AWS: ['*'] , wildcard: true }`. */
export interface PrincipalBlock {
  /** True when the element was the bare string "*" (everyone, including anonymous callers). */
  wildcard: boolean;
  AWS: string[];
  Service: string[];
  Federated: string[];
  CanonicalUser: string[];
}

export interface ParsedStatement {
  sid?: string;
  effect: Effect;
  /** Exactly one of action / notAction is set. */
  action?: string[];
  notAction?: string[];
  /** Both unset only in trust policies, which have no Resource element. */
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  condition?: ConditionBlock;
}

export interface ParsedPolicy {
  kind: PolicyKind;
  /** The Version element, or the legacy default when it is absent. */
  version: PolicyVersion;
  /** True when the document had no Version element at all. */
  versionOmitted: boolean;
  id?: string;
  statements: ParsedStatement[];
}
