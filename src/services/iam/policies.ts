/**
 * Managed policies (customer managed with versions, and AWS managed), their attachment to users,
 * groups and roles, permissions boundaries, and inline policies. Documents are validated with the
 * IAM policy language parser (src/iam/policy) and returned URL-encoded, as IAM does.
 */
import { newIamUniqueId } from '../../core/ids.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  AttachedPolicy,
  CreatePolicyRequest,
  CreatePolicyVersionRequest,
  DeletePolicyRequest,
  DeletePolicyVersionRequest,
  GetPolicyRequest,
  GetPolicyVersionRequest,
  ListEntitiesForPolicyRequest,
  ListPoliciesRequest,
  ListPolicyVersionsRequest,
  Policy,
  PolicyVersion,
  SetDefaultPolicyVersionRequest,
} from '../../generated/iam/types.ts';
import type { DocOps } from '../../store/types.ts';
import { parsePolicy, checkManagedPolicySize, checkInlinePolicySize, policySize } from '../../iam/policy/index.ts';
import {
  KIND,
  Messages,
  Quotas,
  defaultPath,
  deleteConflict,
  deleteRecord,
  encodeDocument,
  entityAlreadyExists,
  getRecord,
  iamArn,
  inTransaction,
  invalidInput,
  limitExceeded,
  nameKey,
  noSuchEntity,
  nowIso,
  pageFields,
  paginate,
  pathMatches,
  putRecord,
  quotaExceeded,
  toDate,
  type GroupRecord,
  type InlinePolicies,
  type PolicyRecord,
  type RoleRecord,
  type UserRecord,
} from './common.ts';
import {
  allCustomerPolicies,
  allGroups,
  allRoles,
  allUsers,
  findPolicy,
  requireAttachablePolicy,
  requireGroup,
  requireRole,
  requireUser,
  type ResolvedPolicy,
} from './lookup.ts';
import { AWS_MANAGED_POLICIES, awsManagedPolicyArn, awsManagedPolicyDocument } from './managed-policies/index.ts';
import { checkTagList } from './tags.ts';

// ---------------------------------------------------------------------------------------------
// Usage: which entities use each managed policy (computed, so counts can never drift)

export interface PolicyUsage {
  users: UserRecord[];
  groups: GroupRecord[];
  roles: RoleRecord[];
  boundaryUsers: UserRecord[];
  boundaryRoles: RoleRecord[];
}

export async function policyUsage(ops: DocOps, account: string): Promise<Map<string, PolicyUsage>> {
  const usage = new Map<string, PolicyUsage>();
  const entry = (arn: string) => {
    let u = usage.get(arn);
    if (!u) usage.set(arn, (u = { users: [], groups: [], roles: [], boundaryUsers: [], boundaryRoles: [] }));
    return u;
  };
  for (const user of await allUsers(ops, account)) {
    for (const arn of user.AttachedPolicies) entry(arn).users.push(user);
    if (user.PermissionsBoundary) entry(user.PermissionsBoundary).boundaryUsers.push(user);
  }
  for (const group of await allGroups(ops, account)) for (const arn of group.AttachedPolicies) entry(arn).groups.push(group);
  for (const role of await allRoles(ops, account)) {
    for (const arn of role.AttachedPolicies) entry(arn).roles.push(role);
    if (role.PermissionsBoundary) entry(role.PermissionsBoundary).boundaryRoles.push(role);
  }
  return usage;
}

function attachmentCount(u: PolicyUsage | undefined): number {
  return u ? u.users.length + u.groups.length + u.roles.length : 0;
}

function boundaryCount(u: PolicyUsage | undefined): number {
  return u ? u.boundaryUsers.length + u.boundaryRoles.length : 0;
}

/** The policy fields ListPolicies returns; GetPolicy adds Description and Tags (`full`). */
export function policyShape(p: ResolvedPolicy, usage: PolicyUsage | undefined, full: boolean): Policy {
  const src = p.policy;
  const out: Policy = {
    PolicyName: src.PolicyName,
    PolicyId: src.PolicyId,
    Arn: p.arn,
    Path: src.Path,
    DefaultVersionId: src.DefaultVersionId,
    AttachmentCount: attachmentCount(usage),
    PermissionsBoundaryUsageCount: boundaryCount(usage),
    IsAttachable: true,
    CreateDate: toDate(src.CreateDate),
    UpdateDate: toDate(src.UpdateDate),
  };
  if (full) {
    if (src.Description !== undefined) out.Description = src.Description;
    if (p.kind === 'customer' && p.policy.Tags.length > 0) out.Tags = p.policy.Tags;
  }
  return out;
}

