/** Account-wide operations: aliases, GetAccountSummary, GetAccountAuthorizationDetails, credential reports. */
import type { RequestContext } from '../../core/context.ts';
import type {
  CreateAccountAliasRequest,
  DeleteAccountAliasRequest,
  GetAccountAuthorizationDetailsRequest,
  ListAccountAliasesRequest,
} from '../../generated/iam/types.ts';
import {
  KIND,
  Quotas,
  encodeDocument,
  inTransaction,
  listRecords,
  loadAccount,
  nameKey,
  noSuchEntity,
  nowIso,
  pageFields,
  paginate,
  quotaExceeded,
  saveAccount,
  toDate,
  type AccessKeyRecord,
  type InlinePolicies,
  type LoginProfileRecord,
  type MfaDeviceRecord,
  type UserRecord,
} from './common.ts';
import { AwsError } from '../../core/errors.ts';
import {
  allCustomerPolicies,
  allGroups,
  allInstanceProfiles,
  allRoles,
  allUsers,
  findPolicy,
  instanceProfileShape,
  roleShape,
  userShape,
  type ResolvedPolicy,
} from './lookup.ts';
import { policyShape, policyUsage, policyVersions } from './policies.ts';
import { AWS_MANAGED_POLICIES, awsManagedPolicyArn } from './managed-policies/index.ts';
import { getRecord } from './common.ts';

// ---------------------------------------------------------------------------------------------
// Aliases (one per account)

export async function createAccountAlias(ctx: RequestContext, input: CreateAccountAliasRequest) {
  await inTransaction(ctx, async (tx) => {
    const account = await loadAccount(tx, ctx.accountId);
    if (account.Aliases.includes(input.AccountAlias)) return;
    if (account.Aliases.length >= Quotas.aliasesPerAccount) throw quotaExceeded('AccountAliasesPerAccount', Quotas.aliasesPerAccount);
    account.Aliases.push(input.AccountAlias);
    await saveAccount(tx, ctx.accountId, account);
  });
  return {};
}

export async function deleteAccountAlias(ctx: RequestContext, input: DeleteAccountAliasRequest) {
  await inTransaction(ctx, async (tx) => {
    const account = await loadAccount(tx, ctx.accountId);
    if (!account.Aliases.includes(input.AccountAlias)) throw noSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
    account.Aliases = account.Aliases.filter((a) => a !== input.AccountAlias);
    await saveAccount(tx, ctx.accountId, account);
  });
  return {};
}

export async function listAccountAliases(ctx: RequestContext, input: ListAccountAliasesRequest) {
  const page = paginate((await loadAccount(ctx.store, ctx.accountId)).Aliases, input);
  return { AccountAliases: page.items, ...pageFields(page) };
}

// ---------------------------------------------------------------------------------------------
// GetAccountSummary: the real SummaryMap keys, with the default quotas of "IAM and AWS STS quotas"

export async function getAccountSummary(ctx: RequestContext) {
  const [users, groups, roles, profiles, policies, devices] = await Promise.all([
    allUsers(ctx.store, ctx.accountId),
    allGroups(ctx.store, ctx.accountId),
    allRoles(ctx.store, ctx.accountId),
    allInstanceProfiles(ctx.store, ctx.accountId),
    allCustomerPolicies(ctx.store, ctx.accountId),
    listRecords<MfaDeviceRecord>(ctx.store, KIND.mfaDevice, ctx.accountId),
  ]);
  const SummaryMap: Record<string, number> = {
    Users: users.length,
    UsersQuota: Quotas.users,
    Groups: groups.length,
    GroupsQuota: Quotas.groups,
    ServerCertificates: 0,
    ServerCertificatesQuota: 20,
    UserPolicySizeQuota: 2048,
    GroupPolicySizeQuota: 5120,
    GroupsPerUserQuota: Quotas.groupsPerUser,
    SigningCertificatesPerUserQuota: 2,
    AccessKeysPerUserQuota: Quotas.accessKeysPerUser,
    MFADevices: devices.length,
    MFADevicesInUse: devices.filter((d) => d.UserName !== undefined).length,
    AccountMFAEnabled: 0,
    AccountAccessKeysPresent: 0,
    AccountPasswordPresent: 0,
    AccountSigningCertificatesPresent: 0,
    AttachedPoliciesPerGroupQuota: Quotas.attachedPerEntity,
    AttachedPoliciesPerRoleQuota: Quotas.attachedPerEntity,
    AttachedPoliciesPerUserQuota: Quotas.attachedPerEntity,
    Policies: policies.length,
    PoliciesQuota: Quotas.policies,
    PolicySizeQuota: 6144,
    PolicyVersionsInUse: policies.reduce((n, p) => n + p.Versions.length, 0),
    PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: Quotas.versionsPerPolicy,
    GlobalEndpointTokenVersion: 1,
    Roles: roles.length,
    RolesQuota: Quotas.roles,
    RolePolicySizeQuota: 10240,
    InstanceProfiles: profiles.length,
    InstanceProfilesQuota: Quotas.instanceProfiles,
    Providers: 0,
    AssumeRolePolicySizeQuota: 2048,
  };
  return { SummaryMap };
}

