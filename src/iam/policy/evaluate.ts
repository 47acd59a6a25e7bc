/**
 * AWS's policy evaluation logic (IAM User Guide: "Policy evaluation logic", "How AWS enforcement
 * code logic evaluates requests to allow or deny access", "Policy evaluation for requests within a
 * single account", "Cross-account policy evaluation logic", "Permissions boundaries for IAM
 * entities", "Session policies").
 *
 * 1. An explicit Deny in any applicable policy (identity, resource, boundary, session) wins.
 * 2. The account's root user is allowed everything in its own account (SCPs would come here).
 * 3. Anonymous callers and AWS service principals get only what a resource policy grants them.
 * 4. Within one account: identity ∩ boundary ∩ session allows; or a resource-based policy allows
 *    on its own, depending on how its Principal names the caller:
 *    - the IAM user ARN, the role *session* ARN, the federated-user session ARN or "*": final
 *      Allow, even with an implicit deny in identity policies, the boundary or a session policy;
 *    - the role ARN (for a role session) or the IAM user ARN (for its GetFederationToken
 *      session): still limited by an implicit deny in the boundary or a session policy;
 *    - the account (id or :root ARN): delegates to the account, grants nothing on its own.
 *    Trust policies and KMS key policies (resourcePolicyRequired) must allow in every case.
 * 5. Across accounts: the caller's side (identity ∩ boundary ∩ session) and the resource policy
 *    must both allow.
 */
import { strongerMatch, type CompiledPolicy, type CompiledStatement, type PolicyType, type PrincipalInfo, type PrincipalMatch, type StatementRef } from './compile.ts';
import { ContextView, type RequestContext } from './context.ts';

export interface AuthzRequest {
  principal: PrincipalInfo;
  /** "iam:CreateUser" */
  action: string;
  /** "arn:aws:iam::123456789012:user/alice", or "*" for actions without resource-level permissions. */
  resource: string;
  /** The account owning the resource; a request is cross-account when it differs from the caller's. */
  resourceAccount?: string;
  /** Condition keys (any case) and their values. */
  context: RequestContext;
}

export interface PolicySet {
  /** The user's inline and managed policies and its groups', or the role's. */
  identity: readonly CompiledPolicy[];
  /** The resource's policy: a bucket policy, a role's trust policy, a key policy, … */
  resource?: CompiledPolicy;
  /** The user's or role's permissions boundary. */
  boundary?: CompiledPolicy;
  /**
   * Session policies (inline + PolicyArns). Undefined: not a session with session policies.
   * An empty array is a session that had to be scoped by a policy and got none
   * (GetFederationToken without Policy), so it grants nothing.
   */
  session?: readonly CompiledPolicy[];
  /**
   * True for role trust policies and KMS key policies, which must allow the principal explicitly
   * even within the account.
   */
  resourcePolicyRequired?: boolean;
}

export type DecisionReason =
  | 'allowed-by-identity'
  | 'allowed-by-resource'
  | 'root'
  | 'explicit-deny-identity'
  | 'explicit-deny-resource'
  | 'explicit-deny-boundary'
  | 'explicit-deny-session'
  | 'no-identity-allow'
  | 'no-resource-allow'
  | 'boundary'
  | 'session';

export interface MatchedStatement extends StatementRef {
  policyType: PolicyType;
}

export interface Decision {
  effect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** The policy type that denied (for denials). */
  deniedBy?: PolicyType;
  reason: DecisionReason;
  /** Every statement that applied to the request (allows and denies); entries are shared and frozen. */
  matched: MatchedStatement[];
  crossAccount: boolean;
}

interface Scan {
  allow: boolean;
  deny: boolean;
}

interface ResourceScan {
  allow: PrincipalMatch;
  deny: boolean;
}

const NO_STATEMENTS: Scan = { allow: false, deny: false };

