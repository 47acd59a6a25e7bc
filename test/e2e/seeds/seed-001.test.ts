// Seed 001 ("a secure account baseline"): the admin and engineer groups with the seed's own
// region-conditioned policies, run as the seed's author would with AWS CLI v2 (test/seeds/001/),
// then the checks the seed asks for: what admin_<name> and engineer_<name> may and may not do.
// The author exported AWS_REGION=ap-southeast-2, so every procedure runs signed for Sydney: IAM is
// global and its calls count as us-east-1 for aws:RequestedRegion whatever the client signs with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2 } from '../../helpers/clients.ts';
import {
  SEEDS_DIR,
  aws,
  cliErrorLine,
  createWorkspace,
  removeWorkspace,
  credentialsOf,
  runSeedScript,
  savedOutput,
  savedText,
  stdoutJson,
  type SeedCredentials,
  type SeedWorkspace,
} from './seed-runner.ts';
import { bonsaiNowMs, stepAt, totpCode } from './totp.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const SYDNEY = 'ap-southeast-2';
const NAME = 'erika'; // the seed's buckets are erika-landing-zone and erika-analysis
const ADMIN = `admin_${NAME}`;
const ENGINEER = `engineer_${NAME}`;
const ADMIN_PASSWORD = 'Adm1n-Erika-2024!';
const ENGINEER_PASSWORD = 'Eng1neer-Erika-2024!';
const ENGINEER_NEW_PASSWORD = 'N3w-Eng1neer-Erika-2024!';
const OPERATOR_ROLE = 'seed001-operator';

const ROOT: SeedCredentials = { AccessKeyId: TEST_ACCOUNT.accessKeyId, SecretAccessKey: TEST_ACCOUNT.secretAccessKey };
const USER_ID = /^AIDA[A-Z0-9]{17}$/;
const POLICY_ID = /^ANPA[A-Z0-9]{17}$/;
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
const CLI_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;

const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed (.ci/run installs it)';

let bonsai: TestBonsai;
let ws: SeedWorkspace;
let admin: SeedCredentials;
let engineer: SeedCredentials;

before(async () => {
  bonsai = await startTestBonsai();
  ws = createWorkspace(bonsai.endpoint);
});
after(async () => {
  if (ws) removeWorkspace(ws);
  await bonsai?.stop();
});

function policyFile(name: string): unknown {
  return JSON.parse(readFileSync(join(SEEDS_DIR, '001', name), 'utf8'));
}

test('root: the admin group, the admin_access policy and admin_<name> with a console password', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '001/01-admin-group.sh', [NAME, ADMIN_PASSWORD], ROOT, SYDNEY);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  const group = savedOutput(ws, 'create-group-admin');
  assert.match(group.Group.GroupId, /^AGPA[A-Z0-9]{17}$/);
  assert.match(group.Group.CreateDate, CLI_DATE);
  assert.deepEqual(group, {
    Group: { Path: '/', GroupName: 'admin', GroupId: group.Group.GroupId, Arn: `arn:aws:iam::${ACCOUNT}:group/admin`, CreateDate: group.Group.CreateDate },
  });

  const policy = savedOutput(ws, 'create-policy-admin_access');
  assert.match(policy.Policy.PolicyId, POLICY_ID);
  assert.match(policy.Policy.CreateDate, CLI_DATE);
  assert.deepEqual(policy, {
    Policy: {
      PolicyName: 'admin_access',
      PolicyId: policy.Policy.PolicyId,
      Arn: `arn:aws:iam::${ACCOUNT}:policy/admin_access`,
      Path: '/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: policy.Policy.CreateDate,
      UpdateDate: policy.Policy.CreateDate,
    },
  });

  const user = savedOutput(ws, 'create-user-admin');
  assert.match(user.User.UserId, USER_ID);
  assert.match(user.User.CreateDate, CLI_DATE);
  assert.deepEqual(user, { User: { Path: '/', UserName: ADMIN, UserId: user.User.UserId, Arn: `arn:aws:iam::${ACCOUNT}:user/${ADMIN}`, CreateDate: user.User.CreateDate } });

  const login = savedOutput(ws, 'create-login-profile-admin');
  assert.match(login.LoginProfile.CreateDate, CLI_DATE);
  assert.deepEqual(login, { LoginProfile: { UserName: ADMIN, CreateDate: login.LoginProfile.CreateDate, PasswordResetRequired: false } });

  const key = savedOutput(ws, 'create-access-key-admin');
  assert.match(key.AccessKey.AccessKeyId, ACCESS_KEY_ID);
  assert.equal(key.AccessKey.UserName, ADMIN);
  assert.equal(key.AccessKey.Status, 'Active');
  admin = credentialsOf(key);

  // What the IAM console then shows: the group's member and policy, the policy's JSON as typed.
  const [members, attached, version] = await Promise.all([
    aws(ws, ['iam', 'get-group', '--group-name', 'admin', '--query', 'Users[].UserName'], ROOT, SYDNEY),
    aws(ws, ['iam', 'list-attached-group-policies', '--group-name', 'admin'], ROOT, SYDNEY),
    aws(ws, ['iam', 'get-policy-version', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/admin_access`, '--version-id', 'v1', '--query', 'PolicyVersion.Document'], ROOT, SYDNEY),
  ]);
  assert.deepEqual(stdoutJson(members), [ADMIN]);
  assert.deepEqual(stdoutJson(attached), { AttachedPolicies: [{ PolicyName: 'admin_access', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/admin_access` }] });
  assert.deepEqual(stdoutJson(version), policyFile('admin_access.json'));
});

