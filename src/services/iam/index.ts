/**
 * AWS Identity and Access Management: users, groups, roles, instance profiles, managed and inline
 * policies, access keys, console passwords, virtual MFA and account settings. Global: records are
 * stored with region '' whatever region the client signs for.
 */
import type { RequestContext } from '../../core/context.ts';
import type { IamHandlers } from '../../generated/iam/handlers.ts';
import { defineService } from '../types.ts';
import * as accessKeys from './access-keys.ts';
import * as account from './account.ts';
import { notifyIamWrite } from './events.ts';
import * as login from './login-profiles.ts';
import * as mfa from './mfa.ts';
import * as policies from './policies.ts';
import * as roles from './roles.ts';
import { iamAuthz } from './authz.ts';
import { simulateCustomPolicy, simulatePrincipalPolicy } from './simulate.ts';
import { TAG_TARGETS, listResourceTags, tagResource, untagResource } from './tags.ts';
import * as users from './users.ts';

export { onIamWrite } from './events.ts';
export { iamCredentialResolver, loadPrincipalPolicies } from './credentials.ts';
export { verifyTotp } from './mfa.ts';

type Impl = { [K in keyof IamHandlers]?: (input: Parameters<IamHandlers[K]>[0], ctx: RequestContext) => Promise<unknown> };