export function evaluate(req: AuthzRequest, set: PolicySet): Decision {
  const context = new ContextView(req.context);
  const lowerAction = req.action.toLowerCase();
  const colon = lowerAction.indexOf(':');
  const lowerService = colon === -1 ? lowerAction : lowerAction.slice(0, colon);
  const matched: MatchedStatement[] = [];
  const probe: Probe = { req, context, lowerAction, lowerService, matched };
  const principal = req.principal;
  const crossAccount =
    principal.type !== 'anonymous' &&
    principal.type !== 'service' &&
    req.resourceAccount !== undefined &&
    req.resourceAccount !== principal.accountId;

  const hasIdentity = principal.type !== 'root' && principal.type !== 'anonymous' && principal.type !== 'service';
  const identity = hasIdentity ? scanAll(set.identity, 'identity', probe) : NO_STATEMENTS;
  const resource = set.resource ? scanResource(set.resource, probe) : { allow: 'none' as PrincipalMatch, deny: false };
  const boundary = hasIdentity && set.boundary ? scanAll([set.boundary], 'boundary', probe) : undefined;
  const session = hasIdentity && set.session ? scanAll(set.session, 'session', probe) : undefined;

  const decide = (effect: Decision['effect'], reason: DecisionReason, deniedBy?: PolicyType): Decision => ({
    effect,
    reason,
    deniedBy,
    matched,
    crossAccount,
  });

  // 1. Explicit deny anywhere.
  if (identity.deny) return decide('ExplicitDeny', 'explicit-deny-identity', 'identity');
  if (resource.deny) return decide('ExplicitDeny', 'explicit-deny-resource', 'resource');
  if (boundary?.deny) return decide('ExplicitDeny', 'explicit-deny-boundary', 'boundary');
  if (session?.deny) return decide('ExplicitDeny', 'explicit-deny-session', 'session');

  // 2 and 3. Principals without identity policies.
  if (principal.type === 'root' && !crossAccount && !set.resourcePolicyRequired) return decide('Allow', 'root');
  if (!hasIdentity) {
    return resource.allow !== 'none' ? decide('Allow', 'allowed-by-resource') : decide('ImplicitDeny', 'no-resource-allow', 'resource');
  }

  const boundaryOk = boundary === undefined || boundary.allow;
  const sessionOk = session === undefined || session.allow;
  const identitySideOk = identity.allow && boundaryOk && sessionOk;
  const identitySideFailure = (): Decision =>
    !identity.allow
      ? decide('ImplicitDeny', 'no-identity-allow', 'identity')
      : !boundaryOk
        ? decide('ImplicitDeny', 'boundary', 'boundary')
        : decide('ImplicitDeny', 'session', 'session');

  // 5. Cross-account: both sides must allow.
  if (crossAccount) {
    if (!identitySideOk) return identitySideFailure();
    if (resource.allow === 'none') return decide('ImplicitDeny', 'no-resource-allow', 'resource');
    return decide('Allow', 'allowed-by-resource');
  }

  // 4. Same account.
  switch (resource.allow) {
    case 'direct':
      return decide('Allow', 'allowed-by-resource');
    case 'role':
    case 'user-of-federated-session':
      if (boundaryOk && sessionOk) return decide('Allow', 'allowed-by-resource');
      if (identitySideOk) return decide('Allow', 'allowed-by-identity');
      return !boundaryOk ? decide('ImplicitDeny', 'boundary', 'boundary') : decide('ImplicitDeny', 'session', 'session');
    case 'account':
      return identitySideOk ? decide('Allow', 'allowed-by-identity') : identitySideFailure();
    case 'none':
      if (set.resourcePolicyRequired) return decide('ImplicitDeny', 'no-resource-allow', 'resource');
      return identitySideOk ? decide('Allow', 'allowed-by-identity') : identitySideFailure();
  }
}

interface Probe {
  req: AuthzRequest;
  context: ContextView;
  lowerAction: string;
  lowerService: string;
  matched: MatchedStatement[];
}

/** Action, then resource, then conditions: cheapest test first. */
function applies(s: CompiledStatement, probe: Probe): boolean {
  if (!s.matchesAction(probe.lowerAction, probe.lowerService)) return false;
  if (!s.matchesResource(probe.req.resource, probe.context)) return false;
  for (const c of s.conditions) if (!c.evaluate(probe.context)) return false;
  return true;
}

function scanAll(policies: readonly CompiledPolicy[], policyType: PolicyType, probe: Probe): Scan {
  const scan: Scan = { allow: false, deny: false };
  for (const policy of policies) {
    for (const s of policy.statementsFor(probe.lowerService)) {
      if (!applies(s, probe)) continue;
      probe.matched.push(s.matchedAs(policyType));
      if (s.effect === 'Deny') scan.deny = true;
      else scan.allow = true;
    }
  }
  return scan;
}

function scanResource(policy: CompiledPolicy, probe: Probe): ResourceScan {
  const scan: ResourceScan = { allow: 'none', deny: false };
  for (const s of policy.statementsFor(probe.lowerService)) {
    const match = s.matchPrincipal(probe.req.principal);
    if (match === 'none' || !applies(s, probe)) continue;
    probe.matched.push(s.matchedAs('resource'));
    if (s.effect === 'Deny') scan.deny = true;
    else scan.allow = strongerMatch(scan.allow, match);
  }
  return scan;
}