test('admin_<name>: the engineer_access policy as the seed prints it is not valid JSON', { skip: missingCli }, async () => {
  // The seed's policy has a trailing comma after "s3:GetEncryptionConfiguration"; IAM refuses it.
  const published = join(SEEDS_DIR, '001', 'engineer_access.as-published.json');
  const out = await aws(ws, ['iam', 'create-policy', '--policy-name', 'engineer_access', '--policy-document', `file://${published}`], admin, SYDNEY);
  assert.equal(out.code, 254);
  assert.equal(out.stderr, cliErrorLine('MalformedPolicyDocument', 'CreatePolicy', 'Syntax errors in policy.'));
});

test('admin_<name> (signed for ap-southeast-2): the engineer group, engineer_access and engineer_<name>', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '001/02-engineer-group.sh', [NAME, ENGINEER_PASSWORD], admin, SYDNEY);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  const policy = savedOutput(ws, 'create-policy-engineer_access');
  assert.equal(policy.Policy.Arn, `arn:aws:iam::${ACCOUNT}:policy/engineer_access`);
  assert.equal(policy.Policy.DefaultVersionId, 'v1');
  const user = savedOutput(ws, 'create-user-engineer');
  assert.match(user.User.UserId, USER_ID);
  assert.deepEqual(user, { User: { Path: '/', UserName: ENGINEER, UserId: user.User.UserId, Arn: `arn:aws:iam::${ACCOUNT}:user/${ENGINEER}`, CreateDate: user.User.CreateDate } });
  const login = savedOutput(ws, 'create-login-profile-engineer');
  assert.deepEqual(login, { LoginProfile: { UserName: ENGINEER, CreateDate: login.LoginProfile.CreateDate, PasswordResetRequired: false } });
  engineer = credentialsOf(savedOutput(ws, 'create-access-key-engineer'));

  const [groups, version] = await Promise.all([
    aws(ws, ['iam', 'list-groups-for-user', '--user-name', ENGINEER, '--query', 'Groups[].GroupName'], admin, SYDNEY),
    aws(ws, ['iam', 'get-policy-version', '--policy-arn', `arn:aws:iam::${ACCOUNT}:policy/engineer_access`, '--version-id', 'v1', '--query', 'PolicyVersion.Document'], admin, SYDNEY),
  ]);
  assert.deepEqual(stdoutJson(groups), ['engineer']);
  assert.deepEqual(stdoutJson(version), policyFile('engineer_access.json'));
});

