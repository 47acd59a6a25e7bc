// EC2 instances end to end with @aws-sdk/client-ec2 and the AWS CLI v2: seed 004's launch (Amazon
// Linux 2 on t2.micro in the default VPC with user data and the employee directory's instance
// profile), seed 003's lifecycle (stop, start with a new public address and the same private one,
// reboot, termination with and without protection) on Bonsai's clock, `aws ec2 wait
// instance-running`, key pairs, and an IAM user without iam:PassRole refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { AWS_CLI_V2, runCli } from '../../helpers/clients.ts';
import { splitEncoded } from './encoded-denial.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const ROOT = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };
const ROLE = 'S3DynamoDBFullAccessRole';
const TRUST_EC2 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
// Seed 004's user data (the employee directory application), as the console sends it.
const USER_DATA = `#!/bin/bash -ex
wget https://aws-tc-largeobjects.s3-us-west-2.amazonaws.com/DEV-AWS-MO-GCNv2/FlaskApp.zip
unzip FlaskApp.zip
cd FlaskApp/
yum -y install python3 mysql
pip3 install -r requirements.txt
amazon-linux-extras install epel
yum -y install stress
export PHOTOS_BUCKET=\${SUB_PHOTOS_BUCKET}
export AWS_DEFAULT_REGION=us-east-1
export DYNAMO_MODE=on
FLASK_APP=application.py /usr/local/bin/flask run --host=0.0.0.0 --port=80
`;
const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(region = 'us-east-1', credentials = ROOT) {
  return new EC2.EC2Client({ endpoint: bonsai.endpoint, region, maxAttempts: 1, credentials });
}
function iam(credentials = ROOT) {
  return new IAM.IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials });
}
/** Moves Bonsai's clock, as the admin endpoint does. */
function advance(ms: number) {
  bonsai.clock.advance(ms);
}

async function amazonLinux2(client: EC2.EC2Client, arch = 'x86_64'): Promise<string> {
  const { Images } = await client.send(
    new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [`amzn2-ami-hvm-*-${arch}-gp2`] }] }),
  );
  assert.equal(Images!.length, 1);
  return Images![0]!.ImageId!;
}

async function describeOne(client: EC2.EC2Client, instanceId: string): Promise<EC2.Instance> {
  const { Reservations } = await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  assert.equal(Reservations!.length, 1);
  return Reservations![0]!.Instances![0]!;
}

async function defaultSubnet(client: EC2.EC2Client, zone: string): Promise<EC2.Subnet> {
  const { Subnets } = await client.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }, { Name: 'availability-zone', Values: [zone] }] }));
  return Subnets![0]!;
}

let profileArn = '';
let seedInstanceId = '';

