/** IAM roles (trust policies, session duration, service-linked roles) and instance profiles. */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.ts';
import { newIamUniqueId } from '../../core/ids.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  AddRoleToInstanceProfileRequest,
  CreateInstanceProfileRequest,
  CreateRoleRequest,
  CreateServiceLinkedRoleRequest,
  DeleteInstanceProfileRequest,
  DeleteRoleRequest,
  DeleteServiceLinkedRoleRequest,
  GetInstanceProfileRequest,
  GetRoleRequest,
  GetServiceLinkedRoleDeletionStatusRequest,
  ListInstanceProfilesForRoleRequest,
  ListInstanceProfilesRequest,
  ListRolesRequest,
  RemoveRoleFromInstanceProfileRequest,
  UpdateAssumeRolePolicyRequest,
  UpdateRoleDescriptionRequest,
  UpdateRoleRequest,
} from '../../generated/iam/types.ts';
import type { DocOps } from '../../store/types.ts';
import { parsePolicy, checkTrustPolicySize } from '../../iam/policy/index.ts';
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
  invalidInput,
  loadAccount,
  nameKey,
  noSuchEntity,
  nowIso,
  pageFields,
  paginate,
  pathMatches,
  putRecord,
  quotaExceeded,
  saveAccount,
  type InstanceProfileRecord,
  type RoleRecord,
} from './common.ts';
import { allInstanceProfiles, allRoles, instanceProfileShape, requireInstanceProfile, requireRole, roleShape } from './lookup.ts';
import { requireBoundaryPolicy } from './policies.ts';
import { checkTagList } from './tags.ts';

const MIN_SESSION = 3600;
const MAX_SESSION = 43200;

/** Same wording as the model-driven validator, for callers that reach the handler directly. */
function checkMaxSessionDuration(value: number | undefined): number {
  if (value === undefined) return MIN_SESSION;
  if (value < MIN_SESSION) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_SESSION}`);
  }
  if (value > MAX_SESSION) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to ${MAX_SESSION}`);
  }
  return value;
}

function validateTrustPolicy(document: string): void {
  checkTrustPolicySize(document);
  parsePolicy(document, 'trust');
}

export async function createRole(ctx: RequestContext, input: CreateRoleRequest) {
  validateTrustPolicy(input.AssumeRolePolicyDocument);
  const maxSession = checkMaxSessionDuration(input.MaxSessionDuration);
  const tags = checkTagList(input.Tags);
  const role = await inTransaction(ctx, async (tx) => {
    const path = defaultPath(input.Path);
    return insertRole(tx, ctx, {
      RoleName: input.RoleName,
      RoleId: newIamUniqueId('AROA'),
      Arn: iamArn(ctx.accountId, 'role', path, input.RoleName),
      Path: path,
      CreateDate: nowIso(ctx),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
      MaxSessionDuration: maxSession,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.PermissionsBoundary !== undefined ? { PermissionsBoundary: input.PermissionsBoundary } : {}),
      Tags: tags,
      InlinePolicies: {},
      AttachedPolicies: [],
    });
  });
  const shape = roleShape(role, true);
  delete shape.RoleLastUsed; // CreateRole does not report RoleLastUsed
  return { Role: shape };
}

async function insertRole(tx: DocOps, ctx: RequestContext, rec: RoleRecord): Promise<RoleRecord> {
  if (await getRecord(tx, KIND.role, ctx.accountId, nameKey(rec.RoleName))) throw entityAlreadyExists(Messages.roleExists(rec.RoleName));
  if ((await allRoles(tx, ctx.accountId)).length >= Quotas.roles) throw quotaExceeded('RolesPerAccount', Quotas.roles);
  if (rec.PermissionsBoundary !== undefined) await requireBoundaryPolicy(tx, ctx.accountId, rec.PermissionsBoundary);
  await putRecord(tx, KIND.role, ctx.accountId, nameKey(rec.RoleName), rec);
  return rec;
}

export async function getRole(ctx: RequestContext, input: GetRoleRequest) {
  return { Role: roleShape(await requireRole(ctx.store, ctx.accountId, input.RoleName), true) };
}

