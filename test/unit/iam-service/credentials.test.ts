import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { iamHandlers as h, iamCredentialResolver, verifyTotp } from '../../../src/services/iam/index.ts';
import { base32Decode, totpAt, totpStep } from '../../../src/services/iam/mfa.ts';
import { KIND, type LoginProfileRecord } from '../../../src/services/iam/common.ts';
import { AuthFailure } from '../../../src/auth/sigv4/types.ts';
import { ACCOUNT, ROOT, openTestEnv, rejectsWith, userPrincipal, type TestEnv } from './helpers.ts';

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
  await h.CreateUser({ UserName: 'EC2Admin' }, env.ctx());
});
after(() => env.close());

test('access keys: AKIA id, 40-char secret, two per user, Inactive keys fail SigV4 like unknown ones', async () => {
  const k1 = await h.CreateAccessKey({ UserName: 'EC2Admin' }, env.ctx());
  assert.match(k1.AccessKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.match(k1.AccessKey.SecretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  assert.equal(k1.AccessKey.Status, 'Active');
  await h.CreateAccessKey({ UserName: 'EC2Admin' }, env.ctx());
  await rejectsWith(h.CreateAccessKey({ UserName: 'EC2Admin' }, env.ctx()), 'LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2');

  const resolver = iamCredentialResolver(env.store, ACCOUNT, env.secrets);
  const resolved = await resolver.resolve(k1.AccessKey.AccessKeyId, undefined);
  assert.equal(resolved!.secretAccessKey, k1.AccessKey.SecretAccessKey);
  assert.deepEqual(resolved!.principal, {
    type: 'user',
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/EC2Admin`,
    userId: (await h.GetUser({ UserName: 'EC2Admin' }, env.ctx())).User!.UserId,
    name: 'EC2Admin',
    accessKeyId: k1.AccessKey.AccessKeyId,
  });
  assert.equal(await resolver.resolve('AKIAUNKNOWNKEY000000', undefined), undefined);

  await h.UpdateAccessKey({ UserName: 'EC2Admin', AccessKeyId: k1.AccessKey.AccessKeyId, Status: 'Inactive' }, env.ctx());
  await assert.rejects(resolver.resolve(k1.AccessKey.AccessKeyId, undefined), (err: unknown) => err instanceof AuthFailure && err.reason === 'unknown-key');
  const listed = await h.ListAccessKeys({ UserName: 'EC2Admin' }, env.ctx());
  assert.equal(listed.AccessKeyMetadata.find((k) => k.AccessKeyId === k1.AccessKey.AccessKeyId)!.Status, 'Inactive');
  assert.equal('SecretAccessKey' in listed.AccessKeyMetadata[0]!, false);
  const lastUsed = await h.GetAccessKeyLastUsed({ AccessKeyId: k1.AccessKey.AccessKeyId }, env.ctx());
  assert.deepEqual(lastUsed, { UserName: 'EC2Admin', AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
  await rejectsWith(h.DeleteAccessKey({ UserName: 'EC2Admin', AccessKeyId: 'AKIAUNKNOWNKEY000000' }, env.ctx()), 'NoSuchEntity', 404, 'The Access Key with id AKIAUNKNOWNKEY000000 cannot be found.');
});

test('login profiles: hashed password, default and custom password policies, ChangePassword', async () => {
  await rejectsWith(h.CreateLoginProfile({ UserName: 'EC2Admin', Password: 'short' }, env.ctx()), 'PasswordPolicyViolation', 400, 'Password does not conform to the account password policy.');
  const created = await h.CreateLoginProfile({ UserName: 'EC2Admin', Password: 'Initial-Pass1', PasswordResetRequired: true }, env.ctx());
  assert.equal(created.LoginProfile.UserName, 'EC2Admin');
  assert.equal(created.LoginProfile.PasswordResetRequired, true);
  const stored = await env.store.get<LoginProfileRecord>({ kind: KIND.loginProfile, account: ACCOUNT, region: '', id: 'ec2admin' });
  assert.equal(JSON.stringify(stored!.value).includes('Initial-Pass1'), false);
  await rejectsWith(h.CreateLoginProfile({ UserName: 'EC2Admin', Password: 'Initial-Pass1' }, env.ctx()), 'EntityAlreadyExists', 409, 'Login Profile for user EC2Admin already exists.');

  await rejectsWith(h.GetAccountPasswordPolicy({}, env.ctx()), 'NoSuchEntity', 404, `The Password Policy with domain name ${ACCOUNT} cannot be found.`);
  await h.UpdateAccountPasswordPolicy({ MinimumPasswordLength: 14, RequireSymbols: true, AllowUsersToChangePassword: true, MaxPasswordAge: 90 }, env.ctx());
  const policy = await h.GetAccountPasswordPolicy({}, env.ctx());
  assert.deepEqual(policy.PasswordPolicy, {
    MinimumPasswordLength: 14,
    RequireSymbols: true,
    RequireNumbers: false,
    RequireUppercaseCharacters: false,
    RequireLowercaseCharacters: false,
    AllowUsersToChangePassword: true,
    MaxPasswordAge: 90,
    ExpirePasswords: true,
  });

  const me = env.ctx(userPrincipal('EC2Admin'));
  await rejectsWith(h.ChangePassword({ OldPassword: 'Initial-Pass1', NewPassword: 'longbutnosymbol1' }, me), 'PasswordPolicyViolation', 400, 'Password does not conform to the account password policy.');
  await h.ChangePassword({ OldPassword: 'Initial-Pass1', NewPassword: 'a-much-longer-pass!' }, me);
  assert.equal((await h.GetLoginProfile({ UserName: 'EC2Admin' }, env.ctx())).LoginProfile.PasswordResetRequired, false);
  await rejectsWith(h.ChangePassword({ OldPassword: 'x', NewPassword: 'y' }, env.ctx(ROOT)), 'InvalidUserType', 400, 'Only IAM Users can change their own password.');
  await h.DeleteAccountPasswordPolicy({}, env.ctx());
  await rejectsWith(h.GetLoginProfile({ UserName: 'nobody' }, env.ctx()), 'NoSuchEntity', 404, 'The user with name nobody cannot be found.');
});

test('TOTP matches RFC 6238’s SHA-1 test vector', () => {
  // RFC 6238 appendix B: seed "12345678901234567890", T = 59 s → 94287082 (8 digits); 6 digits → 287082.
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(base32Decode(seed).toString('ascii'), '12345678901234567890');
  assert.equal(totpAt(seed, totpStep(59_000)), '287082');
  assert.equal(verifyTotp(seed, '287082', 59_000), true);
  assert.equal(verifyTotp(seed, '287082', 59_000 + 30_000), true); // one step of drift
  assert.equal(verifyTotp(seed, '287082', 59_000 + 90_000), false);
});

test('virtual MFA: create (seed + PNG), enable with two consecutive codes, list, deactivate, delete', async () => {
  const created = await h.CreateVirtualMFADevice({ VirtualMFADeviceName: 'EC2Admin' }, env.ctx());
  const device = created.VirtualMFADevice;
  assert.equal(device.SerialNumber, `arn:aws:iam::${ACCOUNT}:mfa/EC2Admin`);
  const seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
  assert.match(seed, /^[A-Z2-7]{64}$/);
  assert.deepEqual([...Buffer.from(device.QRCodePNG!).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await rejectsWith(h.CreateVirtualMFADevice({ VirtualMFADeviceName: 'ec2admin' }, env.ctx()), 'EntityAlreadyExists', 409, 'MFADevice entity at the same path and name already exists.');

  const step = totpStep(env.clock.nowMs());
  await rejectsWith(
    h.EnableMFADevice({ UserName: 'EC2Admin', SerialNumber: device.SerialNumber, AuthenticationCode1: totpAt(seed, step), AuthenticationCode2: totpAt(seed, step - 1) }, env.ctx()),
    'InvalidAuthenticationCode',
    403,
    'Authentication code for device is not valid.',
  );
  await h.EnableMFADevice({ UserName: 'EC2Admin', SerialNumber: device.SerialNumber, AuthenticationCode1: totpAt(seed, step - 1), AuthenticationCode2: totpAt(seed, step) }, env.ctx());
  const mine = await h.ListMFADevices({ UserName: 'EC2Admin' }, env.ctx());
  assert.deepEqual(mine.MFADevices.map((d) => [d.UserName, d.SerialNumber]), [['EC2Admin', device.SerialNumber]]);
  const assigned = await h.ListVirtualMFADevices({ AssignmentStatus: 'Assigned' }, env.ctx());
  assert.equal(assigned.VirtualMFADevices.length, 1);
  assert.equal(assigned.VirtualMFADevices[0]!.User!.UserName, 'EC2Admin');
  assert.equal((await h.ListVirtualMFADevices({ AssignmentStatus: 'Unassigned' }, env.ctx())).VirtualMFADevices.length, 0);

  await rejectsWith(h.DeleteLoginProfile({ UserName: 'EC2Admin' }, env.ctx()).then(() => h.DeleteUser({ UserName: 'EC2Admin' }, env.ctx())), 'DeleteConflict', 409, 'Cannot delete entity, must delete access keys first.');
  await rejectsWith(h.DeleteVirtualMFADevice({ SerialNumber: device.SerialNumber }, env.ctx()), 'DeleteConflict', 409, 'MFA device is still in use.');
  await h.DeactivateMFADevice({ UserName: 'EC2Admin', SerialNumber: device.SerialNumber }, env.ctx());
  await h.DeleteVirtualMFADevice({ SerialNumber: device.SerialNumber }, env.ctx());
  assert.equal((await h.ListVirtualMFADevices({}, env.ctx())).VirtualMFADevices.length, 0);
});

test('account: alias (one per account), summary, authorization details, credential report', async () => {
  await h.CreateAccountAlias({ AccountAlias: 'bonsai-test' }, env.ctx());
  await rejectsWith(h.CreateAccountAlias({ AccountAlias: 'another' }, env.ctx()), 'LimitExceeded', 409, 'Cannot exceed quota for AccountAliasesPerAccount: 1');
  assert.deepEqual((await h.ListAccountAliases({}, env.ctx())).AccountAliases, ['bonsai-test']);

  const summary = (await h.GetAccountSummary({}, env.ctx())).SummaryMap!;
  assert.equal(summary.Users, 1);
  assert.equal(summary.UsersQuota, 5000);
  assert.equal(summary.AccessKeysPerUserQuota, 2);
  assert.equal(summary.VersionsPerPolicyQuota, 5);

  await h.CreateRole({ RoleName: 'r', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' }, env.ctx());
  await h.AttachRolePolicy({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }, env.ctx());
  const details = await h.GetAccountAuthorizationDetails({ Filter: ['Role', 'AWSManagedPolicy'] }, env.ctx());
  assert.equal(details.UserDetailList, undefined);
  assert.deepEqual(details.RoleDetailList!.map((r) => r.RoleName), ['r']);
  assert.deepEqual(details.Policies!.map((p) => [p.PolicyName, p.AttachmentCount, p.PolicyVersionList!.length]), [['AmazonEC2FullAccess', 1, 1]]);

  await rejectsWith(h.GetCredentialReport({}, env.ctx()), 'ReportNotPresent', 410, 'Unable to find credential report.');
  assert.equal((await h.GenerateCredentialReport({}, env.ctx())).State, 'STARTED');
  assert.equal((await h.GenerateCredentialReport({}, env.ctx())).State, 'COMPLETE');
  const report = await h.GetCredentialReport({}, env.ctx());
  const lines = Buffer.from(report.Content!).toString('utf8').split('\n');
  assert.equal(lines[0]!.split(',').length, 22);
  assert.ok(lines[1]!.startsWith(`<root_account>,arn:aws:iam::${ACCOUNT}:root,`));
  assert.ok(lines[2]!.startsWith(`EC2Admin,arn:aws:iam::${ACCOUNT}:user/EC2Admin,`));
  assert.equal(report.ReportFormat, 'text/csv');
});
