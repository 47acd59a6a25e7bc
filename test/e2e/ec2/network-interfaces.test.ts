// Network interfaces end to end with @aws-sdk/client-ec2: an instance's primary interface in
// DescribeInstances and DescribeNetworkInterfaces, CreateNetworkInterface taking an address from
// its subnet, attach/detach within an Availability Zone, ModifyNetworkInterfaceAttribute, the
// in-use and dependency errors, and the encoded authorization message of a denied RunInstances
// decoded by STS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import * as STS from '@aws-sdk/client-sts';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { splitEncoded } from './encoded-denial.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const ROOT = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };
const REGION = 'eu-west-1';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(credentials = ROOT) {
  return new EC2.EC2Client({ endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1, credentials });
}

async function amazonLinux2(client: EC2.EC2Client): Promise<string> {
  const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*-x86_64-gp2'] }] }));
  return Images![0]!.ImageId!;
}

/** A VPC 10.20.0.0/16 with subnets in zones a (10.20.1.0/24) and b (10.20.2.0/24) and a security group. */
async function network(client: EC2.EC2Client) {
  const { Vpc } = await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const subnetA = (await client.send(new EC2.CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!;
  const subnetB = (await client.send(new EC2.CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: '10.20.2.0/24', AvailabilityZone: `${REGION}b` }))).Subnet!;
  const { GroupId } = await client.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app servers', VpcId: Vpc!.VpcId! }));
  const { SecurityGroups } = await client.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [Vpc!.VpcId!] }, { Name: 'group-name', Values: ['default'] }] }));
  return { vpcId: Vpc!.VpcId!, subnetA: subnetA.SubnetId!, subnetB: subnetB.SubnetId!, appGroup: GroupId!, defaultGroup: SecurityGroups![0]!.GroupId! };
}

