// Seed 004 ("employee directory on EC2"): the EC2 instance role with AmazonS3FullAccess and
// AmazonDynamoDBFullAccess and its instance profile, the EC2Admin user in EC2Admins with
// AmazonEC2FullAccess and a virtual MFA device, run with AWS CLI v2 (test/seeds/004/); then what the
// MFA device is for: `sts get-session-token` with a right and a wrong code, and `sts assume-role`
// allowed or refused by trust policies.
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
import { advanceBonsaiClock, bonsaiNowMs, stepAt, totpCode, wrongCode } from './totp.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const REGION = 'us-east-1';
const ROLE = 'S3DynamoDBFullAccessRole';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const MFA_ROLE = 'EC2AdminWithMFA';
const MFA_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${MFA_ROLE}`;
const EC2_ADMIN_ARN = `arn:aws:iam::${ACCOUNT}:user/EC2Admin`;
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/EC2Admin`;

const ROOT: SeedCredentials = { AccessKeyId: TEST_ACCOUNT.accessKeyId, SecretAccessKey: TEST_ACCOUNT.secretAccessKey };
const CLI_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;
const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed (.ci/run installs it)';

let bonsai: TestBonsai;
let ws: SeedWorkspace;
let ec2Admin: SeedCredentials;
let mfaSeed: string;
let mfaSession: SeedCredentials;

before(async () => {
  bonsai = await startTestBonsai();
  ws = createWorkspace(bonsai.endpoint);
});
after(async () => {
  if (ws) removeWorkspace(ws);
  await bonsai?.stop();
});

const adminToken = () => bonsai.dataDir.readAdminToken()!;

test('the TOTP helper gives RFC 6238 appendix B codes (SHA-1, truncated to 6 digits)', () => {
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // Base32 of the RFC's "12345678901234567890"
  assert.equal(totpCode(seed, stepAt(59_000)), '287082');
  assert.equal(totpCode(seed, stepAt(1_111_111_109_000)), '081804');
  assert.equal(totpCode(seed, stepAt(2_000_000_000_000)), '279037');
  const wrong = wrongCode(seed, 10);
  assert.match(wrong, /^\d{6}$/);
  for (const step of [8, 9, 10, 11, 12]) assert.notEqual(wrong, totpCode(seed, step));
});

