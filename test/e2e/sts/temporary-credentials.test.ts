// STS temporary credentials end to end with the AWS SDK for JavaScript v3: AssumeRole decided by
// trust policies, ExternalId, session policies, role chaining, GetSessionToken with MFA codes the
// test computes, MFA-conditioned policies, GetFederationToken, expiry on Bonsai's clock, and the
// restrictions AWS puts on each kind of session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  ListRolesCommand,
  ListUsersCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
} from '@aws-sdk/client-iam';
import {
  STSClient,
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  GetFederationTokenCommand,
  GetAccessKeyInfoCommand,
  DecodeAuthorizationMessageCommand,
} from '@aws-sdk/client-sts';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { totpAt, totpStep } from '../../../src/services/iam/mfa.ts';
import { encodeAuthorizationMessage } from '../../../src/iam/authz/encoded-message.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const ROOT_KEYS = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let bonsai: TestBonsai;
let rootIam: IAMClient;
before(async () => {
  bonsai = await startTestBonsai();
  rootIam = iamAs(ROOT_KEYS);
});
after(() => bonsai.stop());

function iamAs(credentials: Keys): IAMClient {
  return new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials });
}

function stsAs(credentials: Keys): STSClient {
  return new STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials });
}

function keysOf(out: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } }): Keys {
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

async function newUser(name: string): Promise<Keys> {
  await rootIam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await rootIam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

function trust(principal: Record<string, string>, condition?: Record<string, unknown>): string {
  const statement: Record<string, unknown> = { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' };
  if (condition) statement.Condition = condition;
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

function allow(actions: string[], condition?: Record<string, unknown>): string {
  const statement: Record<string, unknown> = { Effect: 'Allow', Action: actions, Resource: '*' };
  if (condition) statement.Condition = condition;
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

test('AssumeRole: allowed by a trust policy naming the user, denied to others with AWS\'s message', async () => {
  const alice = await newUser('assume-alice');
  const bob = await newUser('assume-bob');
  const created = await rootIam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust({ AWS: userArn('assume-alice') }) }));
  const roleId = created.Role!.RoleId!;

  const before = bonsai.clock.nowMs();
  const out = await stsAs(alice).send(new AssumeRoleCommand({ RoleArn: roleArn('reader'), RoleSessionName: 'alice-session' }));
  assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/alice-session`);
  assert.equal(out.AssumedRoleUser?.AssumedRoleId, `${roleId}:alice-session`);
  assert.match(out.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(out.Credentials!.SecretAccessKey!.length, 40);
  const lifetime = out.Credentials!.Expiration!.getTime() - before;
  assert.ok(lifetime > 3598_000 && lifetime <= 3600_000, `lifetime ${lifetime}`);
  assert.equal(out.PackedPolicySize, undefined);

  const me = await stsAs(keysOf(out)).send(new GetCallerIdentityCommand({}));
  assert.deepEqual({ UserId: me.UserId, Account: me.Account, Arn: me.Arn }, {
    UserId: `${roleId}:alice-session`,
    Account: ACCOUNT,
    Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/reader/alice-session`,
  });

  assert.deepEqual(await failure(stsAs(bob).send(new AssumeRoleCommand({ RoleArn: roleArn('reader'), RoleSessionName: 'bob' }))), {
    name: 'AccessDenied',
    message: `User: ${userArn('assume-bob')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('reader')}`,
    status: 403,
  });
  // A role that does not exist is denied the same way: AWS does not reveal which roles exist.
  assert.deepEqual(await failure(stsAs(alice).send(new AssumeRoleCommand({ RoleArn: roleArn('no-such-role'), RoleSessionName: 'x1' }))), {
    name: 'AccessDenied',
    message: `User: ${userArn('assume-alice')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('no-such-role')}`,
    status: 403,
  });
  assert.deepEqual(await failure(stsAs(ROOT_KEYS).send(new AssumeRoleCommand({ RoleArn: roleArn('reader'), RoleSessionName: 'root' }))), {
    name: 'AccessDenied',
    message: 'Roles may not be assumed by root accounts.',
    status: 403,
  });
});

