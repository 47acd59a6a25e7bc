/** IAM users and groups: create, read, rename, delete, membership. */
import { AwsError } from '../../core/errors.ts';
import { newIamUniqueId } from '../../core/ids.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  AddUserToGroupRequest,
  CreateGroupRequest,
  CreateUserRequest,
  DeleteGroupRequest,
  DeleteUserRequest,
  GetGroupRequest,
  GetUserRequest,
  ListGroupsForUserRequest,
  ListGroupsRequest,
  ListUsersRequest,
  RemoveUserFromGroupRequest,
  UpdateGroupRequest,
  UpdateUserRequest,
} from '../../generated/iam/types.ts';
import type { DocOps } from '../../store/types.ts';
import {
  KIND,
  Messages,
  Quotas,
  defaultPath,
  deleteConflict,
  deleteRecord,
  entityAlreadyExists,
  getRecord,
  iamArn,
  inTransaction,
  listRecords,
  nameKey,
  nowIso,
  pageFields,
  paginate,
  pathMatches,
  putRecord,
  quotaExceeded,
  toDate,
  type AccessKeyRecord,
  type GroupRecord,
  type LoginProfileRecord,
  type MfaDeviceRecord,
  type UserRecord,
} from './common.ts';
import { allGroups, allUsers, findUser, groupShape, requireGroup, requireUser, userShape } from './lookup.ts';
import { checkTagList } from './tags.ts';
import { requireBoundaryPolicy } from './policies.ts';

// ---------------------------------------------------------------------------------------------
// Users

export async function createUser(ctx: RequestContext, input: CreateUserRequest) {
  const path = defaultPath(input.Path);
  const tags = checkTagList(input.Tags);
  const user = await inTransaction(ctx, async (tx) => {
    if (await findUser(tx, ctx.accountId, input.UserName)) throw entityAlreadyExists(Messages.userExists(input.UserName));
    if ((await allUsers(tx, ctx.accountId)).length >= Quotas.users) throw quotaExceeded('UsersPerAccount', Quotas.users);
    if (input.PermissionsBoundary !== undefined) await requireBoundaryPolicy(tx, ctx.accountId, input.PermissionsBoundary);
    const rec: UserRecord = {
      UserName: input.UserName,
      UserId: newIamUniqueId('AIDA'),
      Arn: iamArn(ctx.accountId, 'user', path, input.UserName),
      Path: path,
      CreateDate: nowIso(ctx),
      Tags: tags,
      InlinePolicies: {},
      AttachedPolicies: [],
      Groups: [],
    };
    if (input.PermissionsBoundary !== undefined) rec.PermissionsBoundary = input.PermissionsBoundary;
    await putRecord(tx, KIND.user, ctx.accountId, nameKey(rec.UserName), rec);
    return rec;
  });
  return { User: userShape(user, true) };
}

/**
 * Without UserName, GetUser describes the caller: an IAM user, or the account's root (which has
 * no name or path). Roles must name a user.
 */
export async function getUser(ctx: RequestContext, input: GetUserRequest) {
  if (input.UserName !== undefined) return { User: userShape(await requireUser(ctx.store, ctx.accountId, input.UserName), true) };
  const p = ctx.principal;
  if (p.type === 'user') return { User: userShape(await requireUser(ctx.store, ctx.accountId, p.name), true) };
  if (p.type === 'root') return { User: { UserId: p.accountId, Arn: p.arn, CreateDate: toDate('2015-01-01T00:00:00Z') } };
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 });
}

export async function listUsers(ctx: RequestContext, input: ListUsersRequest) {
  const users = (await allUsers(ctx.store, ctx.accountId)).filter((u) => pathMatches(u.Path, input.PathPrefix));
  const page = paginate(users, input);
  return { Users: page.items.map((u) => userShape(u, false)), ...pageFields(page) };
}

/** Renaming a user moves its record and every record that names it (keys, login profile, MFA). */
export async function updateUser(ctx: RequestContext, input: UpdateUserRequest) {
  await inTransaction(ctx, async (tx) => {
    const user = await requireUser(tx, ctx.accountId, input.UserName);
    const newName = input.NewUserName ?? user.UserName;
    const renamed = nameKey(newName) !== nameKey(user.UserName);
    if (renamed && (await findUser(tx, ctx.accountId, newName))) throw entityAlreadyExists(Messages.userExists(newName));
    const oldKey = nameKey(user.UserName);
    user.Path = input.NewPath ?? user.Path;
    user.UserName = newName;
    user.Arn = iamArn(ctx.accountId, 'user', user.Path, newName);
    if (renamed) {
      await deleteRecord(tx, KIND.user, ctx.accountId, oldKey);
      await renameUserReferences(tx, ctx.accountId, oldKey, newName);
    }
    await putRecord(tx, KIND.user, ctx.accountId, nameKey(newName), user);
  });
  return {};
}