/** All versions of a managed policy (AWS managed policies expose their default version only). */
export function policyVersions(p: ResolvedPolicy): PolicyVersion[] {
  if (p.kind === 'aws') {
    return [{ Document: encodeDocument(awsManagedPolicyDocument(p.policy)), VersionId: p.policy.DefaultVersionId, IsDefaultVersion: true, CreateDate: toDate(p.policy.UpdateDate) }];
  }
  return p.policy.Versions.map((v) => ({
    Document: encodeDocument(v.Document),
    VersionId: v.VersionId,
    IsDefaultVersion: v.VersionId === p.policy.DefaultVersionId,
    CreateDate: toDate(v.CreateDate),
  }));
}

/** The default version's document text (for the authorizer and GetAccountAuthorizationDetails). */
export function defaultDocument(p: ResolvedPolicy): string {
  if (p.kind === 'aws') return awsManagedPolicyDocument(p.policy);
  return p.policy.Versions.find((v) => v.VersionId === p.policy.DefaultVersionId)!.Document;
}

function validateManagedDocument(document: string): void {
  checkManagedPolicySize(document);
  parsePolicy(document, 'identity');
}

// ---------------------------------------------------------------------------------------------
// Customer managed policies

export async function createPolicy(ctx: RequestContext, input: CreatePolicyRequest) {
  validateManagedDocument(input.PolicyDocument);
  const tags = checkTagList(input.Tags);
  const path = defaultPath(input.Path);
  const rec = await inTransaction(ctx, async (tx) => {
    if (await getRecord(tx, KIND.policy, ctx.accountId, nameKey(input.PolicyName))) throw entityAlreadyExists(Messages.policyExists(input.PolicyName));
    if ((await allCustomerPolicies(tx, ctx.accountId)).length >= Quotas.policies) throw quotaExceeded('PoliciesPerAccount', Quotas.policies);
    const now = nowIso(ctx);
    const policy: PolicyRecord = {
      PolicyName: input.PolicyName,
      PolicyId: newIamUniqueId('ANPA'),
      Arn: iamArn(ctx.accountId, 'policy', path, input.PolicyName),
      Path: path,
      CreateDate: now,
      UpdateDate: now,
      DefaultVersionId: 'v1',
      Versions: [{ VersionId: 'v1', Document: input.PolicyDocument, CreateDate: now }],
      NextVersion: 2,
      Tags: tags,
    };
    if (input.Description !== undefined) policy.Description = input.Description;
    await putRecord(tx, KIND.policy, ctx.accountId, nameKey(policy.PolicyName), policy);
    return policy;
  });
  const shape = policyShape({ kind: 'customer', arn: rec.Arn, policy: rec }, undefined, false);
  if (rec.Description !== undefined) shape.Description = rec.Description;
  if (rec.Tags.length > 0) shape.Tags = rec.Tags;
  return { Policy: shape };
}

async function requirePolicy(ops: DocOps, account: string, arn: string): Promise<ResolvedPolicy> {
  const found = await findPolicy(ops, account, arn);
  if (!found) throw noSuchEntity(Messages.policyNotFound(arn));
  return found;
}

async function requireCustomerPolicy(ops: DocOps, account: string, arn: string): Promise<PolicyRecord> {
  const found = await requirePolicy(ops, account, arn);
  if (found.kind !== 'customer') throw invalidInput(`Policy ${arn} is an AWS managed policy and cannot be modified.`);
  return found.policy;
}

export async function getPolicy(ctx: RequestContext, input: GetPolicyRequest) {
  const found = await requirePolicy(ctx.store, ctx.accountId, input.PolicyArn);
  const usage = (await policyUsage(ctx.store, ctx.accountId)).get(found.arn);
  return { Policy: policyShape(found, usage, true) };
}

