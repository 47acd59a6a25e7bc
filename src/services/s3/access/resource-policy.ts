/**
 * The resource policy S3 evaluates for a request: the bucket policy, adjusted by Block Public
 * Access, plus the ACL grants expressed as policy statements (an ACL is a resource-based
 * permission like a bucket policy: S3 User Guide, "Access control list (ACL) overview").
 *
 * - RestrictPublicBuckets: when the bucket policy is public, it grants nothing to anonymous or
 *   cross-account callers; only its Deny statements still apply to them.
 * - IgnorePublicAcls: grants to AllUsers / AuthenticatedUsers are left out.
 * - BucketOwnerEnforced: ACLs are disabled and grant nothing.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { Grant } from '../../../generated/s3/types.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { ALL_USERS_URI, AUTHENTICATED_USERS_URI, accountOfCanonicalId, canonicalUserId, isPublicGrant } from './acl.ts';
import { isPublicPolicy } from './policy.ts';
import { effectivePublicAccessBlock } from './public-access.ts';

type Statement = Record<string, unknown>;

const BUCKET_ACL_ACTIONS: Record<string, string[]> = {
  READ: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
  WRITE: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
  READ_ACP: ['s3:GetBucketAcl'],
  WRITE_ACP: ['s3:PutBucketAcl'],
};
const OBJECT_ACL_ACTIONS: Record<string, string[]> = {
  READ: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTorrent'],
  READ_ACP: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  WRITE_ACP: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
};

function actionsFor(permission: string, table: Record<string, string[]>): string[] {
  if (permission === 'FULL_CONTROL') return Object.values(table).flat();
  return table[permission] ?? [];
}

/** Which callers an ACL grantee is, as a policy Principal (and Condition), or undefined for grantees that match no caller. */
function granteeAsPrincipal(grant: Grant, knownAccounts: readonly string[]): Statement | undefined {
  const grantee = grant.Grantee;
  if (grantee?.Type === 'Group' && grantee.URI === ALL_USERS_URI) return { Principal: '*' };
  // Any signed caller: anonymous requests have no aws:PrincipalAccount.
  if (grantee?.Type === 'Group' && grantee.URI === AUTHENTICATED_USERS_URI) return { Principal: { AWS: '*' }, Condition: { Null: { 'aws:PrincipalAccount': 'false' } } };
  if (grantee?.Type === 'CanonicalUser' && grantee.ID) {
    const account = accountOfCanonicalId(grantee.ID, knownAccounts);
    // A grant to an account delegates to that account's identity policies, as a policy naming the account does.
    return account ? { Principal: { AWS: account } } : undefined;
  }
  return undefined;
}

function aclStatements(grants: readonly Grant[], table: Record<string, string[]>, resource: string | string[], ignorePublic: boolean, knownAccounts: readonly string[]): Statement[] {
  const statements: Statement[] = [];
  for (const grant of grants) {
    if (ignorePublic && isPublicGrant(grant)) continue;
    const principal = granteeAsPrincipal(grant, knownAccounts);
    const actions = actionsFor(String(grant.Permission), table);
    if (!principal || actions.length === 0) continue;
    statements.push({ Effect: 'Allow', ...principal, Action: actions, Resource: resource });
  }
  return statements;
}

function policyStatements(policy: string): Statement[] {
  try {
    const statement = (JSON.parse(policy) as { Statement?: unknown }).Statement;
    return (Array.isArray(statement) ? statement : [statement]) as Statement[];
  } catch {
    return [];
  }
}

export interface ResourcePolicyRequest {
  ctx: RequestContext;
  bucket: BucketRecord;
  /** The object ARN and its ACL grants, for object operations on buckets with ACLs enabled. */
  object?: { arn: string; grants: () => Promise<Grant[]> };
}

/** The document the authorizer evaluates as the bucket's resource policy, or undefined when there is none. */
export async function bucketResourcePolicy({ ctx, bucket, object }: ResourcePolicyRequest): Promise<{ document: string; kind: 'resource' } | undefined> {
  // No policy and ACLs disabled: nothing to evaluate, whatever Block Public Access says (spares
  // the account-level configuration's read on most requests).
  if (!bucket.policy && bucket.objectOwnership === 'BucketOwnerEnforced') return undefined;
  const block = await effectivePublicAccessBlock(ctx.store, bucket);
  const principal = ctx.principal;
  const outsider = principal.type === 'anonymous' || principal.accountId !== bucket.ownerAccountId;
  let statements: Statement[] = [];
  if (bucket.policy) {
    statements = policyStatements(bucket.policy);
    if (block.RestrictPublicBuckets && outsider && isPublicPolicy(bucket.policy)) statements = statements.filter((s) => s.Effect === 'Deny');
  }
  if (bucket.objectOwnership !== 'BucketOwnerEnforced') {
    const knownAccounts = [...new Set([bucket.ownerAccountId, principal.accountId])];
    const bucketGrants = ((bucket.acl as { Grants?: Grant[] } | undefined)?.Grants ?? []).filter((g) => !isOwnGrant(g, bucket.ownerAccountId));
    // WRITE on a bucket is about its objects, the other permissions about the bucket itself.
    const bucketResources = [`arn:aws:s3:::${bucket.name}`, `arn:aws:s3:::${bucket.name}/*`];
    statements.push(...aclStatements(bucketGrants, BUCKET_ACL_ACTIONS, bucketResources, block.IgnorePublicAcls, knownAccounts));
    if (object) {
      const grants = (await object.grants()).filter((g) => !isOwnGrant(g, bucket.ownerAccountId));
      statements.push(...aclStatements(grants, OBJECT_ACL_ACTIONS, object.arn, block.IgnorePublicAcls, knownAccounts));
    }
  }
  if (statements.length === 0) return undefined;
  return { document: JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind: 'resource' };
}

/** The bucket owner's own grant adds nothing: its principals are governed by their identity policies. */
function isOwnGrant(grant: Grant, ownerAccount: string): boolean {
  return grant.Grantee?.Type === 'CanonicalUser' && grant.Grantee.ID === canonicalUserId(ownerAccount);
}