test('seed 004: the instance role and profile, then Amazon Linux 2 on t2.micro in the default VPC with user data', async () => {
  const admin = iam();
  await admin.send(new IAM.CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: TRUST_EC2 }));
  for (const policy of ['AmazonS3FullAccess', 'AmazonDynamoDBFullAccess']) {
    await admin.send(new IAM.AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: `arn:aws:iam::aws:policy/${policy}` }));
  }
  const { InstanceProfile } = await admin.send(new IAM.CreateInstanceProfileCommand({ InstanceProfileName: ROLE }));
  await admin.send(new IAM.AddRoleToInstanceProfileCommand({ InstanceProfileName: ROLE, RoleName: ROLE }));
  profileArn = InstanceProfile!.Arn!;
  assert.equal(profileArn, `arn:aws:iam::${ACCOUNT}:instance-profile/${ROLE}`);

  const client = ec2();
  const imageId = await amazonLinux2(client);
  const before = await defaultSubnet(client, 'us-east-1a');
  assert.equal(before.AvailableIpAddressCount, 4091);

  const launched = await client.send(
    new EC2.RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't2.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(USER_DATA).toString('base64'),
      IamInstanceProfile: { Name: ROLE },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'employee-directory-app' }] }],
    }),
  );
  assert.match(launched.ReservationId!, /^r-[0-9a-f]{17}$/);
  assert.equal(launched.OwnerId, ACCOUNT);
  const instance = launched.Instances![0]!;
  seedInstanceId = instance.InstanceId!;
  assert.match(seedInstanceId, /^i-[0-9a-f]{17}$/);
  assert.deepEqual(instance.State, { Code: 0, Name: 'pending' });

  advance(2_000);
  const running = await describeOne(client, seedInstanceId);
  assert.deepEqual(running.State, { Code: 16, Name: 'running' });
  assert.equal(running.ImageId, imageId);
  assert.equal(running.InstanceType, 't2.micro');
  assert.equal(running.Architecture, 'x86_64');
  assert.equal(running.SubnetId, before.SubnetId);
  assert.equal(running.VpcId, before.VpcId);
  assert.equal(running.PrivateIpAddress, '172.31.0.4');
  assert.equal(running.PrivateDnsName, 'ip-172-31-0-4.ec2.internal');
  assert.match(running.PublicIpAddress!, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(running.PublicDnsName, `ec2-${running.PublicIpAddress!.replaceAll('.', '-')}.compute-1.amazonaws.com`);
  assert.deepEqual(running.Placement, { AvailabilityZoneId: 'use1-az1', GroupName: '', Tenancy: 'default', AvailabilityZone: 'us-east-1a' });
  assert.deepEqual(running.Monitoring, { State: 'disabled' });
  assert.equal(running.RootDeviceName, '/dev/xvda');
  assert.equal(running.RootDeviceType, 'ebs');
  assert.deepEqual(running.IamInstanceProfile!.Arn, profileArn);
  assert.match(running.IamInstanceProfile!.Id!, /^AIPA[A-Z0-9]{17}$/);
  assert.deepEqual(running.Tags, [{ Key: 'Name', Value: 'employee-directory-app' }]);
  assert.deepEqual(running.SecurityGroups!.map((g) => g.GroupName), ['default']);
  assert.equal(running.StateTransitionReason, '');
  assert.ok(running.LaunchTime instanceof Date);

  const nic = running.NetworkInterfaces![0]!;
  assert.match(nic.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);
  assert.equal(nic.PrivateIpAddress, '172.31.0.4');
  assert.deepEqual(nic.Association, { IpOwnerId: 'amazon', PublicDnsName: running.PublicDnsName, PublicIp: running.PublicIpAddress });
  assert.match(nic.MacAddress!, /^02(:[0-9a-f]{2}){5}$/);

  // The root volume comes from the AMI's mapping: 8 GiB gp2, deleted on termination.
  assert.equal(running.BlockDeviceMappings!.length, 1);
  const root = running.BlockDeviceMappings![0]!;
  assert.equal(root.DeviceName, '/dev/xvda');
  assert.equal(root.Ebs!.DeleteOnTermination, true);
  const { Volumes } = await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [root.Ebs!.VolumeId!] }));
  assert.deepEqual(
    Volumes!.map((v) => [v.Size, v.VolumeType, v.Iops, v.State, v.AvailabilityZone, v.Attachments![0]!.InstanceId, v.Attachments![0]!.State]),
    [[8, 'gp2', 100, 'in-use', 'us-east-1a', seedInstanceId, 'attached']],
  );

  const userData = await client.send(new EC2.DescribeInstanceAttributeCommand({ InstanceId: seedInstanceId, Attribute: 'userData' }));
  assert.equal(Buffer.from(userData.UserData!.Value!, 'base64').toString(), USER_DATA);
  assert.equal((await defaultSubnet(client, 'us-east-1a')).AvailableIpAddressCount, 4090);

  const { IamInstanceProfileAssociations } = await client.send(new EC2.DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [seedInstanceId] }] }));
  assert.equal(IamInstanceProfileAssociations!.length, 1);
  assert.equal(IamInstanceProfileAssociations![0]!.State, 'associated');
  assert.equal(IamInstanceProfileAssociations![0]!.IamInstanceProfile!.Arn, profileArn);

  const filtered = await client.send(new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['employee-*'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
  assert.deepEqual(filtered.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId)), [seedInstanceId]);
});