export async function listPolicies(ctx: RequestContext, input: ListPoliciesRequest) {
  const scope = input.Scope ?? 'All';
  const usage = await policyUsage(ctx.store, ctx.accountId);
  const candidates: ResolvedPolicy[] = [];
  if (scope !== 'Local') for (const p of AWS_MANAGED_POLICIES) candidates.push({ kind: 'aws', arn: awsManagedPolicyArn(p), policy: p });
  if (scope !== 'AWS') for (const p of await allCustomerPolicies(ctx.store, ctx.accountId)) candidates.push({ kind: 'customer', arn: p.Arn, policy: p });
  const selected = candidates
    .filter((p) => pathMatches(p.policy.Path, input.PathPrefix))
    .filter((p) => !input.OnlyAttached || attachmentCount(usage.get(p.arn)) + boundaryCount(usage.get(p.arn)) > 0)
    .filter((p) => usageFilter(input.PolicyUsageFilter, usage.get(p.arn), input.OnlyAttached === true))
    .sort((a, b) => a.policy.PolicyName.localeCompare(b.policy.PolicyName));
  const page = paginate(selected, input);
  return { Policies: page.items.map((p) => policyShape(p, usage.get(p.arn), false)), ...pageFields(page) };
}

function usageFilter(filter: string | undefined, u: PolicyUsage | undefined, onlyAttached: boolean): boolean {
  if (filter === undefined || !onlyAttached) return true;
  return filter === 'PermissionsBoundary' ? boundaryCount(u) > 0 : attachmentCount(u) > 0;
}

export async function deletePolicy(ctx: RequestContext, input: DeletePolicyRequest) {
  await inTransaction(ctx, async (tx) => {
    const policy = await requireCustomerPolicy(tx, ctx.accountId, input.PolicyArn);
    const usage = (await policyUsage(tx, ctx.accountId)).get(policy.Arn);
    if (attachmentCount(usage) + boundaryCount(usage) > 0) throw deleteConflict(Messages.policyAttached);
    if (policy.Versions.length > 1) throw deleteConflict(Messages.policyHasVersions);
    await deleteRecord(tx, KIND.policy, ctx.accountId, nameKey(policy.PolicyName));
  });
  return {};
}

export async function createPolicyVersion(ctx: RequestContext, input: CreatePolicyVersionRequest) {
  validateManagedDocument(input.PolicyDocument);
  const version = await inTransaction(ctx, async (tx) => {
    const policy = await requireCustomerPolicy(tx, ctx.accountId, input.PolicyArn);
    if (policy.Versions.length >= Quotas.versionsPerPolicy) throw limitExceeded(Messages.tooManyVersions);
    const now = nowIso(ctx);
    const v = { VersionId: `v${policy.NextVersion}`, Document: input.PolicyDocument, CreateDate: now };
    policy.NextVersion += 1;
    policy.Versions.push(v);
    if (input.SetAsDefault) {
      policy.DefaultVersionId = v.VersionId;
      policy.UpdateDate = now;
    }
    await putRecord(tx, KIND.policy, ctx.accountId, nameKey(policy.PolicyName), policy);
    return { VersionId: v.VersionId, IsDefaultVersion: input.SetAsDefault === true, CreateDate: toDate(now) };
  });
  return { PolicyVersion: version };
}

export async function getPolicyVersion(ctx: RequestContext, input: GetPolicyVersionRequest) {
  const found = await requirePolicy(ctx.store, ctx.accountId, input.PolicyArn);
  const version = policyVersions(found).find((v) => v.VersionId === input.VersionId);
  if (!version) throw noSuchEntity(Messages.noSuchPolicyVersion(input.PolicyArn, input.VersionId));
  return { PolicyVersion: version };
}

export async function listPolicyVersions(ctx: RequestContext, input: ListPolicyVersionsRequest) {
  const found = await requirePolicy(ctx.store, ctx.accountId, input.PolicyArn);
  // Newest first, without documents, as IAM lists them.
  const versions = policyVersions(found)
    .map(({ Document: _omit, ...rest }) => rest)
    .reverse();
  const page = paginate(versions, input);
  return { Versions: page.items, ...pageFields(page) };
}