export async function listRoles(ctx: RequestContext, input: ListRolesRequest) {
  const roles = (await allRoles(ctx.store, ctx.accountId)).filter((r) => pathMatches(r.Path, input.PathPrefix));
  const page = paginate(roles, input);
  return { Roles: page.items.map((r) => roleShape(r, false)), ...pageFields(page) };
}

async function updateRoleRecord(ctx: RequestContext, roleName: string, change: (role: RoleRecord) => void): Promise<RoleRecord> {
  return inTransaction(ctx, async (tx) => {
    const role = await requireRole(tx, ctx.accountId, roleName);
    change(role);
    await putRecord(tx, KIND.role, ctx.accountId, nameKey(role.RoleName), role);
    return role;
  });
}

export async function updateRole(ctx: RequestContext, input: UpdateRoleRequest) {
  const maxSession = input.MaxSessionDuration === undefined ? undefined : checkMaxSessionDuration(input.MaxSessionDuration);
  await updateRoleRecord(ctx, input.RoleName, (role) => {
    if (input.Description !== undefined) role.Description = input.Description;
    if (maxSession !== undefined) role.MaxSessionDuration = maxSession;
  });
  return {};
}

export async function updateRoleDescription(ctx: RequestContext, input: UpdateRoleDescriptionRequest) {
  const role = await updateRoleRecord(ctx, input.RoleName, (r) => {
    r.Description = input.Description;
  });
  return { Role: roleShape(role, true) };
}

export async function updateAssumeRolePolicy(ctx: RequestContext, input: UpdateAssumeRolePolicyRequest) {
  validateTrustPolicy(input.PolicyDocument);
  await updateRoleRecord(ctx, input.RoleName, (role) => {
    role.AssumeRolePolicyDocument = input.PolicyDocument;
  });
  return {};
}

/** DeleteRole refuses while the role is in an instance profile or still has policies. */
export async function deleteRole(ctx: RequestContext, input: DeleteRoleRequest) {
  await inTransaction(ctx, async (tx) => {
    const role = await requireRole(tx, ctx.accountId, input.RoleName);
    await checkRoleDeletable(tx, ctx.accountId, role);
    await deleteRecord(tx, KIND.role, ctx.accountId, nameKey(role.RoleName));
  });
  return {};
}

async function checkRoleDeletable(tx: DocOps, account: string, role: RoleRecord): Promise<void> {
  const key = nameKey(role.RoleName);
  const profiles = await allInstanceProfiles(tx, account);
  if (profiles.some((p) => p.Roles.some((r) => nameKey(r) === key))) throw deleteConflict(Messages.mustRemoveFromInstanceProfiles);
  if (Object.keys(role.InlinePolicies).length > 0) throw deleteConflict(Messages.mustDeletePolicies);
  if (role.AttachedPolicies.length > 0) throw deleteConflict(Messages.mustDetachPolicies);
}

// ---------------------------------------------------------------------------------------------
// Service-linked roles, for the services Bonsai serves

/** Service principal → the role name AWS gives its service-linked role. */
export const SERVICE_LINKED_ROLES: Readonly<Record<string, string>> = {
  'rds.amazonaws.com': 'AWSServiceRoleForRDS',
  'autoscaling.amazonaws.com': 'AWSServiceRoleForAutoScaling',
  'elasticloadbalancing.amazonaws.com': 'AWSServiceRoleForElasticLoadBalancing',
  'spot.amazonaws.com': 'AWSServiceRoleForEC2Spot',
  'spotfleet.amazonaws.com': 'AWSServiceRoleForEC2SpotFleet',
  'transitgateway.amazonaws.com': 'AWSServiceRoleForVPCTransitGateway',
  'replication.dynamodb.amazonaws.com': 'AWSServiceRoleForDynamoDBReplication',
  'dax.amazonaws.com': 'AWSServiceRoleForDAX',
  'dynamodb.application-autoscaling.amazonaws.com': 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable',
  'rds.application-autoscaling.amazonaws.com': 'AWSServiceRoleForApplicationAutoScaling_RDSCluster',
  'replicator.lambda.amazonaws.com': 'AWSServiceRoleForLambdaReplicator',
  'ssm.amazonaws.com': 'AWSServiceRoleForAmazonSSM',
  'events.amazonaws.com': 'AWSServiceRoleForCloudWatchEvents',
  'delivery.logs.amazonaws.com': 'AWSServiceRoleForLogDelivery',
};