test('RunInstances refuses what AWS refuses: an arm64 AMI on t2.micro, unknown AMIs, key pairs and instance profiles, bad user data', async () => {
  const client = ec2();
  const arm = await amazonLinux2(client, 'arm64').catch(async () => {
    const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'architecture', Values: ['arm64'] }] }));
    return Images![0]!.ImageId!;
  });
  const x86 = await amazonLinux2(client);
  const run = (extra: Partial<EC2.RunInstancesCommandInput>) => failure(client.send(new EC2.RunInstancesCommand({ ImageId: x86, InstanceType: 't2.micro', MinCount: 1, MaxCount: 1, ...extra })));
  assert.deepEqual(await run({ ImageId: arm }), {
    name: 'InvalidParameterValue',
    status: 400,
    message:
      "The architecture 'x86_64,i386' of the specified instance type does not match the architecture 'arm64' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.",
  });
  assert.deepEqual(await run({ ImageId: 'ami-0123456789abcdef0' }), { name: 'InvalidAMIID.NotFound', status: 400, message: "The image id '[ami-0123456789abcdef0]' does not exist" });
  assert.deepEqual(await run({ KeyName: 'missing-key' }), { name: 'InvalidKeyPair.NotFound', status: 400, message: "The key pair 'missing-key' does not exist" });
  assert.deepEqual(await run({ IamInstanceProfile: { Name: 'no-such-profile' } }), {
    name: 'InvalidParameterValue',
    status: 400,
    message: 'Value (no-such-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name',
  });
  assert.deepEqual(await run({ UserData: Buffer.alloc(16 * 1024 + 1, 'a').toString('base64') }), { name: 'InvalidParameterValue', status: 400, message: 'User data is limited to 16384 bytes' });
  assert.deepEqual(await run({ InstanceType: 'x9.huge' as EC2._InstanceType }), { name: 'InvalidParameterValue', status: 400, message: "Invalid value 'x9.huge' for InstanceType." });
  assert.deepEqual(await run({ MinCount: 21, MaxCount: 21 }), {
    name: 'InstanceLimitExceeded',
    status: 400,
    message:
      'You have requested more instances (22) than your current instance limit of 20 allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.',
  });
});

