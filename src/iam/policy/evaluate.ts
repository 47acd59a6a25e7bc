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

/** An action's lower-case form and service prefix, memoised: requests repeat the same actions. */
interface LoweredAction {
  action: string;
  service: string;
}
const loweredActions = new Map<string, LoweredAction>();
const LOWERED_ACTIONS_LIMIT = 4096;

function lowerAction(action: string): LoweredAction {
  let lowered = loweredActions.get(action);
  if (lowered === undefined) {
    if (loweredActions.size >= LOWERED_ACTIONS_LIMIT) loweredActions.clear();
    const lower = action.toLowerCase();
    const colon = lower.indexOf(':');
    lowered = { action: lower, service: colon === -1 ? lower : lower.slice(0, colon) };
    loweredActions.set(action, lowered);
  }
  return lowered;
}

const NO_RESOURCE_POLICY: ResourceScan = { allow: 'none', deny: false };

export function evaluate(req: AuthzRequest, set: PolicySet): Decision {
  const lowered = lowerAction(req.action);
  const probe: Probe = { req, context: new ContextView(req.context), lowerAction: lowered.action, lowerService: lowered.service, matched: [] };
  const principal = req.principal;
  const crossAccount =
    principal.type !== 'anonymous' &&
    principal.type !== 'service' &&
    req.resourceAccount !== undefined &&
    req.resourceAccount !== principal.accountId;

  const hasIdentity = principal.type !== 'root' && principal.type !== 'anonymous' && principal.type !== 'service';
  const identity = hasIdentity ? scanAll(set.identity, 'identity', probe) : NO_STATEMENTS;
  const resource = set.resource ? scanResource(set.resource, probe) : NO_RESOURCE_POLICY;
  const boundary = hasIdentity && set.boundary ? scanOne(set.boundary, 'boundary', probe) : undefined;
  const session = hasIdentity && set.session ? scanAll(set.session, 'session', probe) : undefined;
  const matched = probe.matched;

  // 1. Explicit deny anywhere.
  if (identity.deny) return decision('ExplicitDeny', 'explicit-deny-identity', 'identity', matched, crossAccount);
  if (resource.deny) return decision('ExplicitDeny', 'explicit-deny-resource', 'resource', matched, crossAccount);
  if (boundary?.deny) return decision('ExplicitDeny', 'explicit-deny-boundary', 'boundary', matched, crossAccount);
  if (session?.deny) return decision('ExplicitDeny', 'explicit-deny-session', 'session', matched, crossAccount);

  // 2 and 3. Principals without identity policies.
  if (principal.type === 'root' && !crossAccount && !set.resourcePolicyRequired) return decision('Allow', 'root', undefined, matched, crossAccount);
  if (!hasIdentity) {
    return resource.allow !== 'none'
      ? decision('Allow', 'allowed-by-resource', undefined, matched, crossAccount)
      : decision('ImplicitDeny', 'no-resource-allow', 'resource', matched, crossAccount);
  }

  const boundaryOk = boundary === undefined || boundary.allow;
  const sessionOk = session === undefined || session.allow;
  const identitySideOk = identity.allow && boundaryOk && sessionOk;

  // 5. Cross-account: both sides must allow.
  if (crossAccount) {
    if (!identitySideOk) return identitySideFailure(identity.allow, boundaryOk, matched, crossAccount);
    if (resource.allow === 'none') return decision('ImplicitDeny', 'no-resource-allow', 'resource', matched, crossAccount);
    return decision('Allow', 'allowed-by-resource', undefined, matched, crossAccount);
  }

  // 4. Same account.
  switch (resource.allow) {
    case 'direct':
      return decision('Allow', 'allowed-by-resource', undefined, matched, crossAccount);
    case 'role':
    case 'user-of-federated-session':
      if (boundaryOk && sessionOk) return decision('Allow', 'allowed-by-resource', undefined, matched, crossAccount);
      if (identitySideOk) return decision('Allow', 'allowed-by-identity', undefined, matched, crossAccount);
      return !boundaryOk
        ? decision('ImplicitDeny', 'boundary', 'boundary', matched, crossAccount)
        : decision('ImplicitDeny', 'session', 'session', matched, crossAccount);
    case 'account':
      return identitySideOk
        ? decision('Allow', 'allowed-by-identity', undefined, matched, crossAccount)
        : identitySideFailure(identity.allow, boundaryOk, matched, crossAccount);
    case 'none':
      if (set.resourcePolicyRequired) return decision('ImplicitDeny', 'no-resource-allow', 'resource', matched, crossAccount);
      return identitySideOk
        ? decision('Allow', 'allowed-by-identity', undefined, matched, crossAccount)
        : identitySideFailure(identity.allow, boundaryOk, matched, crossAccount);
  }
}