async function availableCount(client: EC2.EC2Client, subnetId: string): Promise<number> {
  return (await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!.AvailableIpAddressCount!;
}

test('network interfaces: primary interfaces, create, attach, modify, detach, delete and their errors', async () => {
  const client = ec2();
  const net = await network(client);
  const imageId = await amazonLinux2(client);

  // An instance's primary interface: the first free address after the four reserved.
  const launched = await client.send(
    new EC2.RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't2.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: net.subnetA,
      SecurityGroupIds: [net.appGroup],
      TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'role', Value: 'primary' }] }],
    }),
  );
  const instance = launched.Instances![0]!;
  const primary = instance.NetworkInterfaces![0]!;
  assert.equal(instance.PrivateIpAddress, '10.20.1.4');
  assert.equal(primary.PrivateIpAddress, '10.20.1.4');
  assert.equal(primary.Attachment!.DeviceIndex, 0);
  assert.equal(primary.Attachment!.DeleteOnTermination, true);
  const { NetworkInterfaces: [primaryEni] = [] } = await client.send(new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [primary.NetworkInterfaceId!] }));
  assert.deepEqual(
    {
      id: primaryEni!.NetworkInterfaceId,
      status: primaryEni!.Status,
      ip: primaryEni!.PrivateIpAddress,
      dns: primaryEni!.PrivateDnsName,
      mac: primaryEni!.MacAddress,
      groups: primaryEni!.Groups,
      attachment: [primaryEni!.Attachment!.InstanceId, primaryEni!.Attachment!.AttachmentId, primaryEni!.Attachment!.Status, primaryEni!.Attachment!.InstanceOwnerId],
      zone: primaryEni!.AvailabilityZone,
      type: primaryEni!.InterfaceType,
      tags: primaryEni!.TagSet,
      sourceDestCheck: primaryEni!.SourceDestCheck,
      requesterManaged: primaryEni!.RequesterManaged,
    },
    {
      id: primary.NetworkInterfaceId,
      status: 'in-use',
      ip: '10.20.1.4',
      dns: `ip-10-20-1-4.${REGION}.compute.internal`,
      mac: primary.MacAddress,
      groups: [{ GroupId: net.appGroup, GroupName: 'app' }],
      attachment: [instance.InstanceId, primary.Attachment!.AttachmentId, 'attached', ACCOUNT],
      zone: `${REGION}a`,
      type: 'interface',
      tags: [{ Key: 'role', Value: 'primary' }],
      sourceDestCheck: true,
      requesterManaged: false,
    },
  );
  assert.equal(await availableCount(client, net.subnetA), 250);

  // A new interface takes the next address; without groups it gets the VPC's default group.
  const created = (await client.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: net.subnetA, Description: 'spare' }))).NetworkInterface!;
  assert.deepEqual([created.Status, created.PrivateIpAddress, created.Description, created.Groups, created.Attachment], ['pending', '10.20.1.5', 'spare', [{ GroupId: net.defaultGroup, GroupName: 'default' }], undefined]);
  assert.deepEqual(created.PrivateIpAddresses, [{ Primary: true, PrivateDnsName: `ip-10-20-1-5.${REGION}.compute.internal`, PrivateIpAddress: '10.20.1.5' }]);
  assert.equal(await availableCount(client, net.subnetA), 249);
  const taken = await failure(client.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: net.subnetA, PrivateIpAddress: '10.20.1.5' })));
  assert.deepEqual(taken, { name: 'InvalidIPAddress.InUse', status: 400, message: 'Address 10.20.1.5 is in use.' });
  const otherVpcGroup = await failure(client.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: net.subnetA, Groups: ['sg-0123456789abcdef0'] })));
  assert.deepEqual(otherVpcGroup, { name: 'InvalidGroup.NotFound', status: 400, message: "The security group 'sg-0123456789abcdef0' does not exist" });
  const inB = (await client.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: net.subnetB, Groups: [net.appGroup] }))).NetworkInterface!;
  assert.equal(inB.PrivateIpAddress, '10.20.2.4');

  // Filters the CLI uses.
  const available = await client.send(new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }, { Name: 'status', Values: ['available'] }] }));
  assert.deepEqual(available.NetworkInterfaces!.map((n) => n.NetworkInterfaceId), [created.NetworkInterfaceId, inB.NetworkInterfaceId]);
  const byInstance = await client.send(new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }] }));
  assert.deepEqual(byInstance.NetworkInterfaces!.map((n) => n.NetworkInterfaceId), [primary.NetworkInterfaceId]);
  const byGroup = await client.send(new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [net.appGroup] }, { Name: 'tag:role', Values: ['prim*'] }] }));
  assert.deepEqual(byGroup.NetworkInterfaces!.map((n) => n.NetworkInterfaceId), [primary.NetworkInterfaceId]);
  const missing = await failure(client.send(new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0123456789abcdef0'] })));
  assert.deepEqual(missing, { name: 'InvalidNetworkInterfaceID.NotFound', status: 400, message: "The networkInterface ID 'eni-0123456789abcdef0' does not exist" });
  const malformed = await failure(client.send(new EC2.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-xyz' })));
  assert.deepEqual(malformed, { name: 'InvalidNetworkInterfaceID.Malformed', status: 400, message: 'Invalid id: "eni-xyz" (expecting "eni-...")' });

  // Attach in the same zone, at a free device index, within t2.micro's two interfaces.
  const wrongZone = await failure(client.send(new EC2.AttachNetworkInterfaceCommand({ NetworkInterfaceId: inB.NetworkInterfaceId!, InstanceId: instance.InstanceId!, DeviceIndex: 1 })));
  assert.deepEqual(wrongZone, { name: 'InvalidParameterCombination', status: 400, message: 'You may not attach a network interface to an instance if they are not in the same availability zone' });
  const busyIndex = await failure(client.send(new EC2.AttachNetworkInterfaceCommand({ NetworkInterfaceId: created.NetworkInterfaceId!, InstanceId: instance.InstanceId!, DeviceIndex: 0 })));
  assert.deepEqual(busyIndex, { name: 'InvalidParameterValue', status: 400, message: `Instance '${instance.InstanceId}' already has an interface attached at device index '0'.` });
  const { AttachmentId, NetworkCardIndex } = await client.send(new EC2.AttachNetworkInterfaceCommand({ NetworkInterfaceId: created.NetworkInterfaceId!, InstanceId: instance.InstanceId!, DeviceIndex: 1 }));
  assert.match(AttachmentId!, /^eni-attach-[0-9a-f]{17}$/);
  assert.equal(NetworkCardIndex, 0);
  const third = (await client.send(new EC2.CreateNetworkInterfaceCommand({ SubnetId: net.subnetA }))).NetworkInterface!;
  const overLimit = await failure(client.send(new EC2.AttachNetworkInterfaceCommand({ NetworkInterfaceId: third.NetworkInterfaceId!, InstanceId: instance.InstanceId!, DeviceIndex: 2 })));
  assert.deepEqual(overLimit, { name: 'AttachmentLimitExceeded', status: 400, message: 'Interface count 3 exceeds the limit for t2.micro' });
  const described = (await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }))).Reservations![0]!.Instances![0]!;
  assert.deepEqual(
    described.NetworkInterfaces!.map((n) => [n.NetworkInterfaceId, n.Attachment!.DeviceIndex, n.PrivateIpAddress, n.Description, n.Attachment!.DeleteOnTermination]),
    [
      [primary.NetworkInterfaceId, 0, '10.20.1.4', '', true],
      [created.NetworkInterfaceId, 1, '10.20.1.5', 'spare', false],
    ],
  );

  // Attribute changes: the primary interface's groups and source/destination check are the instance's.
  await client.send(new EC2.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, Groups: [net.appGroup, net.defaultGroup] }));
  await client.send(new EC2.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, SourceDestCheck: { Value: false } }));
  await client.send(new EC2.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, Description: { Value: 'eth0' } }));
  const both = await failure(client.send(new EC2.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, Description: { Value: 'x' }, SourceDestCheck: { Value: true } })));
  assert.deepEqual(both, { name: 'InvalidParameterCombination', status: 400, message: 'Fields for multiple attribute types specified: description, sourceDestCheck' });
  const after = (await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] }))).Reservations![0]!.Instances![0]!;
  assert.deepEqual(after.SecurityGroups, [{ GroupId: net.appGroup, GroupName: 'app' }, { GroupId: net.defaultGroup, GroupName: 'default' }]);
  assert.equal(after.SourceDestCheck, false);
  assert.equal(after.NetworkInterfaces![0]!.Description, 'eth0');
  const attribute = await client.send(new EC2.DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, Attribute: 'sourceDestCheck' }));
  assert.deepEqual(attribute.SourceDestCheck, { Value: false });

  // In-use interfaces, the primary one, and the subnet and group they depend on.
  const inUse = await failure(client.send(new EC2.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: created.NetworkInterfaceId! })));
  assert.deepEqual(inUse, { name: 'InvalidParameterValue', status: 400, message: `Network interface '${created.NetworkInterfaceId}' is currently in use.` });
  const detachPrimary = await failure(client.send(new EC2.DetachNetworkInterfaceCommand({ AttachmentId: primary.Attachment!.AttachmentId! })));
  assert.deepEqual(detachPrimary, { name: 'OperationNotPermitted', status: 400, message: 'The network interface at device index 0 cannot be detached.' });
  const subnetInUse = await failure(client.send(new EC2.DeleteSubnetCommand({ SubnetId: net.subnetB })));
  assert.deepEqual(subnetInUse, { name: 'DependencyViolation', status: 400, message: `The subnet '${net.subnetB}' has dependencies and cannot be deleted.` });
  const groupInUse = await failure(client.send(new EC2.DeleteSecurityGroupCommand({ GroupId: net.appGroup })));
  assert.deepEqual(groupInUse, { name: 'DependencyViolation', status: 400, message: `resource ${net.appGroup} has a dependent object` });

  await client.send(new EC2.DetachNetworkInterfaceCommand({ AttachmentId: AttachmentId! }));
  const detached = (await client.send(new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [created.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
  assert.deepEqual([detached.Status, detached.Attachment], ['available', undefined]);
  const gone = await failure(client.send(new EC2.DetachNetworkInterfaceCommand({ AttachmentId: AttachmentId! })));
  assert.deepEqual(gone, { name: 'InvalidAttachmentID.NotFound', status: 400, message: `The attachment ID '${AttachmentId}' does not exist` });
  for (const eni of [created, inB, third]) await client.send(new EC2.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId! }));
  assert.equal(await availableCount(client, net.subnetA), 250);
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: net.subnetB }));

  // Termination takes the primary interface (and its address) with it; then subnet and group can go.
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
  const afterTermination = await client.send(new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));
  assert.deepEqual(afterTermination.NetworkInterfaces, []);
  assert.equal(await availableCount(client, net.subnetA), 251);
  await client.send(new EC2.DeleteSecurityGroupCommand({ GroupId: net.appGroup }));
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: net.subnetA }));
});