export async function deletePolicyVersion(ctx: RequestContext, input: DeletePolicyVersionRequest) {
  await inTransaction(ctx, async (tx) => {
    const policy = await requireCustomerPolicy(tx, ctx.accountId, input.PolicyArn);
    if (!policy.Versions.some((v) => v.VersionId === input.VersionId)) throw noSuchEntity(Messages.noSuchPolicyVersion(input.PolicyArn, input.VersionId));
    if (policy.DefaultVersionId === input.VersionId) throw deleteConflict(Messages.defaultVersion);
    policy.Versions = policy.Versions.filter((v) => v.VersionId !== input.VersionId);
    await putRecord(tx, KIND.policy, ctx.accountId, nameKey(policy.PolicyName), policy);
  });
  return {};
}

export async function setDefaultPolicyVersion(ctx: RequestContext, input: SetDefaultPolicyVersionRequest) {
  await inTransaction(ctx, async (tx) => {
    const policy = await requireCustomerPolicy(tx, ctx.accountId, input.PolicyArn);
    if (!policy.Versions.some((v) => v.VersionId === input.VersionId)) throw noSuchEntity(Messages.noSuchPolicyVersion(input.PolicyArn, input.VersionId));
    policy.DefaultVersionId = input.VersionId;
    policy.UpdateDate = nowIso(ctx);
    await putRecord(tx, KIND.policy, ctx.accountId, nameKey(policy.PolicyName), policy);
  });
  return {};
}

export async function listEntitiesForPolicy(ctx: RequestContext, input: ListEntitiesForPolicyRequest) {
  const found = await requirePolicy(ctx.store, ctx.accountId, input.PolicyArn);
  const u = (await policyUsage(ctx.store, ctx.accountId)).get(found.arn) ?? { users: [], groups: [], roles: [], boundaryUsers: [], boundaryRoles: [] };
  const boundaries = input.PolicyUsageFilter === 'PermissionsBoundary';
  const permissions = input.PolicyUsageFilter !== 'PermissionsBoundary';
  const want = (t: string) => input.EntityFilter === undefined || input.EntityFilter === t;
  const users = [...(permissions ? u.users : []), ...(boundaries ? u.boundaryUsers : [])].filter((x) => pathMatches(x.Path, input.PathPrefix));
  const roles = [...(permissions ? u.roles : []), ...(boundaries ? u.boundaryRoles : [])].filter((x) => pathMatches(x.Path, input.PathPrefix));
  const groups = (permissions ? u.groups : []).filter((x) => pathMatches(x.Path, input.PathPrefix));
  return {
    PolicyGroups: want('Group') ? groups.map((g) => ({ GroupName: g.GroupName, GroupId: g.GroupId })) : [],
    PolicyUsers: want('User') ? users.map((x) => ({ UserName: x.UserName, UserId: x.UserId })) : [],
    PolicyRoles: want('Role') ? roles.map((r) => ({ RoleName: r.RoleName, RoleId: r.RoleId })) : [],
    IsTruncated: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Attachments to users, groups and roles

type Holder = 'user' | 'group' | 'role';
type HolderRecord = { AttachedPolicies: string[]; InlinePolicies: InlinePolicies };

const HOLDERS = {
  user: { kind: KIND.user, quota: 'PoliciesPerUser', load: requireUser, name: (r: UserRecord) => r.UserName },
  group: { kind: KIND.group, quota: 'PoliciesPerGroup', load: requireGroup, name: (r: GroupRecord) => r.GroupName },
  role: { kind: KIND.role, quota: 'PoliciesPerRole', load: requireRole, name: (r: RoleRecord) => r.RoleName },
} as const;

async function loadHolder(ops: DocOps, account: string, holder: Holder, name: string): Promise<{ rec: HolderRecord; save: (tx: DocOps) => Promise<void> }> {
  const h = HOLDERS[holder];
  const rec = (await h.load(ops, account, name)) as UserRecord & GroupRecord & RoleRecord;
  const key = nameKey((h.name as (r: typeof rec) => string)(rec));
  return { rec, save: (tx) => putRecord(tx, h.kind, account, key, rec) };
}

export async function attachPolicy(ctx: RequestContext, holder: Holder, name: string, policyArn: string) {
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    await requireAttachablePolicy(tx, ctx.accountId, policyArn);
    if (rec.AttachedPolicies.includes(policyArn)) return; // attaching twice is not an error
    if (rec.AttachedPolicies.length >= Quotas.attachedPerEntity) throw quotaExceeded(HOLDERS[holder].quota, Quotas.attachedPerEntity);
    rec.AttachedPolicies.push(policyArn);
    await save(tx);
  });
  return {};
}