test('seed 003: stop, start with a new public address and the same private one, reboot, protected and unprotected termination', async () => {
  const client = ec2();
  const first = await describeOne(client, seedInstanceId);
  const { PrivateIpAddress: privateIp, PublicIpAddress: publicIp } = first;

  // Instance type changes need a stopped instance.
  const early = await failure(client.send(new EC2.ModifyInstanceAttributeCommand({ InstanceId: seedInstanceId, InstanceType: { Value: 't2.small' } })));
  assert.deepEqual(early, { name: 'IncorrectInstanceState', status: 400, message: `The instance '${seedInstanceId}' is not in the 'stopped' state.` });

  const stopping = await client.send(new EC2.StopInstancesCommand({ InstanceIds: [seedInstanceId] }));
  assert.deepEqual(stopping.StoppingInstances, [{ InstanceId: seedInstanceId, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } }]);
  advance(3_000);
  const stopped = await describeOne(client, seedInstanceId);
  assert.deepEqual(stopped.State, { Code: 80, Name: 'stopped' });
  assert.equal(stopped.PublicIpAddress, undefined);
  assert.equal(stopped.PublicDnsName, '');
  assert.equal(stopped.PrivateIpAddress, privateIp);
  assert.deepEqual(stopped.StateReason, { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
  assert.match(stopped.StateTransitionReason!, /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);

  await client.send(new EC2.ModifyInstanceAttributeCommand({ InstanceId: seedInstanceId, InstanceType: { Value: 't2.small' } }));
  const type = await client.send(new EC2.DescribeInstanceAttributeCommand({ InstanceId: seedInstanceId, Attribute: 'instanceType' }));
  assert.equal(type.InstanceType!.Value, 't2.small');

  const starting = await client.send(new EC2.StartInstancesCommand({ InstanceIds: [seedInstanceId] }));
  assert.deepEqual(starting.StartingInstances, [{ InstanceId: seedInstanceId, CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } }]);
  advance(2_000);
  const restarted = await describeOne(client, seedInstanceId);
  assert.deepEqual(restarted.State, { Code: 16, Name: 'running' });
  assert.equal(restarted.PrivateIpAddress, privateIp);
  assert.match(restarted.PublicIpAddress!, /^\d+\.\d+\.\d+\.\d+$/);
  assert.notEqual(restarted.PublicIpAddress, publicIp);
  assert.equal(restarted.StateReason, undefined);
  assert.ok(restarted.LaunchTime!.getTime() > first.LaunchTime!.getTime());

  await client.send(new EC2.RebootInstancesCommand({ InstanceIds: [seedInstanceId] }));
  const rebooted = await describeOne(client, seedInstanceId);
  assert.equal(rebooted.State!.Name, 'running');
  assert.equal(rebooted.PublicIpAddress, restarted.PublicIpAddress);

  // Termination protection.
  await client.send(new EC2.ModifyInstanceAttributeCommand({ InstanceId: seedInstanceId, DisableApiTermination: { Value: true } }));
  const protectedAttr = await client.send(new EC2.DescribeInstanceAttributeCommand({ InstanceId: seedInstanceId, Attribute: 'disableApiTermination' }));
  assert.equal(protectedAttr.DisableApiTermination!.Value, true);
  const refused = await failure(client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [seedInstanceId] })));
  assert.deepEqual(refused, {
    name: 'OperationNotPermitted',
    status: 400,
    message: `The instance '${seedInstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
  });
  await client.send(new EC2.ModifyInstanceAttributeCommand({ InstanceId: seedInstanceId, Attribute: 'disableApiTermination', Value: 'false' }));

  const rootVolume = restarted.BlockDeviceMappings![0]!.Ebs!.VolumeId!;
  const terminating = await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [seedInstanceId] }));
  assert.deepEqual(terminating.TerminatingInstances, [{ InstanceId: seedInstanceId, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } }]);
  advance(3_000);
  const terminated = await describeOne(client, seedInstanceId);
  assert.deepEqual(terminated.State, { Code: 48, Name: 'terminated' });
  assert.equal(terminated.PrivateIpAddress, undefined);
  assert.equal(terminated.PrivateDnsName, '');
  assert.deepEqual(terminated.NetworkInterfaces, []);
  assert.deepEqual(terminated.BlockDeviceMappings, []);
  assert.equal((await defaultSubnet(client, 'us-east-1a')).AvailableIpAddressCount, 4091);
  const goneVolume = await failure(client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [rootVolume] })));
  assert.deepEqual(goneVolume, { name: 'InvalidVolume.NotFound', status: 400, message: `The volume '${rootVolume}' does not exist.` });
  const again = await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [seedInstanceId] }));
  assert.deepEqual(again.TerminatingInstances![0]!.PreviousState, { Code: 48, Name: 'terminated' });
  const restart = await failure(client.send(new EC2.StartInstancesCommand({ InstanceIds: [seedInstanceId] })));
  assert.deepEqual(restart, { name: 'IncorrectInstanceState', status: 400, message: `The instance '${seedInstanceId}' is not in a state from which it can be started.` });

  // Terminated instances stay visible for an hour, then vanish.
  advance(60 * 60 * 1000);
  const vanished = await failure(client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [seedInstanceId] })));
  assert.deepEqual(vanished, { name: 'InvalidInstanceID.NotFound', status: 400, message: `The instance ID '${seedInstanceId}' does not exist` });
});

test('key pairs: RSA and ED25519 private keys with AWS fingerprints, import, duplicates, launch with a key', async () => {
  const client = ec2();
  const rsa = await client.send(new EC2.CreateKeyPairCommand({ KeyName: 'seed-rsa' }));
  assert.match(rsa.KeyMaterial!, /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
  const pkcs8 = createPrivateKey(rsa.KeyMaterial!).export({ format: 'der', type: 'pkcs8' });
  assert.equal(rsa.KeyFingerprint, createHash('sha1').update(pkcs8).digest('hex').match(/../g)!.join(':'));
  assert.match(rsa.KeyPairId!, /^key-[0-9a-f]{17}$/);

  const ed = await client.send(new EC2.CreateKeyPairCommand({ KeyName: 'seed-ed', KeyType: 'ed25519' }));
  assert.match(ed.KeyMaterial!, /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----$/);
  assert.match(ed.KeyFingerprint!, /^[A-Za-z0-9+/]{43}=$/);

  const duplicate = await failure(client.send(new EC2.CreateKeyPairCommand({ KeyName: 'seed-rsa' })));
  assert.deepEqual(duplicate, { name: 'InvalidKeyPair.Duplicate', status: 400, message: "The keypair 'seed-rsa' already exists." });

  const { KeyPairs } = await client.send(new EC2.DescribeKeyPairsCommand({ KeyNames: ['seed-ed', 'seed-rsa'], IncludePublicKey: true }));
  assert.deepEqual(KeyPairs!.map((k) => [k.KeyName, k.KeyType, k.KeyFingerprint]), [
    ['seed-ed', 'ed25519', ed.KeyFingerprint],
    ['seed-rsa', 'rsa', rsa.KeyFingerprint],
  ]);
  assert.match(KeyPairs![1]!.PublicKey!, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ seed-rsa$/);

  // The public half re-imported under another name: RSA imports are fingerprinted with MD5 of the DER public key.
  const publicKey = KeyPairs![1]!.PublicKey!;
  const imported = await client.send(new EC2.ImportKeyPairCommand({ KeyName: 'seed-imported', PublicKeyMaterial: Buffer.from(publicKey) }));
  const spkiDer = createPublicKey(rsa.KeyMaterial!).export({ format: 'der', type: 'spki' });
  assert.equal(imported.KeyFingerprint, createHash('md5').update(spkiDer).digest('hex').match(/../g)!.join(':'));
  const badImport = await failure(client.send(new EC2.ImportKeyPairCommand({ KeyName: 'junk', PublicKeyMaterial: Buffer.from('not a key') })));
  assert.deepEqual(badImport, { name: 'InvalidKey.Format', status: 400, message: 'Key is not in valid OpenSSH public key format' });

  const launched = await client.send(new EC2.RunInstancesCommand({ ImageId: await amazonLinux2(client), InstanceType: 't3.micro', KeyName: 'seed-rsa', MinCount: 2, MaxCount: 2 }));
  assert.deepEqual(launched.Instances!.map((i) => [i.KeyName, i.AmiLaunchIndex]), [['seed-rsa', 0], ['seed-rsa', 1]]);
  const byKey = await client.send(new EC2.DescribeInstancesCommand({ Filters: [{ Name: 'key-name', Values: ['seed-rsa'] }] }));
  assert.deepEqual(byKey.Reservations!.map((r) => r.Instances!.length), [2]);
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: launched.Instances!.map((i) => i.InstanceId!) }));

  await client.send(new EC2.DeleteKeyPairCommand({ KeyName: 'seed-imported' }));
  const missing = await failure(client.send(new EC2.DescribeKeyPairsCommand({ KeyNames: ['seed-imported'] })));
  assert.deepEqual(missing, { name: 'InvalidKeyPair.NotFound', status: 400, message: "The key pair 'seed-imported' does not exist" });
});

test('an IAM user with AmazonEC2FullAccess but without iam:PassRole cannot launch with the instance profile', async () => {
  const admin = iam();
  await admin.send(new IAM.CreateUserCommand({ UserName: 'ec2-only' }));
  await admin.send(new IAM.AttachUserPolicyCommand({ UserName: 'ec2-only', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2FullAccess' }));
  const { AccessKey } = await admin.send(new IAM.CreateAccessKeyCommand({ UserName: 'ec2-only' }));
  const client = ec2('us-east-1', { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  const imageId = await amazonLinux2(client);
  const refused = splitEncoded(await failure(client.send(new EC2.RunInstancesCommand({ ImageId: imageId, InstanceType: 't2.micro', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Arn: profileArn } })))).error;
  assert.deepEqual(refused, {
    name: 'UnauthorizedOperation',
    status: 403,
    message: `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/ec2-only is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/${ROLE} because no identity-based policy allows the iam:PassRole action`,
  });
  // Without the profile the same user may launch.
  const launched = await client.send(new EC2.RunInstancesCommand({ ImageId: imageId, InstanceType: 't2.micro', MinCount: 1, MaxCount: 1 }));
  const instanceId = launched.Instances![0]!.InstanceId!;

  // Granting iam:PassRole for EC2 lets the user associate the profile afterwards.
  await admin.send(
    new IAM.PutUserPolicyCommand({
      UserName: 'ec2-only',
      PolicyName: 'pass-app-role',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }],
      }),
    }),
  );
  const associated = await client.send(new EC2.AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: ROLE } }));
  assert.equal(associated.IamInstanceProfileAssociation!.State, 'associating');
  assert.match(associated.IamInstanceProfileAssociation!.AssociationId!, /^iip-assoc-[0-9a-f]{17}$/);
  const twice = await failure(client.send(new EC2.AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: ROLE } })));
  assert.deepEqual(twice, { name: 'IncorrectState', status: 400, message: `There is an existing association for instance ${instanceId}` });
  await client.send(new EC2.DisassociateIamInstanceProfileCommand({ AssociationId: associated.IamInstanceProfileAssociation!.AssociationId! }));
  assert.equal((await describeOne(client, instanceId)).IamInstanceProfile, undefined);
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [instanceId] }));
});

test('AWS CLI v2: run-instances, wait instance-running, stop, wait instance-stopped, terminate', { skip: missingCli }, async () => {
  const env = {};
  const cli = (args: string[]) => runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, ...args], env);
  const imageId = await amazonLinux2(ec2());
  const run = await cli(['ec2', 'run-instances', '--image-id', imageId, '--instance-type', 't2.micro', '--count', '1', '--user-data', 'echo hello', '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=cli-app}]']);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  const instanceId = JSON.parse(run.stdout).Instances[0].InstanceId as string;
  assert.equal(JSON.parse(run.stdout).Instances[0].State.Name, 'pending');

  // The waiter's first poll comes after the CLI starts; pending lasts 2 s of Bonsai's clock.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  const started = Date.now();
  const wait = await cli(['ec2', 'wait', 'instance-running', '--instance-ids', instanceId]);
  assert.equal(wait.stderr, '');
  assert.equal(wait.code, 0);
  assert.ok(Date.now() - started < 10_000, 'running on the first poll');

  const userData = await cli(['ec2', 'describe-instance-attribute', '--instance-id', instanceId, '--attribute', 'userData', '--query', 'UserData.Value', '--output', 'text']);
  assert.equal(Buffer.from(userData.stdout.trim(), 'base64').toString(), 'echo hello');

  const describe = await cli(['ec2', 'describe-instances', '--filters', 'Name=tag:Name,Values=cli-app', '--query', 'Reservations[].Instances[].[InstanceId,State.Name,InstanceType]', '--output', 'text']);
  assert.equal(describe.stdout.trim(), `${instanceId}\trunning\tt2.micro`);

  const stop = await cli(['ec2', 'stop-instances', '--instance-ids', instanceId, '--query', 'StoppingInstances[0].CurrentState.Name', '--output', 'text']);
  assert.equal(stop.stdout.trim(), 'stopping');
  advance(3_000);
  const stopped = await cli(['ec2', 'wait', 'instance-stopped', '--instance-ids', instanceId]);
  assert.equal(stopped.code, 0);

  const status = await cli(['ec2', 'describe-instance-status', '--instance-ids', instanceId, '--include-all-instances', '--query', 'InstanceStatuses[0].[InstanceState.Name,InstanceStatus.Status]', '--output', 'text']);
  assert.equal(status.stdout.trim(), 'stopped\tnot-applicable');

  const terminate = await cli(['ec2', 'terminate-instances', '--instance-ids', instanceId, '--query', 'TerminatingInstances[0].CurrentState.Name', '--output', 'text']);
  assert.equal(terminate.stdout.trim(), 'shutting-down');
  advance(3_000);
  const terminated = await cli(['ec2', 'wait', 'instance-terminated', '--instance-ids', instanceId]);
  assert.equal(terminated.code, 0);
});