test('admin_<name>: IAM from any region (it counts as us-east-1); AssumeRole only in ap-southeast-2', { skip: missingCli }, async () => {
  const role = await runSeedScript(ws, 'common/create-role.sh', [OPERATOR_ROLE, join(SEEDS_DIR, 'common', 'account-trust-policy.template.json')], ROOT, SYDNEY);
  assert.equal(role.stderr, '');
  assert.equal(role.code, 0);
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${OPERATOR_ROLE}`;
  assert.equal(savedOutput(ws, `create-role-${OPERATOR_ROLE}`).Role.Arn, roleArn);

  const [iamIreland, assumeIreland, assumeVirginia, assumeSydney, ec2Ireland] = await Promise.all([
    aws(ws, ['iam', 'list-users', '--query', 'Users[].UserName'], admin, 'eu-west-1'),
    aws(ws, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', ADMIN], admin, 'eu-west-1'),
    aws(ws, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', ADMIN], admin, 'us-east-1'),
    aws(ws, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', ADMIN], admin, SYDNEY),
    aws(ws, ['ec2', 'describe-instances'], admin, 'eu-west-1'),
  ]);
  assert.deepEqual(stdoutJson(iamIreland), [ADMIN, ENGINEER]);

  // STS names no policy type in AssumeRole denials (as AWS's messages quoted in issue threads show).
  const denied = `User: arn:aws:iam::${ACCOUNT}:user/${ADMIN} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
  assert.equal(assumeIreland.code, 254);
  assert.equal(assumeIreland.stderr, cliErrorLine('AccessDenied', 'AssumeRole', denied));
  // us-east-1 only opens the console's services (iam:*, cloudshell:*, aws-portal:View*).
  assert.equal(assumeVirginia.code, 254);
  assert.equal(assumeVirginia.stderr, cliErrorLine('AccessDenied', 'AssumeRole', denied));

  const session = stdoutJson(assumeSydney);
  assert.match(session.AssumedRoleUser.AssumedRoleId, new RegExp(`^AROA[A-Z0-9]{17}:${ADMIN}$`));
  assert.equal(session.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${OPERATOR_ROLE}/${ADMIN}`);
  assert.match(session.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  const identity = await aws(ws, ['sts', 'get-caller-identity'], credentialsOf(session), SYDNEY);
  assert.deepEqual(stdoutJson(identity), { UserId: session.AssumedRoleUser.AssumedRoleId, Account: ACCOUNT, Arn: session.AssumedRoleUser.Arn });

  // "can only launch an EC2 instance from ap-southeast-2"
  assert.equal(ec2Ireland.code, 254);
  assert.equal(
    ec2Ireland.stderr,
    cliErrorLine(
      'UnauthorizedOperation',
      'DescribeInstances',
      `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/${ADMIN} is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action`,
    ),
  );
});

test('engineer_<name>: reads their user, changes their password, creates their MFA device and enables it', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '001/03-engineer-security-credentials.sh', [NAME, ENGINEER_PASSWORD, ENGINEER_NEW_PASSWORD], engineer, SYDNEY);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  const me = savedOutput(ws, 'get-user-engineer');
  assert.equal(me.User.UserName, ENGINEER);
  assert.equal(me.User.Arn, `arn:aws:iam::${ACCOUNT}:user/${ENGINEER}`);
  const keys = savedOutput(ws, 'list-access-keys-engineer');
  assert.deepEqual(keys, {
    AccessKeyMetadata: [{ UserName: ENGINEER, AccessKeyId: engineer.AccessKeyId, Status: 'Active', CreateDate: keys.AccessKeyMetadata[0].CreateDate }],
  });
  const serial = `arn:aws:iam::${ACCOUNT}:mfa/${ENGINEER}`;
  assert.deepEqual(savedOutput(ws, 'create-virtual-mfa-device-engineer'), { VirtualMFADevice: { SerialNumber: serial } });
  const seed = savedText(ws, `${ENGINEER}-mfa-seed.txt`);
  assert.match(seed, /^[A-Z2-7]{64}$/);

  // The app's previous and current codes, on Bonsai's clock.
  const step = stepAt(await bonsaiNowMs(bonsai.endpoint, bonsai.dataDir.readAdminToken()!));
  const enable = await runSeedScript(ws, 'common/enable-mfa-device.sh', [ENGINEER, serial, totpCode(seed, step - 1), totpCode(seed, step)], engineer, SYDNEY);
  assert.equal(enable.stderr, '');
  assert.equal(enable.code, 0);
  const devices = savedOutput(ws, `list-mfa-devices-${ENGINEER}`);
  assert.match(devices.MFADevices[0].EnableDate, CLI_DATE);
  assert.deepEqual(devices, { MFADevices: [{ UserName: ENGINEER, SerialNumber: serial, EnableDate: devices.MFADevices[0].EnableDate }] });
});

test('engineer_<name>: nothing on other users: their keys, their password, their MFA device, the user list', { skip: missingCli }, async () => {
  const adminKeyId = admin.AccessKeyId;
  const [createKey, deleteKey, password, mfa, listUsers] = await Promise.all([
    aws(ws, ['iam', 'create-access-key', '--user-name', ADMIN], engineer, SYDNEY),
    aws(ws, ['iam', 'delete-access-key', '--user-name', ADMIN, '--access-key-id', adminKeyId], engineer, SYDNEY),
    // ChangePassword only ever acts on the caller; another user's password is UpdateLoginProfile.
    aws(ws, ['iam', 'update-login-profile', '--user-name', ADMIN, '--password', 'Hijack3d-Pa55word!'], engineer, SYDNEY),
    aws(ws, ['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', ADMIN, '--outfile', join(ws.outDir, 'stolen.png'), '--bootstrap-method', 'QRCodePNG'], engineer, SYDNEY),
    aws(ws, ['iam', 'list-users'], engineer, SYDNEY),
  ]);
  const who = `User: arn:aws:iam::${ACCOUNT}:user/${ENGINEER} is not authorized to perform:`;
  const expectations: Array<[typeof createKey, string, string]> = [
    [createKey, 'CreateAccessKey', `${who} iam:CreateAccessKey on resource: user ${ADMIN} because no identity-based policy allows the iam:CreateAccessKey action`],
    [deleteKey, 'DeleteAccessKey', `${who} iam:DeleteAccessKey on resource: user ${ADMIN} because no identity-based policy allows the iam:DeleteAccessKey action`],
    [password, 'UpdateLoginProfile', `${who} iam:UpdateLoginProfile on resource: user ${ADMIN} because no identity-based policy allows the iam:UpdateLoginProfile action`],
    [mfa, 'CreateVirtualMFADevice', `${who} iam:CreateVirtualMFADevice on resource: arn:aws:iam::${ACCOUNT}:mfa/${ADMIN} because no identity-based policy allows the iam:CreateVirtualMFADevice action`],
    [listUsers, 'ListUsers', `${who} iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`],
  ];
  for (const [out, operation, message] of expectations) {
    assert.equal(out.code, 254, operation);
    assert.equal(out.stderr, cliErrorLine('AccessDenied', operation, message));
  }
  assert.equal(existsSync(join(ws.outDir, 'stolen.png')), false);
});