export async function createServiceLinkedRole(ctx: RequestContext, input: CreateServiceLinkedRoleRequest) {
  const service = input.AWSServiceName;
  const baseName = SERVICE_LINKED_ROLES[service];
  if (!baseName) throw invalidInput(`Invalid ServiceName ${service}, the service does not support service-linked roles.`);
  const roleName = input.CustomSuffix ? `${baseName}_${input.CustomSuffix}` : baseName;
  const path = `/aws-service-role/${service}/`;
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }],
  });
  const role = await inTransaction(ctx, async (tx) => {
    if (await getRecord(tx, KIND.role, ctx.accountId, nameKey(roleName))) {
      throw invalidInput(`Service role name ${roleName} has been taken in this account, please try a different suffix.`);
    }
    return insertRole(tx, ctx, {
      RoleName: roleName,
      RoleId: newIamUniqueId('AROA'),
      Arn: iamArn(ctx.accountId, 'role', path, roleName),
      Path: path,
      CreateDate: nowIso(ctx),
      AssumeRolePolicyDocument: trust,
      MaxSessionDuration: MIN_SESSION,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      Tags: [],
      InlinePolicies: {},
      AttachedPolicies: [],
      ServiceLinkedTo: service,
    });
  });
  const shape = roleShape(role, false);
  return { Role: shape };
}

export async function deleteServiceLinkedRole(ctx: RequestContext, input: DeleteServiceLinkedRoleRequest) {
  const taskId = await inTransaction(ctx, async (tx) => {
    const role = await requireRole(tx, ctx.accountId, input.RoleName);
    if (!role.ServiceLinkedTo) throw invalidInput(`Role ${role.RoleName} is not a service-linked role.`);
    const profiles = await allInstanceProfiles(tx, ctx.accountId);
    if (profiles.some((p) => p.Roles.some((r) => nameKey(r) === nameKey(role.RoleName)))) throw deleteConflict(Messages.mustRemoveFromInstanceProfiles);
    await deleteRecord(tx, KIND.role, ctx.accountId, nameKey(role.RoleName));
    const id = `task/aws-service-role/${role.ServiceLinkedTo}/${role.RoleName}/${randomUUID()}`;
    const account = await loadAccount(tx, ctx.accountId);
    account.DeletionTasks[id] = 'SUCCEEDED';
    await saveAccount(tx, ctx.accountId, account);
    return id;
  });
  return { DeletionTaskId: taskId };
}

export async function getServiceLinkedRoleDeletionStatus(ctx: RequestContext, input: GetServiceLinkedRoleDeletionStatusRequest) {
  const account = await loadAccount(ctx.store, ctx.accountId);
  const status = account.DeletionTasks[input.DeletionTaskId];
  if (!status) throw noSuchEntity(`Deletion task ${input.DeletionTaskId} cannot be found.`);
  return { Status: status };
}

// ---------------------------------------------------------------------------------------------
// Instance profiles

export async function createInstanceProfile(ctx: RequestContext, input: CreateInstanceProfileRequest) {
  const path = defaultPath(input.Path);
  const tags = checkTagList(input.Tags);
  const profile = await inTransaction(ctx, async (tx) => {
    const key = nameKey(input.InstanceProfileName);
    if (await getRecord(tx, KIND.instanceProfile, ctx.accountId, key)) throw entityAlreadyExists(Messages.instanceProfileExists(input.InstanceProfileName));
    if ((await allInstanceProfiles(tx, ctx.accountId)).length >= Quotas.instanceProfiles) throw quotaExceeded('InstanceProfilesPerAccount', Quotas.instanceProfiles);
    const rec: InstanceProfileRecord = {
      InstanceProfileName: input.InstanceProfileName,
      InstanceProfileId: newIamUniqueId('AIPA'),
      Arn: iamArn(ctx.accountId, 'instance-profile', path, input.InstanceProfileName),
      Path: path,
      CreateDate: nowIso(ctx),
      Roles: [],
      Tags: tags,
    };
    await putRecord(tx, KIND.instanceProfile, ctx.accountId, key, rec);
    return rec;
  });
  return { InstanceProfile: await instanceProfileShape(ctx.store, ctx.accountId, profile, true) };
}