const impl: Impl = {
  // Users and groups
  CreateUser: (i, c) => users.createUser(c, i),
  GetUser: (i, c) => users.getUser(c, i),
  ListUsers: (i, c) => users.listUsers(c, i),
  UpdateUser: (i, c) => users.updateUser(c, i),
  DeleteUser: (i, c) => users.deleteUser(c, i),
  CreateGroup: (i, c) => users.createGroup(c, i),
  GetGroup: (i, c) => users.getGroup(c, i),
  ListGroups: (i, c) => users.listGroups(c, i),
  UpdateGroup: (i, c) => users.updateGroup(c, i),
  DeleteGroup: (i, c) => users.deleteGroup(c, i),
  AddUserToGroup: (i, c) => users.addUserToGroup(c, i),
  RemoveUserFromGroup: (i, c) => users.removeUserFromGroup(c, i),
  ListGroupsForUser: (i, c) => users.listGroupsForUser(c, i),

  // Roles, service-linked roles, instance profiles
  CreateRole: (i, c) => roles.createRole(c, i),
  GetRole: (i, c) => roles.getRole(c, i),
  ListRoles: (i, c) => roles.listRoles(c, i),
  UpdateRole: (i, c) => roles.updateRole(c, i),
  UpdateRoleDescription: (i, c) => roles.updateRoleDescription(c, i),
  UpdateAssumeRolePolicy: (i, c) => roles.updateAssumeRolePolicy(c, i),
  DeleteRole: (i, c) => roles.deleteRole(c, i),
  CreateServiceLinkedRole: (i, c) => roles.createServiceLinkedRole(c, i),
  DeleteServiceLinkedRole: (i, c) => roles.deleteServiceLinkedRole(c, i),
  GetServiceLinkedRoleDeletionStatus: (i, c) => roles.getServiceLinkedRoleDeletionStatus(c, i),
  CreateInstanceProfile: (i, c) => roles.createInstanceProfile(c, i),
  GetInstanceProfile: (i, c) => roles.getInstanceProfile(c, i),
  ListInstanceProfiles: (i, c) => roles.listInstanceProfiles(c, i),
  ListInstanceProfilesForRole: (i, c) => roles.listInstanceProfilesForRole(c, i),
  DeleteInstanceProfile: (i, c) => roles.deleteInstanceProfile(c, i),
  AddRoleToInstanceProfile: (i, c) => roles.addRoleToInstanceProfile(c, i),
  RemoveRoleFromInstanceProfile: (i, c) => roles.removeRoleFromInstanceProfile(c, i),

  // Managed policies and versions
  CreatePolicy: (i, c) => policies.createPolicy(c, i),
  GetPolicy: (i, c) => policies.getPolicy(c, i),
  ListPolicies: (i, c) => policies.listPolicies(c, i),
  DeletePolicy: (i, c) => policies.deletePolicy(c, i),
  CreatePolicyVersion: (i, c) => policies.createPolicyVersion(c, i),
  GetPolicyVersion: (i, c) => policies.getPolicyVersion(c, i),
  ListPolicyVersions: (i, c) => policies.listPolicyVersions(c, i),
  DeletePolicyVersion: (i, c) => policies.deletePolicyVersion(c, i),
  SetDefaultPolicyVersion: (i, c) => policies.setDefaultPolicyVersion(c, i),
  ListEntitiesForPolicy: (i, c) => policies.listEntitiesForPolicy(c, i),

  // Attachments
  AttachUserPolicy: (i, c) => policies.attachPolicy(c, 'user', i.UserName, i.PolicyArn),
  AttachGroupPolicy: (i, c) => policies.attachPolicy(c, 'group', i.GroupName, i.PolicyArn),
  AttachRolePolicy: (i, c) => policies.attachPolicy(c, 'role', i.RoleName, i.PolicyArn),
  DetachUserPolicy: (i, c) => policies.detachPolicy(c, 'user', i.UserName, i.PolicyArn),
  DetachGroupPolicy: (i, c) => policies.detachPolicy(c, 'group', i.GroupName, i.PolicyArn),
  DetachRolePolicy: (i, c) => policies.detachPolicy(c, 'role', i.RoleName, i.PolicyArn),
  ListAttachedUserPolicies: (i, c) => policies.listAttachedPolicies(c, 'user', i.UserName, i),
  ListAttachedGroupPolicies: (i, c) => policies.listAttachedPolicies(c, 'group', i.GroupName, i),
  ListAttachedRolePolicies: (i, c) => policies.listAttachedPolicies(c, 'role', i.RoleName, i),

  // Inline policies
  PutUserPolicy: (i, c) => policies.putInlinePolicy(c, 'user', i.UserName, i.PolicyName, i.PolicyDocument),
  PutGroupPolicy: (i, c) => policies.putInlinePolicy(c, 'group', i.GroupName, i.PolicyName, i.PolicyDocument),
  PutRolePolicy: (i, c) => policies.putInlinePolicy(c, 'role', i.RoleName, i.PolicyName, i.PolicyDocument),
  GetUserPolicy: (i, c) => policies.getInlinePolicy(c, 'user', i.UserName, i.PolicyName),
  GetGroupPolicy: (i, c) => policies.getInlinePolicy(c, 'group', i.GroupName, i.PolicyName),
  GetRolePolicy: (i, c) => policies.getInlinePolicy(c, 'role', i.RoleName, i.PolicyName),
  DeleteUserPolicy: (i, c) => policies.deleteInlinePolicy(c, 'user', i.UserName, i.PolicyName),
  DeleteGroupPolicy: (i, c) => policies.deleteInlinePolicy(c, 'group', i.GroupName, i.PolicyName),
  DeleteRolePolicy: (i, c) => policies.deleteInlinePolicy(c, 'role', i.RoleName, i.PolicyName),
  ListUserPolicies: (i, c) => policies.listInlinePolicies(c, 'user', i.UserName, i),
  ListGroupPolicies: (i, c) => policies.listInlinePolicies(c, 'group', i.GroupName, i),
  ListRolePolicies: (i, c) => policies.listInlinePolicies(c, 'role', i.RoleName, i),

  // Permissions boundaries
  PutUserPermissionsBoundary: (i, c) => policies.putPermissionsBoundary(c, 'user', i.UserName, i.PermissionsBoundary),
  PutRolePermissionsBoundary: (i, c) => policies.putPermissionsBoundary(c, 'role', i.RoleName, i.PermissionsBoundary),
  DeleteUserPermissionsBoundary: (i, c) => policies.deletePermissionsBoundary(c, 'user', i.UserName),
  DeleteRolePermissionsBoundary: (i, c) => policies.deletePermissionsBoundary(c, 'role', i.RoleName),

  // Tags
  TagUser: (i, c) => tagResource(c, TAG_TARGETS.user, i.UserName, i.Tags),
  UntagUser: (i, c) => untagResource(c, TAG_TARGETS.user, i.UserName, i.TagKeys),
  ListUserTags: (i, c) => listResourceTags(c, TAG_TARGETS.user, i.UserName, i),
  TagRole: (i, c) => tagResource(c, TAG_TARGETS.role, i.RoleName, i.Tags),
  UntagRole: (i, c) => untagResource(c, TAG_TARGETS.role, i.RoleName, i.TagKeys),
  ListRoleTags: (i, c) => listResourceTags(c, TAG_TARGETS.role, i.RoleName, i),
  TagPolicy: (i, c) => tagResource(c, TAG_TARGETS.policy, i.PolicyArn, i.Tags),
  UntagPolicy: (i, c) => untagResource(c, TAG_TARGETS.policy, i.PolicyArn, i.TagKeys),
  ListPolicyTags: (i, c) => listResourceTags(c, TAG_TARGETS.policy, i.PolicyArn, i),
  TagInstanceProfile: (i, c) => tagResource(c, TAG_TARGETS.instanceProfile, i.InstanceProfileName, i.Tags),
  UntagInstanceProfile: (i, c) => untagResource(c, TAG_TARGETS.instanceProfile, i.InstanceProfileName, i.TagKeys),
  ListInstanceProfileTags: (i, c) => listResourceTags(c, TAG_TARGETS.instanceProfile, i.InstanceProfileName, i),
  TagMFADevice: (i, c) => tagResource(c, TAG_TARGETS.mfa, i.SerialNumber, i.Tags),
  UntagMFADevice: (i, c) => untagResource(c, TAG_TARGETS.mfa, i.SerialNumber, i.TagKeys),
  ListMFADeviceTags: (i, c) => listResourceTags(c, TAG_TARGETS.mfa, i.SerialNumber, i),

  // Access keys
  CreateAccessKey: (i, c) => accessKeys.createAccessKey(c, i),
  UpdateAccessKey: (i, c) => accessKeys.updateAccessKey(c, i),
  DeleteAccessKey: (i, c) => accessKeys.deleteAccessKey(c, i),
  ListAccessKeys: (i, c) => accessKeys.listAccessKeys(c, i),
  GetAccessKeyLastUsed: (i, c) => accessKeys.getAccessKeyLastUsed(c, i),

  // Console passwords
  CreateLoginProfile: (i, c) => login.createLoginProfile(c, i),
  GetLoginProfile: (i, c) => login.getLoginProfile(c, i),
  UpdateLoginProfile: (i, c) => login.updateLoginProfile(c, i),
  DeleteLoginProfile: (i, c) => login.deleteLoginProfile(c, i),
  ChangePassword: (i, c) => login.changePassword(c, i),
  UpdateAccountPasswordPolicy: (i, c) => login.updateAccountPasswordPolicy(c, i),
  GetAccountPasswordPolicy: (_i, c) => login.getAccountPasswordPolicy(c),
  DeleteAccountPasswordPolicy: (_i, c) => login.deleteAccountPasswordPolicy(c),

  // MFA
  CreateVirtualMFADevice: (i, c) => mfa.createVirtualMfaDevice(c, i),
  EnableMFADevice: (i, c) => mfa.enableMfaDevice(c, i),
  ResyncMFADevice: (i, c) => mfa.resyncMfaDevice(c, i),
  DeactivateMFADevice: (i, c) => mfa.deactivateMfaDevice(c, i),
  DeleteVirtualMFADevice: (i, c) => mfa.deleteVirtualMfaDevice(c, i),
  ListMFADevices: (i, c) => mfa.listMfaDevices(c, i),
  ListVirtualMFADevices: (i, c) => mfa.listVirtualMfaDevices(c, i),

  // Account
  CreateAccountAlias: (i, c) => account.createAccountAlias(c, i),
  DeleteAccountAlias: (i, c) => account.deleteAccountAlias(c, i),
  ListAccountAliases: (i, c) => account.listAccountAliases(c, i),
  GetAccountSummary: (_i, c) => account.getAccountSummary(c),
  GetAccountAuthorizationDetails: (i, c) => account.getAccountAuthorizationDetails(c, i),
  GenerateCredentialReport: (_i, c) => account.generateCredentialReport(c),
  GetCredentialReport: (_i, c) => account.getCredentialReport(c),

  // Policy simulator
  SimulatePrincipalPolicy: (i, c) => simulatePrincipalPolicy(c, i),
  SimulateCustomPolicy: (i, c) => simulateCustomPolicy(c, i),
};