// Module-level rather than closures inside evaluate: nothing to allocate per decision but the result.
function decision(
  effect: Decision['effect'],
  reason: DecisionReason,
  deniedBy: PolicyType | undefined,
  matched: MatchedStatement[],
  crossAccount: boolean,
): Decision {
  return { effect, reason, deniedBy, matched, crossAccount };
}

/** Why the caller's side (identity ∩ boundary ∩ session) did not allow. */
function identitySideFailure(identityAllows: boolean, boundaryOk: boolean, matched: MatchedStatement[], crossAccount: boolean): Decision {
  if (!identityAllows) return decision('ImplicitDeny', 'no-identity-allow', 'identity', matched, crossAccount);
  if (!boundaryOk) return decision('ImplicitDeny', 'boundary', 'boundary', matched, crossAccount);
  return decision('ImplicitDeny', 'session', 'session', matched, crossAccount);
}

interface Probe {
  req: AuthzRequest;
  context: ContextView;
  lowerAction: string;
  lowerService: string;
  matched: MatchedStatement[];
}

/**
 * Resource, then conditions: cheapest test first. The action has been matched already, by
 * statementsForAction.
 */
function applies(s: CompiledStatement, probe: Probe): boolean {
  if (!s.matchesResource(probe.req.resource, probe.context)) return false;
  const conditions = s.conditions;
  for (let i = 0; i < conditions.length; i++) if (!conditions[i]!.evaluate(probe.context)) return false;
  return true;
}

function scanAll(policies: readonly CompiledPolicy[], policyType: PolicyType, probe: Probe): Scan {
  const scan: Scan = { allow: false, deny: false };
  for (let i = 0; i < policies.length; i++) scanInto(policies[i]!, policyType, probe, scan);
  return scan;
}

/** The boundary: one policy, without wrapping it in an array per decision. */
function scanOne(policy: CompiledPolicy, policyType: PolicyType, probe: Probe): Scan {
  const scan: Scan = { allow: false, deny: false };
  scanInto(policy, policyType, probe, scan);
  return scan;
}

function scanInto(policy: CompiledPolicy, policyType: PolicyType, probe: Probe, scan: Scan): void {
  const statements = policy.statementsForAction(probe.lowerAction, probe.lowerService);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (!applies(s, probe)) continue;
    probe.matched.push(s.matchedAs(policyType));
    if (s.effect === 'Deny') scan.deny = true;
    else scan.allow = true;
  }
}

function scanResource(policy: CompiledPolicy, probe: Probe): ResourceScan {
  const scan: ResourceScan = { allow: 'none', deny: false };
  const statements = policy.statementsForAction(probe.lowerAction, probe.lowerService);
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    const match = s.matchPrincipal(probe.req.principal);
    if (match === 'none' || !applies(s, probe)) continue;
    probe.matched.push(s.matchedAs('resource'));
    if (s.effect === 'Deny') scan.deny = true;
    else scan.allow = strongerMatch(scan.allow, match);
  }
  return scan;
}