test('AssumeRole: an sts:ExternalId condition in the trust policy', async () => {
  const carol = await newUser('ext-carol');
  await rootIam.send(
    new CreateRoleCommand({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: trust({ AWS: userArn('ext-carol') }, { StringEquals: { 'sts:ExternalId': 'unicorn-42' } }),
    }),
  );
  const sts = stsAs(carol);
  const denied = `User: ${userArn('ext-carol')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('vendor')}`;
  assert.equal((await failure(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 's1' })))).message, denied);
  assert.equal((await failure(sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 's1', ExternalId: 'wrong-id' })))).message, denied);
  const ok = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('vendor'), RoleSessionName: 's1', ExternalId: 'unicorn-42' }));
  assert.equal(ok.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/vendor/s1`);
});

test('AssumeRole: a session policy narrows what the role allows', async () => {
  const dave = await newUser('policy-dave');
  await rootIam.send(new CreateRoleCommand({ RoleName: 'iam-reader', AssumeRolePolicyDocument: trust({ AWS: userArn('policy-dave') }) }));
  await rootIam.send(new PutRolePolicyCommand({ RoleName: 'iam-reader', PolicyName: 'read', PolicyDocument: allow(['iam:ListUsers', 'iam:ListRoles']) }));

  const out = await stsAs(dave).send(
    new AssumeRoleCommand({ RoleArn: roleArn('iam-reader'), RoleSessionName: 'narrow', Policy: allow(['iam:ListRoles']) }),
  );
  assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! < 100, `PackedPolicySize ${out.PackedPolicySize}`);
  const session = iamAs(keysOf(out));
  const roles = await session.send(new ListRolesCommand({}));
  assert.ok(roles.Roles?.some((r) => r.RoleName === 'iam-reader'));
  assert.deepEqual(await failure(session.send(new ListUsersCommand({}))), {
    name: 'AccessDenied',
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/iam-reader/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no session policy allows the iam:ListUsers action`,
    status: 403,
  });
  // Without a session policy the same role session may list users.
  const full = await stsAs(dave).send(new AssumeRoleCommand({ RoleArn: roleArn('iam-reader'), RoleSessionName: 'full' }));
  assert.ok((await iamAs(keysOf(full)).send(new ListUsersCommand({}))).Users?.some((u) => u.UserName === 'policy-dave'));

  assert.deepEqual(await failure(stsAs(dave).send(new AssumeRoleCommand({ RoleArn: roleArn('iam-reader'), RoleSessionName: 'bad', Policy: '{"Statement":' }))), {
    name: 'MalformedPolicyDocumentException',
    message: 'Syntax errors in policy.',
    status: 400,
  });
});