test('root: the EC2 role trusted by ec2.amazonaws.com, its policies and instance profile', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '004/01-ec2-role.sh', [], ROOT, REGION);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  const role = savedOutput(ws, 'get-role').Role;
  assert.match(role.RoleId, /^AROA[A-Z0-9]{17}$/);
  assert.match(role.CreateDate, CLI_DATE);
  assert.deepEqual(role, {
    Path: '/',
    RoleName: ROLE,
    RoleId: role.RoleId,
    Arn: ROLE_ARN,
    CreateDate: role.CreateDate,
    AssumeRolePolicyDocument: JSON.parse(readFileSync(join(SEEDS_DIR, '004', 'ec2-trust-policy.json'), 'utf8')),
    Description: 'Allows EC2 instances to call AWS services on your behalf.',
    MaxSessionDuration: 3600,
    RoleLastUsed: {},
  });
  assert.deepEqual(savedOutput(ws, 'list-attached-role-policies'), {
    AttachedPolicies: [
      { PolicyName: 'AmazonS3FullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' },
      { PolicyName: 'AmazonDynamoDBFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess' },
    ],
  });
  const profile = savedOutput(ws, 'get-instance-profile').InstanceProfile;
  assert.match(profile.InstanceProfileId, /^AIPA[A-Z0-9]{17}$/);
  // Whether AWS repeats Description and MaxSessionDuration in an instance profile's role is not
  // something the documentation's examples settle: compare the members they all show.
  const { Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument } = profile.Roles[0];
  profile.Roles[0] = { Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument };
  assert.deepEqual(profile, {
    Path: '/',
    InstanceProfileName: ROLE,
    InstanceProfileId: profile.InstanceProfileId,
    Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${ROLE}`,
    CreateDate: profile.CreateDate,
    Roles: [
      {
        Path: '/',
        RoleName: ROLE,
        RoleId: role.RoleId,
        Arn: ROLE_ARN,
        CreateDate: role.CreateDate,
        AssumeRolePolicyDocument: role.AssumeRolePolicyDocument,
      },
    ],
  });
});

test('root: EC2Admin in EC2Admins with AmazonEC2FullAccess, console password and access key', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '004/02-ec2-admin-user.sh', ['EC2-Adm1n-Pa55word!'], ROOT, REGION);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  const user = savedOutput(ws, 'create-user-EC2Admin').User;
  assert.deepEqual(user, { Path: '/', UserName: 'EC2Admin', UserId: user.UserId, Arn: EC2_ADMIN_ARN, CreateDate: user.CreateDate });
  const login = savedOutput(ws, 'create-login-profile-EC2Admin');
  assert.deepEqual(login, { LoginProfile: { UserName: 'EC2Admin', CreateDate: login.LoginProfile.CreateDate, PasswordResetRequired: false } });
  const key = savedOutput(ws, 'create-access-key-EC2Admin').AccessKey;
  assert.match(key.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
  assert.match(key.SecretAccessKey, /^[A-Za-z0-9/+]{40}$/);
  assert.deepEqual(key, { UserName: 'EC2Admin', AccessKeyId: key.AccessKeyId, Status: 'Active', SecretAccessKey: key.SecretAccessKey, CreateDate: key.CreateDate });
  ec2Admin = credentialsOf({ AccessKey: key });

  const groups = savedOutput(ws, 'list-groups-for-user-EC2Admin');
  assert.deepEqual(groups, {
    Groups: [{ Path: '/', GroupName: 'EC2Admins', GroupId: groups.Groups[0].GroupId, Arn: `arn:aws:iam::${ACCOUNT}:group/EC2Admins`, CreateDate: groups.Groups[0].CreateDate }],
  });
  assert.deepEqual(savedOutput(ws, 'list-attached-group-policies-EC2Admins'), {
    AttachedPolicies: [{ PolicyName: 'AmazonEC2FullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }],
  });
});

test('root: a virtual MFA device for EC2Admin, enabled with two consecutive codes', { skip: missingCli }, async () => {
  const create = await runSeedScript(ws, '004/03-ec2-admin-virtual-mfa.sh', [], ROOT, REGION);
  assert.equal(create.stderr, '');
  assert.equal(create.code, 0);
  assert.deepEqual(savedOutput(ws, 'create-virtual-mfa-device-EC2Admin'), { VirtualMFADevice: { SerialNumber: SERIAL } });
  mfaSeed = savedText(ws, 'EC2Admin-mfa-seed.txt');
  assert.match(mfaSeed, /^[A-Z2-7]{64}$/);

  const step = stepAt(await bonsaiNowMs(bonsai.endpoint, adminToken()));
  const wrong = await runSeedScript(ws, 'common/enable-mfa-device.sh', ['EC2Admin', SERIAL, totpCode(mfaSeed, step), totpCode(mfaSeed, step - 1)], ROOT, REGION);
  assert.equal(wrong.code, 254);
  assert.equal(wrong.stderr, cliErrorLine('InvalidAuthenticationCode', 'EnableMFADevice', 'Authentication code for device is not valid.'));

  const enable = await runSeedScript(ws, 'common/enable-mfa-device.sh', ['EC2Admin', SERIAL, totpCode(mfaSeed, step - 1), totpCode(mfaSeed, step)], ROOT, REGION);
  assert.equal(enable.stderr, '');
  assert.equal(enable.code, 0);
  const devices = savedOutput(ws, 'list-mfa-devices-EC2Admin');
  assert.match(devices.MFADevices[0].EnableDate, CLI_DATE);
  assert.deepEqual(devices, { MFADevices: [{ UserName: 'EC2Admin', SerialNumber: SERIAL, EnableDate: devices.MFADevices[0].EnableDate }] });
});

test('EC2Admin: get-session-token refuses a wrong code and gives 12-hour MFA credentials for a right one', { skip: missingCli }, async () => {
  // The codes used to enable the device are spent: wait for the app's next code (on Bonsai's clock).
  await advanceBonsaiClock(bonsai.endpoint, adminToken(), '30s');
  const nowMs = await bonsaiNowMs(bonsai.endpoint, adminToken());
  const step = stepAt(nowMs);

  const wrong = await runSeedScript(ws, '004/04-get-session-token.sh', [SERIAL, wrongCode(mfaSeed, step)], ec2Admin, REGION);
  assert.equal(wrong.code, 254);
  assert.equal(wrong.stdout, '');
  assert.equal(wrong.stderr, cliErrorLine('AccessDenied', 'GetSessionToken', 'MultiFactorAuthentication failed with invalid MFA one time pass code. '));

  const right = await runSeedScript(ws, '004/04-get-session-token.sh', [SERIAL, totpCode(mfaSeed, step)], ec2Admin, REGION);
  assert.equal(right.stderr, '');
  assert.equal(right.code, 0);
  const { Credentials } = stdoutJson(right);
  assert.deepEqual(Object.keys(Credentials), ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
  assert.match(Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.match(Credentials.SecretAccessKey, /^[A-Za-z0-9/+]{40}$/);
  assert.match(Credentials.Expiration, CLI_DATE);
  // Default duration 43200 s, counted from Bonsai's (moved) clock.
  const lifetimeS = (Date.parse(Credentials.Expiration) - nowMs) / 1000;
  assert.ok(Math.abs(lifetimeS - 43_200) < 60, `expires in ${lifetimeS} s`);
  mfaSession = credentialsOf({ Credentials });

  const identity = await aws(ws, ['sts', 'get-caller-identity'], mfaSession, REGION);
  const user = savedOutput(ws, 'create-user-EC2Admin').User;
  assert.deepEqual(stdoutJson(identity), { UserId: user.UserId, Account: ACCOUNT, Arn: EC2_ADMIN_ARN });
});

test('assume-role: refused by the EC2 role trust policy; allowed by a trust policy naming EC2Admin with MFA', { skip: missingCli }, async () => {
  const template = join(SEEDS_DIR, '004', 'ec2admin-mfa-trust-policy.template.json');
  const created = await runSeedScript(ws, 'common/create-role.sh', [MFA_ROLE, template], ROOT, REGION);
  assert.equal(created.stderr, '');
  assert.equal(created.code, 0);

  const [ec2RoleAsUser, ec2RoleAsSession, ec2RoleAsRoot, mfaRoleWithoutMfa, mfaRoleWithMfa] = await Promise.all([
    runSeedScript(ws, 'common/assume-role.sh', [ROLE_ARN, 'ec2admin'], ec2Admin, REGION),
    runSeedScript(ws, 'common/assume-role.sh', [ROLE_ARN, 'ec2admin'], mfaSession, REGION),
    runSeedScript(ws, 'common/assume-role.sh', [ROLE_ARN, 'root'], ROOT, REGION),
    runSeedScript(ws, 'common/assume-role.sh', [MFA_ROLE_ARN, 'ec2admin'], ec2Admin, REGION),
    runSeedScript(ws, 'common/assume-role.sh', [MFA_ROLE_ARN, 'ec2admin'], mfaSession, REGION),
  ]);

  // Only the EC2 service may assume the instance role, whoever asks.
  const deniedEc2Role = `User: ${EC2_ADMIN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`;
  assert.equal(ec2RoleAsUser.code, 254);
  assert.equal(ec2RoleAsUser.stderr, cliErrorLine('AccessDenied', 'AssumeRole', deniedEc2Role));
  assert.equal(ec2RoleAsSession.code, 254);
  assert.equal(ec2RoleAsSession.stderr, cliErrorLine('AccessDenied', 'AssumeRole', deniedEc2Role));
  assert.equal(ec2RoleAsRoot.code, 254);
  assert.equal(ec2RoleAsRoot.stderr, cliErrorLine('AccessDenied', 'AssumeRole', 'Roles may not be assumed by root accounts.'));

  // The trust policy names EC2Admin itself (no identity policy needed) but only with MFA.
  assert.equal(mfaRoleWithoutMfa.code, 254);
  assert.equal(mfaRoleWithoutMfa.stderr, cliErrorLine('AccessDenied', 'AssumeRole', `User: ${EC2_ADMIN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${MFA_ROLE_ARN}`));
  assert.equal(mfaRoleWithMfa.stderr, '');
  assert.equal(mfaRoleWithMfa.code, 0);
  const session = stdoutJson(mfaRoleWithMfa);
  assert.match(session.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z0-9]{17}:ec2admin$/);
  assert.equal(session.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${MFA_ROLE}/ec2admin`);
  assert.match(session.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);

  const identity = await aws(ws, ['sts', 'get-caller-identity'], credentialsOf(session), REGION);
  assert.deepEqual(stdoutJson(identity), { UserId: session.AssumedRoleUser.AssumedRoleId, Account: ACCOUNT, Arn: session.AssumedRoleUser.Arn });
});
