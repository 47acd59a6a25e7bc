/**
 * What the rest of Bonsai needs from IAM's store: the secret behind a user's access key (for
 * SigV4), and the policy documents that apply to a principal (for the authorizer).
 */
import type { CredentialResolver, Principal, ResolvedCredential } from '../../core/principal.ts';
import type { SecretBox } from '../../core/secrets.ts';
import type { DocOps, Store } from '../../store/types.ts';
import { AuthFailure } from '../../auth/sigv4/types.ts';
import { KIND, getRecord, nameKey, type AccessKeyRecord, type GroupRecord, type InlinePolicies, type RoleRecord, type UserRecord } from './common.ts';
import { findPolicy, findUser } from './lookup.ts';
import { defaultDocument } from './policies.ts';

/**
 * Resolves users' long-term keys (AKIA…). An inactive key fails exactly like an unknown one
 * (query services: 403 InvalidClientTokenId "The security token included in the request is
 * invalid."; S3: InvalidAccessKeyId), so it is reported as the SigV4 layer's 'unknown-key'.
 */
export function iamCredentialResolver(store: Store, accountId: string, secrets: SecretBox): CredentialResolver {
  return {
    async resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
      if (!accessKeyId.startsWith('AKIA')) return undefined;
      const key = await getRecord<AccessKeyRecord>(store, KIND.accessKey, accountId, accessKeyId);
      if (!key) return undefined;
      if (key.Status !== 'Active') throw new AuthFailure('unknown-key', { accessKeyId });
      const user = await findUser(store, accountId, key.UserName);
      if (!user) return undefined;
      const principal: Principal = { type: 'user', accountId, arn: user.Arn, userId: user.UserId, name: user.UserName, accessKeyId };
      return { secretAccessKey: secrets.open(key.SecretAccessKey), principal };
    },
  };
}

export interface PrincipalPolicyDocument {
  /** Where the document comes from: a managed policy ARN, or "user/alice/inline/Name" style labels. */
  source: string;
  /** The document as JSON text. */
  document: string;
}

export interface PrincipalPolicies {
  /** Identity-based policies: inline and attached, the user's own and its groups'. */
  identity: PrincipalPolicyDocument[];
  /** The permissions boundary, if the user or role has one. */
  boundary?: PrincipalPolicyDocument;
  /** The user's or role's tags (aws:PrincipalTag/<key>); session tags are added by the authorizer. */
  tags: Record<string, string>;
}

/**
 * The policies that apply to a principal: for a user, its inline and attached policies, those of
 * its groups, and its boundary; for a role session, the role's; for a federated user, those of
 * the IAM user who called GetFederationToken. Root and anonymous have none.
 */
export async function loadPrincipalPolicies(store: Store | DocOps, accountId: string, principal: Principal): Promise<PrincipalPolicies> {
  if (principal.type === 'user') {
    const user = await findUser(store, accountId, principal.name);
    if (!user) return { identity: [], tags: {} };
    return { ...(await userPolicies(store, accountId, user)), tags: tagMap(user.Tags) };
  }
  if (principal.type === 'assumed-role') {
    const roleName = /:assumed-role\/([^/]+)\//.exec(principal.arn)?.[1];
    const role = roleName ? await getRecord<RoleRecord>(store, KIND.role, accountId, nameKey(roleName)) : undefined;
    if (!role) return { identity: [], tags: {} };
    const identity = [...inlineDocs(`role/${role.RoleName}`, role.InlinePolicies), ...(await managedDocs(store, accountId, role.AttachedPolicies))];
    return { ...(await withBoundary(store, accountId, identity, role.PermissionsBoundary)), tags: tagMap(role.Tags) };
  }
  if (principal.type === 'federated-user') return federatedUserPolicies(store, accountId, principal.session?.sourceUserArn);
  return { identity: [], tags: {} };
}

/** The root user's federated sessions start from "everything"; their session policies do the limiting. */
const ROOT_FEDERATION_DOCUMENT = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/**
 * GetFederationToken sessions: the permissions of the IAM user who called it (its own, its
 * groups', its boundary), which the authorizer intersects with the session's policies. A
 * federated session of the root user starts from allow-all.
 */
async function federatedUserPolicies(store: Store | DocOps, accountId: string, sourceUserArn: string | undefined): Promise<PrincipalPolicies> {
  if (sourceUserArn === `arn:aws:iam::${accountId}:root`) {
    return { identity: [{ source: 'federation/root', document: ROOT_FEDERATION_DOCUMENT }], tags: {} };
  }
  const userName = sourceUserArn && /^arn:aws:iam::\d{12}:user\/(?:[^/]*\/)*([^/]+)$/.exec(sourceUserArn)?.[1];
  const user = userName ? await findUser(store, accountId, userName) : undefined;
  if (!user || user.Arn !== sourceUserArn) return { identity: [], tags: {} };
  return { ...(await userPolicies(store, accountId, user)), tags: tagMap(user.Tags) };
}

function tagMap(tags: ReadonlyArray<{ Key: string; Value: string }>): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

async function userPolicies(store: Store | DocOps, accountId: string, user: UserRecord): Promise<Omit<PrincipalPolicies, 'tags'>> {
  const identity = [...inlineDocs(`user/${user.UserName}`, user.InlinePolicies), ...(await managedDocs(store, accountId, user.AttachedPolicies))];
  for (const groupName of user.Groups) {
    const group = await getRecord<GroupRecord>(store, KIND.group, accountId, nameKey(groupName));
    if (!group) continue;
    identity.push(...inlineDocs(`group/${group.GroupName}`, group.InlinePolicies), ...(await managedDocs(store, accountId, group.AttachedPolicies)));
  }
  return withBoundary(store, accountId, identity, user.PermissionsBoundary);
}

function inlineDocs(owner: string, policies: InlinePolicies): PrincipalPolicyDocument[] {
  return Object.entries(policies).map(([name, document]) => ({ source: `${owner}/inline/${name}`, document }));
}

async function managedDocs(store: Store | DocOps, accountId: string, arns: string[]): Promise<PrincipalPolicyDocument[]> {
  const out: PrincipalPolicyDocument[] = [];
  for (const arn of arns) {
    const found = await findPolicy(store, accountId, arn);
    if (found) out.push({ source: arn, document: defaultDocument(found) });
  }
  return out;
}

async function withBoundary(
  store: Store | DocOps,
  accountId: string,
  identity: PrincipalPolicyDocument[],
  boundaryArn: string | undefined,
): Promise<Omit<PrincipalPolicies, 'tags'>> {
  if (!boundaryArn) return { identity };
  const found = await findPolicy(store, accountId, boundaryArn);
  return found ? { identity, boundary: { source: boundaryArn, document: defaultDocument(found) } } : { identity };
}