test('AssumeRole: the role maximum and the one-hour limit of role chaining', async () => {
  const erin = await newUser('chain-erin');
  await rootIam.send(new CreateRoleCommand({ RoleName: 'first', AssumeRolePolicyDocument: trust({ AWS: userArn('chain-erin') }), MaxSessionDuration: 43200 }));
  await rootIam.send(new CreateRoleCommand({ RoleName: 'second', AssumeRolePolicyDocument: trust({ AWS: roleArn('first') }), MaxSessionDuration: 43200 }));
  await rootIam.send(new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: trust({ AWS: userArn('chain-erin') }) }));

  assert.deepEqual(await failure(stsAs(erin).send(new AssumeRoleCommand({ RoleArn: roleArn('short'), RoleSessionName: 'too-long', DurationSeconds: 7200 }))), {
    name: 'ValidationError',
    message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    status: 400,
  });
  const first = await stsAs(erin).send(new AssumeRoleCommand({ RoleArn: roleArn('first'), RoleSessionName: 'hop1', DurationSeconds: 43200 }));
  const hop = stsAs(keysOf(first));
  assert.deepEqual(await failure(hop.send(new AssumeRoleCommand({ RoleArn: roleArn('second'), RoleSessionName: 'hop2', DurationSeconds: 7200 }))), {
    name: 'ValidationError',
    message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    status: 400,
  });
  const second = await hop.send(new AssumeRoleCommand({ RoleArn: roleArn('second'), RoleSessionName: 'hop2', DurationSeconds: 3600 }));
  assert.equal(second.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/second/hop2`);
  // Role sessions cannot call GetSessionToken.
  assert.deepEqual(await failure(hop.send(new GetSessionTokenCommand({}))), {
    name: 'AccessDenied',
    message: 'Cannot call GetSessionToken with session credentials',
    status: 403,
  });
});

/** Creates a virtual MFA device, enables it for the user with two consecutive codes, returns serial and seed. */
async function enableMfa(userName: string): Promise<{ serial: string; seed: string }> {
  const created = await rootIam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${userName}-phone` }));
  const seed = Buffer.from(created.VirtualMFADevice!.Base32StringSeed!).toString('ascii');
  const serial = created.VirtualMFADevice!.SerialNumber!;
  const step = totpStep(bonsai.clock.nowMs());
  await rootIam.send(
    new EnableMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: totpAt(seed, step - 1), AuthenticationCode2: totpAt(seed, step) }),
  );
  return { serial, seed };
}