test('a denied RunInstances carries an encoded authorization message that STS decodes', async () => {
  const iam = new IAM.IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT });
  const { User } = await iam.send(new IAM.CreateUserCommand({ UserName: 'launcher' }));
  const { AccessKey } = await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'launcher' }));
  const keys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const imageId = await amazonLinux2(ec2());
  const refused = await failure(ec2(keys).send(new EC2.RunInstancesCommand({ ImageId: imageId, InstanceType: 't2.micro', MinCount: 1, MaxCount: 1 })));
  const { error, encoded } = splitEncoded(refused);
  const resource = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`;
  assert.deepEqual(error, {
    name: 'UnauthorizedOperation',
    status: 403,
    message: `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/launcher is not authorized to perform: ec2:RunInstances on resource: ${resource} because no identity-based policy allows the ec2:RunInstances action`,
  });

  // The root user may decode it (the launcher may not: it has no sts:DecodeAuthorizationMessage).
  const sts = new STS.STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT });
  const { DecodedMessage } = await sts.send(new STS.DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
  const item = (key: string, value: string) => ({ key, values: { items: [{ value }] } });
  assert.deepEqual(JSON.parse(DecodedMessage!), {
    allowed: false,
    explicitDeny: false,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { id: User!.UserId, name: 'launcher', arn: `arn:aws:iam::${ACCOUNT}:user/launcher` },
      action: 'ec2:RunInstances',
      resource,
      conditions: {
        // The resource's keys around the request's own (ec2:Region), as AWS lists them.
        items: [
          item('aws:Region', REGION),
          item('aws:Service', 'ec2'),
          item('aws:Resource', 'instance/*'),
          item('ec2:Region', REGION),
          item('aws:Account', ACCOUNT),
          item('aws:Type', 'instance'),
          item('aws:ARN', resource),
        ],
      },
    },
  });
  const launcherDecode = await failure(new STS.STSClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: keys }).send(new STS.DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })));
  assert.equal(launcherDecode.name, 'AccessDenied');

  // Describe calls (no resource-level permissions) keep the plain message.
  const describe = await failure(ec2(keys).send(new EC2.DescribeInstancesCommand({})));
  assert.deepEqual(describe, {
    name: 'UnauthorizedOperation',
    status: 403,
    message: `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/launcher is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action`,
  });
});