async function renameUserReferences(tx: DocOps, account: string, oldKey: string, newName: string): Promise<void> {
  for (const key of await listRecords<AccessKeyRecord>(tx, KIND.accessKey, account)) {
    if (nameKey(key.UserName) === oldKey) await putRecord(tx, KIND.accessKey, account, key.AccessKeyId, { ...key, UserName: newName });
  }
  const profile = await getRecord<LoginProfileRecord>(tx, KIND.loginProfile, account, oldKey);
  if (profile) {
    await deleteRecord(tx, KIND.loginProfile, account, oldKey);
    await putRecord(tx, KIND.loginProfile, account, nameKey(newName), { ...profile, UserName: newName });
  }
  for (const mfa of await listRecords<MfaDeviceRecord>(tx, KIND.mfaDevice, account)) {
    if (mfa.UserName !== undefined && nameKey(mfa.UserName) === oldKey) {
      await putRecord(tx, KIND.mfaDevice, account, mfa.SerialNumber, { ...mfa, UserName: newName });
    }
  }
}

/**
 * DeleteUser refuses while the user still has subordinate entities, in the order the API
 * Reference lists them: password, access keys, MFA devices, inline policies, attached policies,
 * group memberships.
 */
export async function deleteUser(ctx: RequestContext, input: DeleteUserRequest) {
  await inTransaction(ctx, async (tx) => {
    const user = await requireUser(tx, ctx.accountId, input.UserName);
    const key = nameKey(user.UserName);
    if (await getRecord(tx, KIND.loginProfile, ctx.accountId, key)) throw deleteConflict(Messages.mustDeleteLoginProfile);
    const keys = await listRecords<AccessKeyRecord>(tx, KIND.accessKey, ctx.accountId);
    if (keys.some((k) => nameKey(k.UserName) === key)) throw deleteConflict(Messages.mustDeleteAccessKeys);
    const devices = await listRecords<MfaDeviceRecord>(tx, KIND.mfaDevice, ctx.accountId);
    if (devices.some((d) => d.UserName !== undefined && nameKey(d.UserName) === key)) throw deleteConflict(Messages.mustDeleteMfa);
    if (Object.keys(user.InlinePolicies).length > 0) throw deleteConflict(Messages.mustDeletePolicies);
    if (user.AttachedPolicies.length > 0) throw deleteConflict(Messages.mustDetachPolicies);
    if (user.Groups.length > 0) throw deleteConflict(Messages.mustRemoveFromGroups);
    await deleteRecord(tx, KIND.user, ctx.accountId, key);
  });
  return {};
}

// ---------------------------------------------------------------------------------------------
// Groups

export async function createGroup(ctx: RequestContext, input: CreateGroupRequest) {
  const path = defaultPath(input.Path);
  const group = await inTransaction(ctx, async (tx) => {
    if (await getRecord(tx, KIND.group, ctx.accountId, nameKey(input.GroupName))) throw entityAlreadyExists(Messages.groupExists(input.GroupName));
    if ((await allGroups(tx, ctx.accountId)).length >= Quotas.groups) throw quotaExceeded('GroupsPerAccount', Quotas.groups);
    const rec: GroupRecord = {
      GroupName: input.GroupName,
      GroupId: newIamUniqueId('AGPA'),
      Arn: iamArn(ctx.accountId, 'group', path, input.GroupName),
      Path: path,
      CreateDate: nowIso(ctx),
      InlinePolicies: {},
      AttachedPolicies: [],
    };
    await putRecord(tx, KIND.group, ctx.accountId, nameKey(rec.GroupName), rec);
    return rec;
  });
  return { Group: groupShape(group) };
}

export async function membersOf(ops: DocOps, account: string, group: GroupRecord): Promise<UserRecord[]> {
  const key = nameKey(group.GroupName);
  return (await allUsers(ops, account)).filter((u) => u.Groups.some((g) => nameKey(g) === key));
}