/** Operations that only read; every other handler notifies onIamWrite listeners when it succeeds. */
function isReadOnly(operation: string): boolean {
  return /^(Get|List|Simulate)/.test(operation) || operation === 'GenerateCredentialReport';
}

function withWriteNotification(operation: string, handler: (input: any, ctx: RequestContext) => Promise<unknown>) {
  if (isReadOnly(operation)) return handler;
  return async (input: any, ctx: RequestContext) => {
    const out = await handler(input, ctx);
    notifyIamWrite(ctx.accountId, operation);
    return out;
  };
}

/** The handler table, exported for unit tests that call operations directly. */
export const iamHandlers = Object.fromEntries(
  Object.entries(impl).map(([op, handler]) => [op, withWriteNotification(op, handler as (input: any, ctx: RequestContext) => Promise<unknown>)]),
) as unknown as Required<Pick<IamHandlers, keyof typeof impl>>;

export const iam = defineService<IamHandlers>({
  compatibility: {
    notes: [
      'AWS managed policies served: AdministratorAccess, PowerUserAccess, ReadOnlyAccess (its actions for the services Bonsai serves only), IAMFullAccess, IAMUserChangePassword, AmazonS3FullAccess, AmazonS3ReadOnlyAccess, AmazonDynamoDBFullAccess, AmazonEC2FullAccess, AmazonEC2ReadOnlyAccess, AmazonVPCFullAccess, AmazonRDSFullAccess, AWSLambda_FullAccess, service-role/AWSLambdaBasicExecutionRole, CloudWatchFullAccess, AmazonSNSFullAccess, SecretsManagerReadWrite, with their real documents.',
      'Passwords are kept only as scrypt hashes. Access key secrets are sealed with AES-256-GCM under the data directory\'s master key and never logged.',
      'Without an account password policy, AWS\'s documented default applies (8 characters, three character types).',
      'An access key\'s last use (GetAccessKeyLastUsed, credential report) is recorded at most once a minute per key.',
      'GetAccountAuthorizationDetails and ListEntitiesForPolicy answer in one page.',
      'Denial messages name existing users, groups and roles as AWS does ("on resource: user alice"); list operations are authorized on the path-prefix ARN (arn:aws:iam::<account>:user/).',
      'SimulatePrincipalPolicy/SimulateCustomPolicy use the evaluator that enforces requests; EvalDecisionDetails and OrganizationsDecisionDetail are not returned.',
    ],
    operations: {
      CreateOpenIDConnectProvider: 'Not implemented: no OIDC providers yet.',
      CreateSAMLProvider: 'Not implemented: no SAML providers yet.',
      UploadSSHPublicKey: 'Not implemented.',
      UploadServerCertificate: 'Not implemented.',
      UploadSigningCertificate: 'Not implemented.',
    },
  },
  name: 'iam',
  signingName: 'iam',
  protocol: 'query',
  apiVersion: '2010-05-08',
  global: true,
  authFamily: 'query',
  authz: iamAuthz,
  handlers: iamHandlers as Partial<IamHandlers>,
});