// ---------------------------------------------------------------------------------------------
// GetAccountAuthorizationDetails (all entities in one page)

function inlineList(policies: InlinePolicies) {
  return Object.keys(policies)
    .sort()
    .map((name) => ({ PolicyName: name, PolicyDocument: encodeDocument(policies[name]!) }));
}

async function attachedList(ctx: RequestContext, arns: string[]) {
  const out = [];
  for (const arn of arns) {
    const found = await findPolicy(ctx.store, ctx.accountId, arn);
    if (found) out.push({ PolicyName: found.policy.PolicyName, PolicyArn: arn });
  }
  return out;
}

function boundaryOf(arn: string | undefined) {
  return arn === undefined ? {} : { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } };
}

export async function getAccountAuthorizationDetails(ctx: RequestContext, input: GetAccountAuthorizationDetailsRequest) {
  const filter = new Set(input.Filter && input.Filter.length > 0 ? input.Filter : ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
  const usage = await policyUsage(ctx.store, ctx.accountId);
  const out: Record<string, unknown> = {};

  if (filter.has('User')) {
    const list = [];
    for (const u of await allUsers(ctx.store, ctx.accountId)) {
      list.push({
        Path: u.Path,
        UserName: u.UserName,
        UserId: u.UserId,
        Arn: u.Arn,
        CreateDate: toDate(u.CreateDate),
        UserPolicyList: inlineList(u.InlinePolicies),
        GroupList: [...u.Groups],
        AttachedManagedPolicies: await attachedList(ctx, u.AttachedPolicies),
        ...boundaryOf(u.PermissionsBoundary),
        Tags: u.Tags,
      });
    }
    out.UserDetailList = list;
  }
  if (filter.has('Group')) {
    const list = [];
    for (const g of await allGroups(ctx.store, ctx.accountId)) {
      list.push({
        Path: g.Path,
        GroupName: g.GroupName,
        GroupId: g.GroupId,
        Arn: g.Arn,
        CreateDate: toDate(g.CreateDate),
        GroupPolicyList: inlineList(g.InlinePolicies),
        AttachedManagedPolicies: await attachedList(ctx, g.AttachedPolicies),
      });
    }
    out.GroupDetailList = list;
  }
  if (filter.has('Role')) {
    const list = [];
    const profiles = await allInstanceProfiles(ctx.store, ctx.accountId);
    for (const r of await allRoles(ctx.store, ctx.accountId)) {
      const mine = profiles.filter((p) => p.Roles.some((n) => nameKey(n) === nameKey(r.RoleName)));
      const shapedProfiles = [];
      for (const p of mine) shapedProfiles.push(await instanceProfileShape(ctx.store, ctx.accountId, p, false));
      const shaped = roleShape(r, true);
      list.push({
        Path: r.Path,
        RoleName: r.RoleName,
        RoleId: r.RoleId,
        Arn: r.Arn,
        CreateDate: toDate(r.CreateDate),
        AssumeRolePolicyDocument: shaped.AssumeRolePolicyDocument,
        InstanceProfileList: shapedProfiles,
        RolePolicyList: inlineList(r.InlinePolicies),
        AttachedManagedPolicies: await attachedList(ctx, r.AttachedPolicies),
        ...boundaryOf(r.PermissionsBoundary),
        Tags: r.Tags,
        RoleLastUsed: shaped.RoleLastUsed,
      });
    }
    out.RoleDetailList = list;
  }
  const policies: ResolvedPolicy[] = [];
  if (filter.has('LocalManagedPolicy')) for (const p of await allCustomerPolicies(ctx.store, ctx.accountId)) policies.push({ kind: 'customer', arn: p.Arn, policy: p });
  if (filter.has('AWSManagedPolicy')) {
    // Only the AWS managed policies the account uses, as IAM reports them.
    for (const p of AWS_MANAGED_POLICIES) {
      const arn = awsManagedPolicyArn(p);
      const u = usage.get(arn);
      if (u && u.users.length + u.groups.length + u.roles.length + u.boundaryUsers.length + u.boundaryRoles.length > 0) policies.push({ kind: 'aws', arn, policy: p });
    }
  }
  if (filter.has('LocalManagedPolicy') || filter.has('AWSManagedPolicy')) {
    out.Policies = policies.map((p) => {
      const { Tags: _tags, ...shape } = policyShape(p, usage.get(p.arn), true);
      return { ...shape, PolicyVersionList: policyVersions(p) };
    });
  }
  return { ...out, IsTruncated: false };
}

// ---------------------------------------------------------------------------------------------
// Credential reports (CSV, generated on request, valid four hours)

const REPORT_TTL_MS = 4 * 3600 * 1000;
const CSV_HEADER = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation',
  'mfa_active', 'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region',
  'access_key_1_last_used_service', 'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date',
  'access_key_2_last_used_region', 'access_key_2_last_used_service', 'cert_1_active', 'cert_1_last_rotated', 'cert_2_active',
  'cert_2_last_rotated',
];

