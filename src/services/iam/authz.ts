/**
 * IAM's authorization table: for every IAM operation Bonsai implements, the action(s) AWS checks,
 * the resource ARN(s) they apply to and the condition keys the request supplies, following the
 * Service Authorization Reference ("Actions, resources, and condition keys for AWS Identity and
 * Access Management"), checked by test/unit/authz/iam-data.test.ts.
 *
 * - Operations on an existing user, group, role, policy, instance profile or MFA device use its
 *   real ARN (with its path) from the store, and supply its tags as aws:ResourceTag/<key> (and
 *   iam:ResourceTag/<key> for users and roles) and its permissions boundary as
 *   iam:PermissionsBoundary where the reference lists that key for the action.
 * - Operations that act on the caller when UserName is omitted (ChangePassword, CreateAccessKey,
 *   GetUser, …) use the caller's own ARN.
 * - IAM's list operations without resource-level permissions are evaluated on the path prefix
 *   ("arn:aws:iam::123456789012:user/" for ListUsers, as AWS's denial messages show).
 * - IAM words denials on existing users, roles and groups with a friendly name ("on resource:
 *   role basic-role", "on resource: user vault"), and ListPolicies with "policy path /"; created
 *   entities and self-operations show the ARN. `displayResource` carries that wording.
 *
 * Account-wide operations (GetAccountSummary, password policy, aliases, credential reports,
 * ListVirtualMFADevices, SimulateCustomPolicy) need no entry: the default is `iam:<Operation>` on "*".
 */