/** A six-digit code that is not the device's for the current step or its neighbours. */
function wrongCode(seed: string): string {
  const step = totpStep(bonsai.clock.nowMs());
  const valid = new Set([step - 1, step, step + 1].map((s) => totpAt(seed, s)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

test('GetSessionToken: right and wrong MFA codes, and an MFA-conditioned policy', async () => {
  const frank = await newUser('mfa-frank');
  const { serial, seed } = await enableMfa('mfa-frank');
  await rootIam.send(
    new PutUserPolicyCommand({
      UserName: 'mfa-frank',
      PolicyName: 'mfa-only',
      PolicyDocument: allow(['iam:ListRoles'], { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
    }),
  );
  const sts = stsAs(frank);

  assert.deepEqual(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: wrongCode(seed) }))), {
    name: 'AccessDenied',
    message: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
    status: 403,
  });
  assert.deepEqual(await failure(sts.send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/nobody`, TokenCode: '123456' }))), {
    name: 'AccessDenied',
    message: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
    status: 403,
  });

  // Long-term keys carry no MFA: the condition does not hold.
  assert.deepEqual(await failure(iamAs(frank).send(new ListRolesCommand({}))), {
    name: 'AccessDenied',
    message: `User: ${userArn('mfa-frank')} is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action`,
    status: 403,
  });

  const withMfa = await sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totpAt(seed, totpStep(bonsai.clock.nowMs())), DurationSeconds: 900 }));
  const mfaSession = keysOf(withMfa);
  const me = await stsAs(mfaSession).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, userArn('mfa-frank'));
  assert.match(me.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
  assert.ok((await iamAs(mfaSession).send(new ListRolesCommand({}))).Roles !== undefined);

  // A session without MFA may not call IAM at all, nor STS beyond AssumeRole and GetCallerIdentity.
  const plain = keysOf(await sts.send(new GetSessionTokenCommand({})));
  assert.deepEqual(await failure(iamAs(plain).send(new ListRolesCommand({}))), {
    name: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
    status: 403,
  });
  assert.deepEqual(await failure(stsAs(plain).send(new GetAccessKeyInfoCommand({ AccessKeyId: frank.accessKeyId }))), {
    name: 'AccessDenied',
    message: 'Cannot call GetAccessKeyInfo with session credentials',
    status: 403,
  });
});

test('GetFederationToken: the federated user, its session policy scope and its restrictions', async () => {
  const gina = await newUser('fed-gina');
  // GetFederationToken needs permission; without it AWS's usual identity-policy denial.
  assert.deepEqual(await failure(stsAs(gina).send(new GetFederationTokenCommand({ Name: 'partner' }))), {
    name: 'AccessDenied',
    message: `User: ${userArn('fed-gina')} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${ACCOUNT}:federated-user/partner because no identity-based policy allows the sts:GetFederationToken action`,
    status: 403,
  });
  await rootIam.send(new PutUserPolicyCommand({ UserName: 'fed-gina', PolicyName: 'federate', PolicyDocument: allow(['sts:GetFederationToken', 's3:*']) }));
  const out = await stsAs(gina).send(new GetFederationTokenCommand({ Name: 'partner', Policy: allow(['s3:GetObject']), DurationSeconds: 900 }));
  assert.deepEqual(out.FederatedUser, { FederatedUserId: `${ACCOUNT}:partner`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner` });
  assert.ok(out.PackedPolicySize! > 0);
  const federated = keysOf(out);
  const me = await stsAs(federated).send(new GetCallerIdentityCommand({}));
  assert.deepEqual({ UserId: me.UserId, Arn: me.Arn }, { UserId: `${ACCOUNT}:partner`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner` });
  assert.deepEqual(await failure(iamAs(federated).send(new ListRolesCommand({}))), {
    name: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
    status: 403,
  });
  assert.deepEqual(await failure(stsAs(federated).send(new GetFederationTokenCommand({ Name: 'again' }))), {
    name: 'AccessDenied',
    message: 'Cannot call GetFederationToken with session credentials',
    status: 403,
  });
  // The root user may federate too; its sessions last at most an hour.
  const rootFed = await stsAs(ROOT_KEYS).send(new GetFederationTokenCommand({ Name: 'rootfed', DurationSeconds: 7200 }));
  const lifetime = rootFed.Credentials!.Expiration!.getTime() - bonsai.clock.nowMs();
  assert.ok(lifetime <= 3600_000 && lifetime > 3590_000, `lifetime ${lifetime}`);
});

test('an expired session is refused with ExpiredToken', async () => {
  const hank = await newUser('expiry-hank');
  await rootIam.send(new CreateRoleCommand({ RoleName: 'brief', AssumeRolePolicyDocument: trust({ AWS: userArn('expiry-hank') }) }));
  const out = await stsAs(hank).send(new AssumeRoleCommand({ RoleArn: roleArn('brief'), RoleSessionName: 'short', DurationSeconds: 900 }));
  const session = stsAs(keysOf(out));
  assert.equal((await session.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/brief/short`);
  bonsai.clock.advance(901_000);
  assert.deepEqual(await failure(session.send(new GetCallerIdentityCommand({}))), {
    name: 'ExpiredToken',
    message: 'The security token included in the request is expired',
    status: 403,
  });
  // The key with another token is not "expired" but invalid.
  const wrongToken = stsAs({ ...keysOf(out), sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE' });
  assert.deepEqual(await failure(wrongToken.send(new GetCallerIdentityCommand({}))), {
    name: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
    status: 403,
  });
});

test('GetAccessKeyInfo and DecodeAuthorizationMessage', async () => {
  const sts = stsAs(ROOT_KEYS);
  assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: TEST_ACCOUNT.accessKeyId }))).Account, ACCOUNT);
  const details = { allowed: false, explicitDeny: false, context: { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/*' } };
  const decoded = await sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encodeAuthorizationMessage(details, ACCOUNT) }));
  assert.deepEqual(JSON.parse(decoded.DecodedMessage!), details);
  assert.deepEqual(await failure(sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'bm90LWEtbWVzc2FnZQ==' }))), {
    name: 'InvalidAuthorizationMessageException',
    message: 'The message is not valid.',
    status: 400,
  });
  // Users need sts:DecodeAuthorizationMessage.
  const ivan = await newUser('decode-ivan');
  assert.deepEqual(await failure(stsAs(ivan).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'bm90LWEtbWVzc2FnZQ==' }))), {
    name: 'AccessDenied',
    message: `User: ${userArn('decode-ivan')} is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
    status: 403,
  });
});
