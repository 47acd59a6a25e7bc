// The IAM procedures of seeds 001 and 004 through the real AWS SDK for JavaScript v3. These need
// the `iam` provider listed in src/services/registry.ts (SERVICES).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  IAMClient,
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  GetGroupCommand,
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPoliciesCommand,
  PutGroupPolicyCommand,
  GetGroupPolicyCommand,
  CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { totpAt, totpStep } from '../../../src/services/iam/mfa.ts';

let bonsai: TestBonsai;
let iam: IAMClient;
before(async () => {
  bonsai = await startTestBonsai();
  iam = new IAMClient({
    endpoint: bonsai.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
  });
});
after(() => bonsai.stop());

const ACCOUNT = TEST_ACCOUNT.accountId;

// Seed 001: the admin_access policy, verbatim from the seed.
const ADMIN_ACCESS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AccessAustralianResourcesOnly', Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'ap-southeast-2' } } },
    {
      Sid: 'UseConsole',
      Effect: 'Allow',
      Action: ['iam:*', 'cloudshell:*', 'aws-portal:ViewUsage', 'aws-portal:ViewBilling', 'aws-portal:ViewAccount'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    },
  ],
});

test('seed 001: admin group with a managed policy, admin_<name> user with a console password', async () => {
  await iam.send(new CreateGroupCommand({ GroupName: 'admin' }));
  const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'admin_access', PolicyDocument: ADMIN_ACCESS }));
  assert.equal(policy.Policy!.Arn, `arn:aws:iam::${ACCOUNT}:policy/admin_access`);
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'admin', PolicyArn: policy.Policy!.Arn }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: 'admin', PolicyName: 'inline_console', PolicyDocument: ADMIN_ACCESS }));
  const inline = await iam.send(new GetGroupPolicyCommand({ GroupName: 'admin', PolicyName: 'inline_console' }));
  assert.equal(decodeURIComponent(inline.PolicyDocument!), ADMIN_ACCESS);

  const user = await iam.send(new CreateUserCommand({ UserName: 'admin_erika' }));
  assert.equal(user.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/admin_erika`);
  assert.match(user.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
  assert.ok(user.User!.CreateDate instanceof Date);
  const profile = await iam.send(new CreateLoginProfileCommand({ UserName: 'admin_erika', Password: 'Corr3ct-Horse-Battery' }));
  assert.equal(profile.LoginProfile!.UserName, 'admin_erika');
  await iam.send(new AddUserToGroupCommand({ GroupName: 'admin', UserName: 'admin_erika' }));

  const group = await iam.send(new GetGroupCommand({ GroupName: 'admin' }));
  assert.deepEqual(group.Users!.map((u) => u.UserName), ['admin_erika']);
  const got = await iam.send(new GetLoginProfileCommand({ UserName: 'admin_erika' }));
  assert.equal(got.LoginProfile!.PasswordResetRequired, false);

  await iam.send(new CreateGroupCommand({ GroupName: 'engineer' }));
  await iam.send(new CreateUserCommand({ UserName: 'engineer_erika' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'engineer', UserName: 'engineer_erika' }));
  const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'engineer_erika' }));
  assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['engineer']);

  assert.deepEqual(await failure(iam.send(new DeleteUserCommand({ UserName: 'admin_erika' }))), {
    name: 'DeleteConflictException',
    message: 'Cannot delete entity, must delete login profile first.',
    status: 409,
  });
  assert.deepEqual(await failure(iam.send(new CreateUserCommand({ UserName: 'Admin_Erika' }))), {
    name: 'EntityAlreadyExistsException',
    message: 'User with name Admin_Erika already exists.',
    status: 409,
  });
});

// Seed 004: the role trusted by EC2, verbatim.
const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Principal: { Service: ['ec2.amazonaws.com'] } }],
});

test('seed 004: EC2 role with S3 and DynamoDB full access, in an instance profile', async () => {
  const role = await iam.send(new CreateRoleCommand({ RoleName: 'EmployeeDirectoryAppRole', AssumeRolePolicyDocument: TRUST_EC2, Description: 'employee directory' }));
  assert.equal(role.Role!.Arn, `arn:aws:iam::${ACCOUNT}:role/EmployeeDirectoryAppRole`);
  assert.equal(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!), TRUST_EC2);
  for (const name of ['AmazonS3FullAccess', 'AmazonDynamoDBFullAccess']) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'EmployeeDirectoryAppRole', PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
  }
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'EmployeeDirectoryAppRole' }));
  assert.deepEqual(attached.AttachedPolicies!.map((p) => p.PolicyName), ['AmazonS3FullAccess', 'AmazonDynamoDBFullAccess']);

  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'EmployeeDirectoryAppRole' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'EmployeeDirectoryAppRole', RoleName: 'EmployeeDirectoryAppRole' }));
  const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'EmployeeDirectoryAppRole' }));
  assert.deepEqual(profile.InstanceProfile!.Roles!.map((r) => r.RoleName), ['EmployeeDirectoryAppRole']);

  await iam.send(new CreateRoleCommand({ RoleName: 'Second', AssumeRolePolicyDocument: TRUST_EC2 }));
  assert.deepEqual(await failure(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'EmployeeDirectoryAppRole', RoleName: 'Second' }))), {
    name: 'LimitExceededException',
    message: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
    status: 409,
  });
  const got = await iam.send(new GetRoleCommand({ RoleName: 'EmployeeDirectoryAppRole' }));
  assert.equal(got.Role!.MaxSessionDuration, 3600);

  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess', VersionId: 'v2' }));
  assert.deepEqual(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement[0].Action, ['s3:*', 's3-object-lambda:*']);
  const listed = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
  assert.deepEqual(listed.Policies!.map((p) => [p.PolicyName, p.AttachmentCount]), [['AmazonDynamoDBFullAccess', 1], ['AmazonS3FullAccess', 1]]);
});

test('seed 004: EC2Admin in EC2Admins with AmazonEC2FullAccess and a virtual MFA device enabled', async () => {
  await iam.send(new CreateGroupCommand({ GroupName: 'EC2Admins' }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'EC2Admins', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }));
  await iam.send(new CreateUserCommand({ UserName: 'EC2Admin' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'EC2Admins', UserName: 'EC2Admin' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'EC2Admin', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'EC2Admin', Password: 'Ec2-Admin-Passw0rd' }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'EC2Admin' }));
  assert.match(key.AccessKey!.AccessKeyId!, /^AKIA/);
  const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'EC2Admin' }));
  assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AmazonEC2FullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }]);

  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'EC2Admin' }));
  const serial = device.VirtualMFADevice!.SerialNumber!;
  assert.equal(serial, `arn:aws:iam::${ACCOUNT}:mfa/EC2Admin`);
  const seed = Buffer.from(device.VirtualMFADevice!.Base32StringSeed!).toString('ascii');
  assert.match(seed, /^[A-Z2-7]+$/);
  assert.equal(Buffer.from(device.VirtualMFADevice!.QRCodePNG!).subarray(1, 4).toString('ascii'), 'PNG');

  const step = totpStep(Date.now());
  assert.deepEqual(
    await failure(iam.send(new EnableMFADeviceCommand({ UserName: 'EC2Admin', SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' }))),
    { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.', status: 403 },
  );
  await iam.send(new EnableMFADeviceCommand({ UserName: 'EC2Admin', SerialNumber: serial, AuthenticationCode1: totpAt(seed, step - 1), AuthenticationCode2: totpAt(seed, step) }));
  const devices = await iam.send(new ListMFADevicesCommand({ UserName: 'EC2Admin' }));
  assert.deepEqual(devices.MFADevices!.map((d) => d.SerialNumber), [serial]);

  const user = await iam.send(new GetUserCommand({ UserName: 'EC2Admin' }));
  assert.equal(user.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/EC2Admin`);
  assert.deepEqual(await failure(iam.send(new GetUserCommand({ UserName: 'Nobody' }))), {
    name: 'NoSuchEntityException',
    message: 'The user with name Nobody cannot be found.',
    status: 404,
  });
});