export async function getInstanceProfile(ctx: RequestContext, input: GetInstanceProfileRequest) {
  const profile = await requireInstanceProfile(ctx.store, ctx.accountId, input.InstanceProfileName);
  return { InstanceProfile: await instanceProfileShape(ctx.store, ctx.accountId, profile, true) };
}

export async function listInstanceProfiles(ctx: RequestContext, input: ListInstanceProfilesRequest) {
  const profiles = (await allInstanceProfiles(ctx.store, ctx.accountId)).filter((p) => pathMatches(p.Path, input.PathPrefix));
  const page = paginate(profiles, input);
  const shaped = [];
  for (const p of page.items) shaped.push(await instanceProfileShape(ctx.store, ctx.accountId, p, false));
  return { InstanceProfiles: shaped, ...pageFields(page) };
}

export async function listInstanceProfilesForRole(ctx: RequestContext, input: ListInstanceProfilesForRoleRequest) {
  const role = await requireRole(ctx.store, ctx.accountId, input.RoleName);
  const key = nameKey(role.RoleName);
  const profiles = (await allInstanceProfiles(ctx.store, ctx.accountId)).filter((p) => p.Roles.some((r) => nameKey(r) === key));
  const page = paginate(profiles, input);
  const shaped = [];
  for (const p of page.items) shaped.push(await instanceProfileShape(ctx.store, ctx.accountId, p, false));
  return { InstanceProfiles: shaped, ...pageFields(page) };
}

export async function deleteInstanceProfile(ctx: RequestContext, input: DeleteInstanceProfileRequest) {
  await inTransaction(ctx, async (tx) => {
    const profile = await requireInstanceProfile(tx, ctx.accountId, input.InstanceProfileName);
    if (profile.Roles.length > 0) throw deleteConflict(Messages.mustRemoveRoles);
    await deleteRecord(tx, KIND.instanceProfile, ctx.accountId, nameKey(profile.InstanceProfileName));
  });
  return {};
}

/** An instance profile holds at most one role (InstanceSessionsPerInstanceProfile). */
export async function addRoleToInstanceProfile(ctx: RequestContext, input: AddRoleToInstanceProfileRequest) {
  await inTransaction(ctx, async (tx) => {
    const profile = await requireInstanceProfile(tx, ctx.accountId, input.InstanceProfileName);
    const role = await requireRole(tx, ctx.accountId, input.RoleName);
    if (profile.Roles.length >= Quotas.rolesPerInstanceProfile) throw quotaExceeded('InstanceSessionsPerInstanceProfile', Quotas.rolesPerInstanceProfile);
    profile.Roles.push(role.RoleName);
    await putRecord(tx, KIND.instanceProfile, ctx.accountId, nameKey(profile.InstanceProfileName), profile);
  });
  return {};
}

export async function removeRoleFromInstanceProfile(ctx: RequestContext, input: RemoveRoleFromInstanceProfileRequest) {
  await inTransaction(ctx, async (tx) => {
    const profile = await requireInstanceProfile(tx, ctx.accountId, input.InstanceProfileName);
    const role = await requireRole(tx, ctx.accountId, input.RoleName);
    const key = nameKey(role.RoleName);
    if (!profile.Roles.some((r) => nameKey(r) === key)) {
      throw noSuchEntity(`The role with name ${input.RoleName} cannot be found in instance profile ${profile.InstanceProfileName}.`);
    }
    profile.Roles = profile.Roles.filter((r) => nameKey(r) !== key);
    await putRecord(tx, KIND.instanceProfile, ctx.accountId, nameKey(profile.InstanceProfileName), profile);
  });
  return {};
}