function isoSeconds(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, '+00:00');
}

function keyColumns(key: AccessKeyRecord | undefined): string[] {
  if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    String(key.Status === 'Active'),
    isoSeconds(key.CreateDate),
    key.LastUsed ? isoSeconds(key.LastUsed.Date) : 'N/A',
    key.LastUsed?.Region ?? 'N/A',
    key.LastUsed?.ServiceName ?? 'N/A',
  ];
}

async function buildCredentialReport(ctx: RequestContext): Promise<string> {
  const keys = await listRecords<AccessKeyRecord>(ctx.store, KIND.accessKey, ctx.accountId);
  const devices = await listRecords<MfaDeviceRecord>(ctx.store, KIND.mfaDevice, ctx.accountId);
  const rows = [CSV_HEADER.join(',')];
  rows.push(
    [`<root_account>`, `arn:aws:iam::${ctx.accountId}:root`, 'N/A', 'not_supported', 'no_information', 'not_supported', 'not_supported', 'false',
      'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A'].join(','),
  );
  for (const u of await allUsers(ctx.store, ctx.accountId)) rows.push(await userRow(ctx, u, keys, devices));
  return rows.join('\n');
}

async function userRow(ctx: RequestContext, u: UserRecord, keys: AccessKeyRecord[], devices: MfaDeviceRecord[]): Promise<string> {
  const profile = await getRecord<LoginProfileRecord>(ctx.store, KIND.loginProfile, ctx.accountId, nameKey(u.UserName));
  const own = keys.filter((k) => nameKey(k.UserName) === nameKey(u.UserName)).sort((a, b) => a.CreateDate.localeCompare(b.CreateDate));
  const mfa = devices.some((d) => d.UserName !== undefined && nameKey(d.UserName) === nameKey(u.UserName));
  return [
    u.UserName,
    u.Arn,
    isoSeconds(u.CreateDate),
    String(profile !== undefined),
    profile ? (u.PasswordLastUsed ? isoSeconds(u.PasswordLastUsed) : 'no_information') : 'N/A',
    profile ? isoSeconds(profile.PasswordLastChanged) : 'N/A',
    'N/A',
    String(mfa),
    ...keyColumns(own[0]),
    ...keyColumns(own[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ].join(',');
}

/** STARTED when a new report had to be generated, COMPLETE while a fresh one exists. */
export async function generateCredentialReport(ctx: RequestContext) {
  const content = await buildCredentialReport(ctx);
  return inTransaction(ctx, async (tx) => {
    const account = await loadAccount(tx, ctx.accountId);
    const existing = account.CredentialReport;
    if (existing && ctx.clock.nowMs() - Date.parse(existing.GeneratedTime) < REPORT_TTL_MS) return { State: 'COMPLETE' };
    account.CredentialReport = { GeneratedTime: nowIso(ctx), Content: content };
    await saveAccount(tx, ctx.accountId, account);
    return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
  });
}

export async function getCredentialReport(ctx: RequestContext) {
  const report = (await loadAccount(ctx.store, ctx.accountId)).CredentialReport;
  if (!report) throw new AwsError('ReportNotPresent', 'Unable to find credential report.', { status: 410 });
  if (ctx.clock.nowMs() - Date.parse(report.GeneratedTime) >= REPORT_TTL_MS) {
    throw new AwsError('ReportExpired', 'The credential report has expired. To generate a new report, call GenerateCredentialReport.', { status: 410 });
  }
  return { Content: Buffer.from(report.Content, 'utf8'), ReportFormat: 'text/csv', GeneratedTime: toDate(report.GeneratedTime) };
}