export async function getGroup(ctx: RequestContext, input: GetGroupRequest) {
  const group = await requireGroup(ctx.store, ctx.accountId, input.GroupName);
  const page = paginate(await membersOf(ctx.store, ctx.accountId, group), input);
  return { Group: groupShape(group), Users: page.items.map((u) => userShape(u, false)), ...pageFields(page) };
}

export async function listGroups(ctx: RequestContext, input: ListGroupsRequest) {
  const groups = (await allGroups(ctx.store, ctx.accountId)).filter((g) => pathMatches(g.Path, input.PathPrefix));
  const page = paginate(groups, input);
  return { Groups: page.items.map(groupShape), ...pageFields(page) };
}

export async function updateGroup(ctx: RequestContext, input: UpdateGroupRequest) {
  await inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, ctx.accountId, input.GroupName);
    const oldKey = nameKey(group.GroupName);
    const newName = input.NewGroupName ?? group.GroupName;
    const renamed = nameKey(newName) !== oldKey;
    if (renamed && (await getRecord(tx, KIND.group, ctx.accountId, nameKey(newName)))) throw entityAlreadyExists(Messages.groupExists(newName));
    const members = await membersOf(tx, ctx.accountId, group);
    group.Path = input.NewPath ?? group.Path;
    group.GroupName = newName;
    group.Arn = iamArn(ctx.accountId, 'group', group.Path, newName);
    if (renamed) await deleteRecord(tx, KIND.group, ctx.accountId, oldKey);
    await putRecord(tx, KIND.group, ctx.accountId, nameKey(newName), group);
    for (const user of members) {
      user.Groups = user.Groups.map((g) => (nameKey(g) === oldKey ? newName : g));
      await putRecord(tx, KIND.user, ctx.accountId, nameKey(user.UserName), user);
    }
  });
  return {};
}

export async function deleteGroup(ctx: RequestContext, input: DeleteGroupRequest) {
  await inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, ctx.accountId, input.GroupName);
    if ((await membersOf(tx, ctx.accountId, group)).length > 0) throw deleteConflict(Messages.mustRemoveFromGroups);
    if (Object.keys(group.InlinePolicies).length > 0) throw deleteConflict(Messages.mustDeletePolicies);
    if (group.AttachedPolicies.length > 0) throw deleteConflict(Messages.mustDetachPolicies);
    await deleteRecord(tx, KIND.group, ctx.accountId, nameKey(group.GroupName));
  });
  return {};
}

export async function addUserToGroup(ctx: RequestContext, input: AddUserToGroupRequest) {
  await inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, ctx.accountId, input.GroupName);
    const user = await requireUser(tx, ctx.accountId, input.UserName);
    // Adding a member twice is not an error in IAM.
    if (user.Groups.some((g) => nameKey(g) === nameKey(group.GroupName))) return;
    if (user.Groups.length >= Quotas.groupsPerUser) throw quotaExceeded('GroupsPerUser', Quotas.groupsPerUser);
    user.Groups.push(group.GroupName);
    await putRecord(tx, KIND.user, ctx.accountId, nameKey(user.UserName), user);
  });
  return {};
}

export async function removeUserFromGroup(ctx: RequestContext, input: RemoveUserFromGroupRequest) {
  await inTransaction(ctx, async (tx) => {
    const group = await requireGroup(tx, ctx.accountId, input.GroupName);
    const user = await requireUser(tx, ctx.accountId, input.UserName);
    const key = nameKey(group.GroupName);
    if (!user.Groups.some((g) => nameKey(g) === key)) throw noSuchMember(user.UserName, group.GroupName);
    user.Groups = user.Groups.filter((g) => nameKey(g) !== key);
    await putRecord(tx, KIND.user, ctx.accountId, nameKey(user.UserName), user);
  });
  return {};
}

function noSuchMember(user: string, group: string): AwsError {
  return new AwsError('NoSuchEntity', `User ${user} does not belong to group ${group}.`, { status: 404 });
}

export async function listGroupsForUser(ctx: RequestContext, input: ListGroupsForUserRequest) {
  const user = await requireUser(ctx.store, ctx.accountId, input.UserName);
  const groups: GroupRecord[] = [];
  for (const name of user.Groups) {
    const g = await getRecord<GroupRecord>(ctx.store, KIND.group, ctx.accountId, nameKey(name));
    if (g) groups.push(g);
  }
  const page = paginate(groups, input);
  return { Groups: page.items.map(groupShape), ...pageFields(page) };
}