import type { RequestContext } from '../../core/context.ts';
import type { AuthzCall, AuthzTarget, OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import type { ContextValue } from '../../iam/policy/context.ts';
import type { Tag } from '../../generated/iam/types.ts';
import { KIND, getRecord, iamArn, nameKey, type AccessKeyRecord, type GroupRecord, type InstanceProfileRecord, type MfaDeviceRecord, type RoleRecord, type UserRecord } from './common.ts';
import { findPolicy } from './lookup.ts';
import { SERVICE_LINKED_ROLES } from './roles.ts';

type Input = Record<string, unknown>;
type Context = Record<string, ContextValue>;

/** Actions for which the reference lists iam:PermissionsBoundary (the entity's current boundary). */
const BOUNDARY_KEY_ACTIONS = new Set([
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DeleteUserPermissionsBoundary',
  'iam:DeleteUserPolicy',
  'iam:DetachRolePolicy',
  'iam:DetachUserPolicy',
  'iam:GetRole',
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
]);

// ---------------------------------------------------------------------------------------------
// Condition keys

function str(input: Input, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

/** aws:ResourceTag/<key> for every resource type that has tags; iam:ResourceTag/<key> too for users and roles. */
function resourceTagKeys(tags: readonly Tag[] | undefined, withIamKeys: boolean): Context {
  const out: Context = {};
  for (const t of tags ?? []) {
    out[`aws:ResourceTag/${t.Key}`] = t.Value;
    if (withIamKeys) out[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return out;
}

/** aws:RequestTag/<key> per tag and aws:TagKeys (present only when the request carries tags). */
function requestTagKeys(tags: unknown): Context {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const out: Context = {};
  for (const t of tags as Tag[]) out[`aws:RequestTag/${t.Key}`] = t.Value;
  out['aws:TagKeys'] = (tags as Tag[]).map((t) => t.Key);
  return out;
}

function tagKeysOnly(keys: unknown): Context {
  return Array.isArray(keys) && keys.length > 0 ? { 'aws:TagKeys': keys as string[] } : {};
}

function boundaryKey(action: string, boundary: string | undefined): Context {
  return BOUNDARY_KEY_ACTIONS.has(action) && boundary ? { 'iam:PermissionsBoundary': boundary } : {};
}

// ---------------------------------------------------------------------------------------------
// Resources

/** The caller's own ARN, for operations that default to "the user making the request". */
function self(ctx: RequestContext): string {
  return ctx.principal.arn;
}

async function userResource(ctx: RequestContext, action: string, name: string | undefined, extra: Context = {}): Promise<AuthzTarget> {
  if (name === undefined) {
    // Acts on the caller. For an IAM user that is its own user (with tags and boundary).
    const p = ctx.principal;
    const rec = p.type === 'user' ? await getRecord<UserRecord>(ctx.store, KIND.user, ctx.accountId, nameKey(p.name)) : undefined;
    return { action, resource: self(ctx), context: { ...resourceTagKeys(rec?.Tags, true), ...boundaryKey(action, rec?.PermissionsBoundary), ...extra } };
  }
  const rec = await getRecord<UserRecord>(ctx.store, KIND.user, ctx.accountId, nameKey(name));
  return {
    action,
    resource: rec?.Arn ?? iamArn(ctx.accountId, 'user', '/', name),
    displayResource: `user ${name}`,
    context: { ...resourceTagKeys(rec?.Tags, true), ...boundaryKey(action, rec?.PermissionsBoundary), ...extra },
  };
}

async function roleResource(ctx: RequestContext, action: string, name: string, extra: Context = {}): Promise<AuthzTarget> {
  const rec = await getRecord<RoleRecord>(ctx.store, KIND.role, ctx.accountId, nameKey(name));
  return {
    action,
    resource: rec?.Arn ?? iamArn(ctx.accountId, 'role', '/', name),
    displayResource: `role ${name}`,
    context: { ...resourceTagKeys(rec?.Tags, true), ...boundaryKey(action, rec?.PermissionsBoundary), ...extra },
  };
}

async function groupResource(ctx: RequestContext, action: string, name: string, extra: Context = {}): Promise<AuthzTarget> {
  const rec = await getRecord<GroupRecord>(ctx.store, KIND.group, ctx.accountId, nameKey(name));
  return { action, resource: rec?.Arn ?? iamArn(ctx.accountId, 'group', '/', name), displayResource: `group ${name}`, context: extra };
}

async function policyResource(ctx: RequestContext, action: string, arn: string, extra: Context = {}): Promise<AuthzTarget> {
  const found = await findPolicy(ctx.store, ctx.accountId, arn);
  const tags = found?.kind === 'customer' ? found.policy.Tags : undefined;
  return { action, resource: arn, context: { ...resourceTagKeys(tags, false), ...extra } };
}

async function instanceProfileResource(ctx: RequestContext, action: string, name: string, extra: Context = {}): Promise<AuthzTarget> {
  const rec = await getRecord<InstanceProfileRecord>(ctx.store, KIND.instanceProfile, ctx.accountId, nameKey(name));
  return { action, resource: rec?.Arn ?? iamArn(ctx.accountId, 'instance-profile', '/', name), context: { ...resourceTagKeys(rec?.Tags, false), ...extra } };
}

/** MFA devices are addressed by serial number, which for virtual devices is their ARN. */
async function mfaResource(ctx: RequestContext, action: string, serial: string, extra: Context = {}): Promise<AuthzTarget> {
  const rec = await getRecord<MfaDeviceRecord>(ctx.store, KIND.mfaDevice, ctx.accountId, serial);
  return { action, resource: serial, context: { ...resourceTagKeys(rec?.Tags, false), ...extra } };
}

/** List operations without resource-level permissions are evaluated on `arn:…:<type><PathPrefix>`. */
function pathPrefixResource(ctx: RequestContext, action: string, type: string, pathPrefix: string | undefined): AuthzTarget {
  return { action, resource: `arn:aws:iam::${ctx.accountId}:${type}${pathPrefix ?? '/'}` };
}

function withoutEmptyContext(targets: AuthzTarget[]): AuthzTarget[] {
  for (const t of targets) if (t.context && Object.keys(t.context).length === 0) delete t.context;
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Table builders: one line per operation below.

type Resolve = (input: Input, ctx: RequestContext, action: string) => Promise<AuthzTarget | AuthzTarget[]>;

function op(resolve: Resolve): (action: string) => OperationAuthz {
  return (action) => async ({ input, ctx }: AuthzCall) => {
    const out = await resolve(input, ctx, `iam:${action}`);
    return withoutEmptyContext(Array.isArray(out) ? out : [out]);
  };
}

const onUser = (nameField = 'UserName', extra?: (i: Input) => Context) =>
  op((i, c, a) => userResource(c, a, str(i, nameField), extra?.(i)));
const onRole = (extra?: (i: Input) => Context) => op((i, c, a) => roleResource(c, a, str(i, 'RoleName')!, extra?.(i)));
const onGroup = (extra?: (i: Input) => Context) => op((i, c, a) => groupResource(c, a, str(i, 'GroupName')!, extra?.(i)));
const onPolicy = (extra?: (i: Input) => Context) => op((i, c, a) => policyResource(c, a, str(i, 'PolicyArn')!, extra?.(i)));
const onInstanceProfile = (extra?: (i: Input) => Context) =>
  op((i, c, a) => instanceProfileResource(c, a, str(i, 'InstanceProfileName')!, extra?.(i)));
const onMfa = (extra?: (i: Input) => Context) => op((i, c, a) => mfaResource(c, a, str(i, 'SerialNumber')!, extra?.(i)));

const policyArnKey = (i: Input): Context => ({ 'iam:PolicyARN': str(i, 'PolicyArn') });
const newBoundaryKey = (i: Input): Context => (str(i, 'PermissionsBoundary') ? { 'iam:PermissionsBoundary': str(i, 'PermissionsBoundary') } : {});
const requestTags = (i: Input): Context => requestTagKeys(i.Tags);
const untagKeys = (i: Input): Context => tagKeysOnly(i.TagKeys);

/** Renames need permission on both the old and the new name (IAM API Reference, UpdateUser/UpdateGroup). */
function renamed(type: 'user' | 'group', nameField: string, newNameField: string): (action: string) => OperationAuthz {
  return op(async (i, c, a) => {
    const current = type === 'user' ? await userResource(c, a, str(i, nameField)) : await groupResource(c, a, str(i, nameField)!);
    const newName = str(i, newNameField);
    const newPath = str(i, 'NewPath');
    if (newName === undefined && newPath === undefined) return current;
    const currentPath = /:(?:user|group)(\/.*\/|\/)[^/]+$/.exec(current.resource)?.[1] ?? '/';
    const target: AuthzTarget = { action: a, resource: iamArn(c.accountId, type, newPath ?? currentPath, newName ?? str(i, nameField)!) };
    return [current, target];
  });
}

/** The ARN a service-linked role will get: /aws-service-role/<service>/<AWSServiceRoleFor…>[_suffix]. */
function serviceLinkedRoleArn(ctx: RequestContext, input: Input): string {
  const service = str(input, 'AWSServiceName') ?? '';
  const base = SERVICE_LINKED_ROLES[service] ?? 'AWSServiceRoleFor';
  const suffix = str(input, 'CustomSuffix');
  return iamArn(ctx.accountId, 'role', `/aws-service-role/${service}/`, suffix ? `${base}_${suffix}` : base);
}

/** "task/aws-service-role/<service>/<role>/<uuid>" names the role being deleted. */
function deletionTaskRoleArn(ctx: RequestContext, taskId: string): string {
  const m = /^task\/aws-service-role\/([^/]+)\/([^/]+)\/[^/]+$/.exec(taskId);
  return m ? iamArn(ctx.accountId, 'role', `/aws-service-role/${m[1]}/`, m[2]!) : iamArn(ctx.accountId, 'role', '/', taskId);
}

/** GetAccessKeyLastUsed acts on the user that owns the key (or the caller's own ARN for unknown keys). */
async function accessKeyOwner(ctx: RequestContext, action: string, keyId: string): Promise<AuthzTarget> {
  const key = await getRecord<AccessKeyRecord>(ctx.store, KIND.accessKey, ctx.accountId, keyId);
  if (!key) return { action, resource: self(ctx) };
  const { displayResource: _shownAsName, ...owner } = await userResource(ctx, action, key.UserName);
  return owner;
}

function table(entries: Record<string, (action: string) => OperationAuthz>): Record<string, OperationAuthz> {
  return Object.fromEntries(Object.entries(entries).map(([operation, build]) => [operation, build(operation)]));
}

export const iamAuthz: ServiceAuthz = {
  prefix: 'iam',
  operations: table({
    // Users and groups
    CreateUser: op(async (i, c, a) => ({
      action: a,
      resource: iamArn(c.accountId, 'user', str(i, 'Path') ?? '/', str(i, 'UserName')!),
      context: { ...requestTags(i), ...newBoundaryKey(i) },
    })),
    GetUser: onUser(),
    ListUsers: op(async (i, c, a) => pathPrefixResource(c, a, 'user', str(i, 'PathPrefix'))),
    UpdateUser: renamed('user', 'UserName', 'NewUserName'),
    DeleteUser: onUser(),
    CreateGroup: op(async (i, c, a) => ({ action: a, resource: iamArn(c.accountId, 'group', str(i, 'Path') ?? '/', str(i, 'GroupName')!) })),
    GetGroup: onGroup(),
    ListGroups: op(async (i, c, a) => pathPrefixResource(c, a, 'group', str(i, 'PathPrefix'))),
    UpdateGroup: renamed('group', 'GroupName', 'NewGroupName'),
    DeleteGroup: onGroup(),
    AddUserToGroup: onGroup(),
    RemoveUserFromGroup: onGroup(),
    ListGroupsForUser: onUser(),

    // Roles, service-linked roles, instance profiles
    CreateRole: op(async (i, c, a) => ({
      action: a,
      resource: iamArn(c.accountId, 'role', str(i, 'Path') ?? '/', str(i, 'RoleName')!),
      context: { ...requestTags(i), ...newBoundaryKey(i) },
    })),
    GetRole: onRole(),
    ListRoles: op(async (i, c, a) => pathPrefixResource(c, a, 'role', str(i, 'PathPrefix'))),
    UpdateRole: onRole(),
    UpdateRoleDescription: onRole(),
    UpdateAssumeRolePolicy: onRole(),
    DeleteRole: onRole(),
    CreateServiceLinkedRole: op(async (i, c, a) => ({
      action: a,
      resource: serviceLinkedRoleArn(c, i),
      context: { 'iam:AWSServiceName': str(i, 'AWSServiceName') },
    })),
    DeleteServiceLinkedRole: onRole(),
    GetServiceLinkedRoleDeletionStatus: op(async (i, c, a) => ({ action: a, resource: deletionTaskRoleArn(c, str(i, 'DeletionTaskId') ?? '') })),
    CreateInstanceProfile: op(async (i, c, a) => ({
      action: a,
      resource: iamArn(c.accountId, 'instance-profile', str(i, 'Path') ?? '/', str(i, 'InstanceProfileName')!),
      context: requestTags(i),
    })),
    GetInstanceProfile: onInstanceProfile(),
    ListInstanceProfiles: op(async (i, c, a) => pathPrefixResource(c, a, 'instance-profile', str(i, 'PathPrefix'))),
    ListInstanceProfilesForRole: onRole(),
    DeleteInstanceProfile: onInstanceProfile(),
    // "The caller of this operation must be granted the PassRole permission on the IAM role" (API Reference).
    AddRoleToInstanceProfile: op(async (i, c, a) => {
      const pass = await roleResource(c, 'iam:PassRole', str(i, 'RoleName')!);
      return [await instanceProfileResource(c, a, str(i, 'InstanceProfileName')!), { action: pass.action, resource: pass.resource }];
    }),
    RemoveRoleFromInstanceProfile: onInstanceProfile(),

    // Managed policies and versions
    CreatePolicy: op(async (i, c, a) => ({
      action: a,
      resource: iamArn(c.accountId, 'policy', str(i, 'Path') ?? '/', str(i, 'PolicyName')!),
      context: requestTags(i),
    })),
    GetPolicy: onPolicy(),
    // AWS: "… is not authorized to perform: iam:ListPolicies on resource: policy path /".
    ListPolicies: op(async (i, c, a) => ({
      ...pathPrefixResource(c, a, 'policy', str(i, 'PathPrefix')),
      displayResource: `policy path ${str(i, 'PathPrefix') ?? '/'}`,
    })),
    DeletePolicy: onPolicy(),
    CreatePolicyVersion: onPolicy(),
    GetPolicyVersion: onPolicy(),
    ListPolicyVersions: onPolicy(),
    DeletePolicyVersion: onPolicy(),
    SetDefaultPolicyVersion: onPolicy(),
    ListEntitiesForPolicy: onPolicy(),

    // Attachments: iam:PolicyARN names the managed policy being attached or detached.
    AttachUserPolicy: onUser('UserName', policyArnKey),
    AttachGroupPolicy: onGroup(policyArnKey),
    AttachRolePolicy: onRole(policyArnKey),
    DetachUserPolicy: onUser('UserName', policyArnKey),
    DetachGroupPolicy: onGroup(policyArnKey),
    DetachRolePolicy: onRole(policyArnKey),
    ListAttachedUserPolicies: onUser(),
    ListAttachedGroupPolicies: onGroup(),
    ListAttachedRolePolicies: onRole(),

    // Inline policies
    PutUserPolicy: onUser(),
    PutGroupPolicy: onGroup(),
    PutRolePolicy: onRole(),
    GetUserPolicy: onUser(),
    GetGroupPolicy: onGroup(),
    GetRolePolicy: onRole(),
    DeleteUserPolicy: onUser(),
    DeleteGroupPolicy: onGroup(),
    DeleteRolePolicy: onRole(),
    ListUserPolicies: onUser(),
    ListGroupPolicies: onGroup(),
    ListRolePolicies: onRole(),

    // Permissions boundaries: Put* supplies the new boundary, Delete* the current one.
    PutUserPermissionsBoundary: op(async (i, c, a) => userResource(c, a, str(i, 'UserName'), newBoundaryKey(i))),
    PutRolePermissionsBoundary: op(async (i, c, a) => roleResource(c, a, str(i, 'RoleName')!, newBoundaryKey(i))),
    DeleteUserPermissionsBoundary: onUser(),
    DeleteRolePermissionsBoundary: onRole(),

    // Tags
    TagUser: onUser('UserName', requestTags),
    UntagUser: onUser('UserName', untagKeys),
    ListUserTags: onUser(),
    TagRole: onRole(requestTags),
    UntagRole: onRole(untagKeys),
    ListRoleTags: onRole(),
    TagPolicy: onPolicy(requestTags),
    UntagPolicy: onPolicy(untagKeys),
    ListPolicyTags: onPolicy(),
    TagInstanceProfile: onInstanceProfile(requestTags),
    UntagInstanceProfile: onInstanceProfile(untagKeys),
    ListInstanceProfileTags: onInstanceProfile(),
    TagMFADevice: onMfa(requestTags),
    UntagMFADevice: onMfa(untagKeys),
    ListMFADeviceTags: onMfa(),

    // Access keys: without UserName they act on the caller.
    CreateAccessKey: onUser(),
    UpdateAccessKey: onUser(),
    DeleteAccessKey: onUser(),
    ListAccessKeys: onUser(),
    GetAccessKeyLastUsed: op((i, c, a) => accessKeyOwner(c, a, str(i, 'AccessKeyId') ?? '')),

    // Console passwords
    CreateLoginProfile: onUser(),
    GetLoginProfile: onUser(),
    UpdateLoginProfile: onUser(),
    DeleteLoginProfile: onUser(),
    ChangePassword: op(async (_i, c, a) => userResource(c, a, undefined)),

    // MFA: devices are created and deleted as mfa resources; enabling, resyncing and
    // deactivating act on the user. ListMFADevices without UserName is checked on "*" (the
    // reference marks its user resource optional; AWS's denial then names no resource).
    CreateVirtualMFADevice: op(async (i, c, a) => ({
      action: a,
      resource: iamArn(c.accountId, 'mfa', str(i, 'Path') ?? '/', str(i, 'VirtualMFADeviceName')!),
      context: requestTags(i),
    })),
    EnableMFADevice: onUser(),
    ResyncMFADevice: onUser(),
    DeactivateMFADevice: onUser(),
    DeleteVirtualMFADevice: onMfa(),
    ListMFADevices: op(async (i, c, a) => (str(i, 'UserName') === undefined ? { action: a, resource: '*' } : userResource(c, a, str(i, 'UserName')))),

    // Policy simulation: authorized on the simulated user, group or role.
    SimulatePrincipalPolicy: op(async (i, _c, a) => ({ action: a, resource: str(i, 'PolicySourceArn') ?? '*' })),
  }),
};