export async function detachPolicy(ctx: RequestContext, holder: Holder, name: string, policyArn: string) {
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    if (!rec.AttachedPolicies.includes(policyArn)) throw noSuchEntity(Messages.policyNotFound(policyArn));
    rec.AttachedPolicies = rec.AttachedPolicies.filter((a) => a !== policyArn);
    await save(tx);
  });
  return {};
}

export async function listAttachedPolicies(ctx: RequestContext, holder: Holder, name: string, input: { PathPrefix?: string; Marker?: string; MaxItems?: number }) {
  const { rec } = await loadHolder(ctx.store, ctx.accountId, holder, name);
  const attached: AttachedPolicy[] = [];
  for (const arn of rec.AttachedPolicies) {
    const found = await findPolicy(ctx.store, ctx.accountId, arn);
    if (found && pathMatches(found.policy.Path, input.PathPrefix)) attached.push({ PolicyName: found.policy.PolicyName, PolicyArn: arn });
  }
  const page = paginate(attached, input);
  return { AttachedPolicies: page.items, ...pageFields(page) };
}

// ---------------------------------------------------------------------------------------------
// Inline policies

export async function putInlinePolicy(ctx: RequestContext, holder: Holder, name: string, policyName: string, document: string) {
  parsePolicy(document, 'identity');
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    const next = { ...rec.InlinePolicies, [policyName]: document };
    const aggregate = Object.values(next).reduce((n, doc) => n + policySize(doc), 0);
    checkInlinePolicySize(holder, name, aggregate);
    rec.InlinePolicies = next;
    await save(tx);
  });
  return {};
}

function inlineEntry(rec: HolderRecord, holder: Holder, policyName: string): [string, string] {
  const doc = rec.InlinePolicies[policyName];
  if (doc === undefined) throw noSuchEntity(Messages.noSuchInlinePolicy(holder, policyName));
  return [policyName, doc];
}

export async function getInlinePolicy(ctx: RequestContext, holder: Holder, name: string, policyName: string) {
  const { rec } = await loadHolder(ctx.store, ctx.accountId, holder, name);
  const [, doc] = inlineEntry(rec, holder, policyName);
  const entityField = holder === 'user' ? 'UserName' : holder === 'group' ? 'GroupName' : 'RoleName';
  const rname = (rec as unknown as Record<string, string>)[entityField]!;
  return { [entityField]: rname, PolicyName: policyName, PolicyDocument: encodeDocument(doc) };
}

export async function deleteInlinePolicy(ctx: RequestContext, holder: Holder, name: string, policyName: string) {
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    inlineEntry(rec, holder, policyName);
    const { [policyName]: _removed, ...rest } = rec.InlinePolicies;
    rec.InlinePolicies = rest;
    await save(tx);
  });
  return {};
}

export async function listInlinePolicies(ctx: RequestContext, holder: Holder, name: string, input: { Marker?: string; MaxItems?: number }) {
  const { rec } = await loadHolder(ctx.store, ctx.accountId, holder, name);
  const page = paginate(Object.keys(rec.InlinePolicies).sort(), input);
  return { PolicyNames: page.items, ...pageFields(page) };
}

// ---------------------------------------------------------------------------------------------
// Permissions boundaries

/** A boundary must be an existing managed policy: "Scope ARN: … does not exist or is not attachable." */
export async function requireBoundaryPolicy(ops: DocOps, account: string, arn: string): Promise<ResolvedPolicy> {
  const found = await findPolicy(ops, account, arn);
  if (!found) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  return found;
}

export async function putPermissionsBoundary(ctx: RequestContext, holder: 'user' | 'role', name: string, arn: string) {
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    await requireBoundaryPolicy(tx, ctx.accountId, arn);
    (rec as unknown as { PermissionsBoundary?: string }).PermissionsBoundary = arn;
    await save(tx);
  });
  return {};
}

export async function deletePermissionsBoundary(ctx: RequestContext, holder: 'user' | 'role', name: string) {
  await inTransaction(ctx, async (tx) => {
    const { rec, save } = await loadHolder(tx, ctx.accountId, holder, name);
    delete (rec as unknown as { PermissionsBoundary?: string }).PermissionsBoundary;
    await save(tx);
  });
  return {};
}
