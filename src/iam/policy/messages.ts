/**
 * AWS's access denied messages (IAM User Guide: "Troubleshoot access denied error messages"):
 *
 *   User: <principal arn> is not authorized to perform: <action> on resource: <resource> <context>
 *
 * where the context is "because no <type> policy allows the <action> action" for an implicit deny
 * and "with an explicit deny in a <type> policy" for an explicit one. The policy-type context is
 * only given for requests within the same account (the guide and the "Enhanced access denied error
 * messages" announcement); cross-account denials end after the resource. Actions without
 * resource-level permissions (resource "*") have no "on resource:" part.
 */
import type { PolicyType } from './compile.ts';
import type { AuthzRequest, Decision, DecisionReason } from './evaluate.ts';

const EXPLICIT: Record<PolicyType, string> = {
  identity: 'with an explicit deny in an identity-based policy',
  resource: 'with an explicit deny in a resource-based policy',
  boundary: 'with an explicit deny in a permissions boundary',
  session: 'with an explicit deny in a session policy',
};

const IMPLICIT: Record<PolicyType, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
};

/** The "because …"/"with …" phrase for a denial, or '' for allows. */
export function denialContext(action: string, decision: Pick<Decision, 'effect' | 'deniedBy' | 'reason'>): string {
  if (decision.effect === 'Allow' || !decision.deniedBy) return '';
  if (decision.effect === 'ExplicitDeny') return EXPLICIT[decision.deniedBy];
  return `because no ${IMPLICIT[decision.deniedBy]} allows the ${action} action`;
}

/** The name AWS prints for the caller: its ARN, or "anonymous" for unsigned requests. */
function callerName(req: Pick<AuthzRequest, 'principal'>): string {
  return req.principal.type === 'anonymous' ? 'anonymous' : req.principal.arn;
}

/** The full AccessDenied message for a denied request. */
export function accessDeniedMessage(req: Pick<AuthzRequest, 'principal' | 'action' | 'resource'>, decision: Decision): string {
  let message = `User: ${callerName(req)} is not authorized to perform: ${req.action}`;
  if (req.resource !== '*' && req.resource !== '') message += ` on resource: ${req.resource}`;
  if (!decision.crossAccount) {
    const context = denialContext(req.action, decision);
    if (context) message += ` ${context}`;
  }
  return message;
}

/** Reasons that are denials, for callers that branch on them. */
export function isDenial(reason: DecisionReason): boolean {
  return reason !== 'allowed-by-identity' && reason !== 'allowed-by-resource' && reason !== 'root';
}
