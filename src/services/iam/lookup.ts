/** Finding IAM entities by name or ARN (throwing IAM's NoSuchEntity texts), and shaping them for responses. */
import type { DocOps } from '../../store/types.ts';
import type { Role, User, Group, InstanceProfile, AttachedPermissionsBoundary, Tag } from '../../generated/iam/types.ts';
import {
  KIND,
  Messages,
  encodeDocument,
  getRecord,
  listRecords,
  nameKey,
  noSuchEntity,
  toDate,
  type GroupRecord,
  type InstanceProfileRecord,
  type PolicyRecord,
  type RoleRecord,
  type UserRecord,
} from './common.ts';
import { findAwsManagedPolicy, type AwsManagedPolicy } from './managed-policies/index.ts';

export async function findUser(ops: DocOps, account: string, name: string): Promise<UserRecord | undefined> {
  return getRecord<UserRecord>(ops, KIND.user, account, nameKey(name));
}

export async function requireUser(ops: DocOps, account: string, name: string): Promise<UserRecord> {
  const user = await findUser(ops, account, name);
  if (!user) throw noSuchEntity(Messages.noSuchUser(name));
  return user;
}

export async function requireGroup(ops: DocOps, account: string, name: string): Promise<GroupRecord> {
  const group = await getRecord<GroupRecord>(ops, KIND.group, account, nameKey(name));
  if (!group) throw noSuchEntity(Messages.noSuchGroup(name));
  return group;
}

export async function requireRole(ops: DocOps, account: string, name: string): Promise<RoleRecord> {
  const role = await getRecord<RoleRecord>(ops, KIND.role, account, nameKey(name));
  if (!role) throw noSuchEntity(Messages.noSuchRole(name));
  return role;
}

export async function requireInstanceProfile(ops: DocOps, account: string, name: string): Promise<InstanceProfileRecord> {
  const profile = await getRecord<InstanceProfileRecord>(ops, KIND.instanceProfile, account, nameKey(name));
  if (!profile) throw noSuchEntity(Messages.noSuchInstanceProfile(name));
  return profile;
}

export type ResolvedPolicy = { kind: 'aws'; arn: string; policy: AwsManagedPolicy } | { kind: 'customer'; arn: string; policy: PolicyRecord };

/** A managed policy by ARN: AWS's own (arn:aws:iam::aws:policy/…) or one of the account's. */
export async function findPolicy(ops: DocOps, account: string, arn: string): Promise<ResolvedPolicy | undefined> {
  const aws = findAwsManagedPolicy(arn);
  if (aws) return { kind: 'aws', arn, policy: aws };
  const m = /^arn:aws:iam::(\d{12}):policy(\/(?:[^/]*\/)*)?([^/]+)$/.exec(arn);
  if (!m || m[1] !== account) return undefined;
  const rec = await getRecord<PolicyRecord>(ops, KIND.policy, account, nameKey(m[3]!));
  return rec && rec.Arn === arn ? { kind: 'customer', arn, policy: rec } : undefined;
}

/** For attach/boundary operations: "Policy … does not exist or is not attachable." */
export async function requireAttachablePolicy(ops: DocOps, account: string, arn: string): Promise<ResolvedPolicy> {
  const found = await findPolicy(ops, account, arn);
  if (!found) throw noSuchEntity(Messages.noSuchPolicy(arn));
  return found;
}

export async function allUsers(ops: DocOps, account: string): Promise<UserRecord[]> {
  return listRecords<UserRecord>(ops, KIND.user, account);
}

export async function allGroups(ops: DocOps, account: string): Promise<GroupRecord[]> {
  return listRecords<GroupRecord>(ops, KIND.group, account);
}

export async function allRoles(ops: DocOps, account: string): Promise<RoleRecord[]> {
  return listRecords<RoleRecord>(ops, KIND.role, account);
}

export async function allInstanceProfiles(ops: DocOps, account: string): Promise<InstanceProfileRecord[]> {
  return listRecords<InstanceProfileRecord>(ops, KIND.instanceProfile, account);
}

export async function allCustomerPolicies(ops: DocOps, account: string): Promise<PolicyRecord[]> {
  return listRecords<PolicyRecord>(ops, KIND.policy, account);
}

// ---------------------------------------------------------------------------------------------
// Response shapes

function boundary(arn: string | undefined): AttachedPermissionsBoundary | undefined {
  return arn === undefined ? undefined : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn };
}

function tagsIfAny(tags: Tag[]): Tag[] | undefined {
  return tags.length > 0 ? tags : undefined;
}

/** `full` adds what only GetUser and CreateUser return (ListUsers omits the boundary and tags). */
export function userShape(u: UserRecord, full: boolean): User {
  const out: User = { Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: toDate(u.CreateDate) };
  if (u.PasswordLastUsed) out.PasswordLastUsed = toDate(u.PasswordLastUsed);
  if (full) {
    const b = boundary(u.PermissionsBoundary);
    if (b) out.PermissionsBoundary = b;
    const tags = tagsIfAny(u.Tags);
    if (tags) out.Tags = tags;
  }
  return out;
}

export function groupShape(g: GroupRecord): Group {
  return { Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: toDate(g.CreateDate) };
}

/** `full`: GetRole/CreateRole add boundary, tags and RoleLastUsed; ListRoles does not. */
export function roleShape(r: RoleRecord, full: boolean): Role {
  const out: Role = {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: toDate(r.CreateDate),
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    MaxSessionDuration: r.MaxSessionDuration,
  };
  if (r.Description !== undefined) out.Description = r.Description;
  if (full) {
    const b = boundary(r.PermissionsBoundary);
    if (b) out.PermissionsBoundary = b;
    const tags = tagsIfAny(r.Tags);
    if (tags) out.Tags = tags;
    out.RoleLastUsed = r.RoleLastUsed ? { LastUsedDate: toDate(r.RoleLastUsed.LastUsedDate), Region: r.RoleLastUsed.Region } : {};
  }
  return out;
}

/** Instance profiles embed their roles (without tags or RoleLastUsed, as AWS does). */
export async function instanceProfileShape(ops: DocOps, account: string, p: InstanceProfileRecord, withTags: boolean): Promise<InstanceProfile> {
  const roles: Role[] = [];
  for (const name of p.Roles) {
    const role = await getRecord<RoleRecord>(ops, KIND.role, account, nameKey(name));
    if (role) roles.push(roleShape(role, false));
  }
  const out: InstanceProfile = {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: p.Arn,
    CreateDate: toDate(p.CreateDate),
    Roles: roles,
  };
  if (withTags && p.Tags.length > 0) out.Tags = p.Tags;
  return out;
}
