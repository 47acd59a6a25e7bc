// EC2 foundations and VPC networking end to end with @aws-sdk/client-ec2 and the AWS CLI v2:
// the default VPC, the seeds' VPCs (000's "VPC and more", 002/003's app-vpc), CIDR maths and
// errors, DryRun, and an IAM user denied with UnauthorizedOperation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as EC2 from '@aws-sdk/client-ec2';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { AWS_CLI_V2, runCli } from '../../helpers/clients.ts';
import { splitEncoded } from './encoded-denial.ts';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(region = 'us-east-1', credentials = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey }) {
  return new EC2.EC2Client({ endpoint: bonsai.endpoint, region, maxAttempts: 1, credentials });
}

const nameTag = (resource: string, name: string) => [{ ResourceType: resource as EC2.ResourceType, Tags: [{ Key: 'Name', Value: name }] }];

test('each region has its default VPC: 172.31.0.0/16, a default /20 subnet per zone, gateway, routes, ACL and group', async () => {
  const client = ec2('us-west-2');
  const { Vpcs } = await client.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  assert.equal(Vpcs!.length, 1);
  const vpc = Vpcs![0]!;
  assert.equal(vpc.CidrBlock, '172.31.0.0/16');
  assert.equal(vpc.State, 'available');
  assert.equal(vpc.OwnerId, TEST_ACCOUNT.accountId);
  assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);

  const { Subnets } = await client.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
  const subnets = Subnets!.sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
  assert.deepEqual(
    subnets.map((s) => [s.AvailabilityZone, s.AvailabilityZoneId, s.CidrBlock, s.AvailableIpAddressCount, s.DefaultForAz, s.MapPublicIpOnLaunch]),
    [
      ['us-west-2a', 'usw2-az1', '172.31.0.0/20', 4091, true, true],
      ['us-west-2b', 'usw2-az2', '172.31.16.0/20', 4091, true, true],
      ['us-west-2c', 'usw2-az3', '172.31.32.0/20', 4091, true, true],
      ['us-west-2d', 'usw2-az4', '172.31.48.0/20', 4091, true, true],
    ],
  );

  const { InternetGateways } = await client.send(new EC2.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }));
  assert.equal(InternetGateways!.length, 1);
  const igwId = InternetGateways![0]!.InternetGatewayId!;
  const { RouteTables } = await client.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }));
  assert.deepEqual(
    RouteTables![0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]),
    [
      ['172.31.0.0/16', 'local', 'active'],
      ['0.0.0.0/0', igwId, 'active'],
    ],
  );

  const { SecurityGroups } = await client.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
  assert.equal(SecurityGroups!.length, 1);
  const group = SecurityGroups![0]!;
  assert.equal(group.GroupName, 'default');
  assert.equal(group.Description, 'default VPC security group');
  assert.deepEqual(group.IpPermissions![0]!.UserIdGroupPairs!.map((p) => p.GroupId), [group.GroupId]);
  assert.equal(group.IpPermissions![0]!.IpProtocol, '-1');
  assert.deepEqual(group.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges!.map((r) => r.CidrIp)]), [['-1', ['0.0.0.0/0']]]);

  const { AccountAttributes } = await client.send(new EC2.DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc', 'supported-platforms'] }));
  assert.deepEqual(
    AccountAttributes!.map((a) => [a.AttributeName, a.AttributeValues!.map((v) => v.AttributeValue)]),
    [
      ['default-vpc', [vpc.VpcId]],
      ['supported-platforms', ['VPC']],
    ],
  );
});

test('regions and zones', async () => {
  const client = ec2('us-west-2');
  const { AvailabilityZones } = await client.send(new EC2.DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    AvailabilityZones!.map((z) => [z.ZoneName, z.ZoneId, z.State, z.RegionName]),
    [
      ['us-west-2a', 'usw2-az1', 'available', 'us-west-2'],
      ['us-west-2b', 'usw2-az2', 'available', 'us-west-2'],
      ['us-west-2c', 'usw2-az3', 'available', 'us-west-2'],
      ['us-west-2d', 'usw2-az4', 'available', 'us-west-2'],
    ],
  );
  const { Regions } = await client.send(new EC2.DescribeRegionsCommand({ RegionNames: ['us-east-1', 'af-south-1'], AllRegions: true }));
  assert.deepEqual(
    Regions!.map((r) => [r.RegionName, r.Endpoint, r.OptInStatus]),
    [
      ['us-east-1', 'ec2.us-east-1.amazonaws.com', 'opt-in-not-required'],
      ['af-south-1', 'ec2.af-south-1.amazonaws.com', 'opted-in'],
    ],
  );
});

test('seed 000: "VPC and more" with 10.0.0.0/20, two public and two private subnets in two zones, no NAT', async () => {
  const client = ec2('us-east-1');
  const { Vpc } = await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/20', TagSpecifications: nameTag('vpc', 'dagster-vpc') }));
  const vpcId = Vpc!.VpcId!;
  assert.equal(Vpc!.State, 'pending');
  assert.deepEqual(Vpc!.Tags, [{ Key: 'Name', Value: 'dagster-vpc' }]);
  await client.send(new EC2.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const hostnames = await client.send(new EC2.DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
  assert.equal(hostnames.EnableDnsHostnames!.Value, true);

  const layout = [
    ['dagster-subnet-public1-us-east-1a', '10.0.0.0/24', 'us-east-1a'],
    ['dagster-subnet-public2-us-east-1b', '10.0.1.0/24', 'us-east-1b'],
    ['dagster-subnet-private1-us-east-1a', '10.0.8.0/24', 'us-east-1a'],
    ['dagster-subnet-private2-us-east-1b', '10.0.9.0/24', 'us-east-1b'],
  ] as const;
  const ids: string[] = [];
  for (const [name, cidr, zone] of layout) {
    const { Subnet } = await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: nameTag('subnet', name) }));
    assert.equal(Subnet!.AvailableIpAddressCount, 251);
    assert.equal(Subnet!.MapPublicIpOnLaunch, false);
    ids.push(Subnet!.SubnetId!);
  }
  const { InternetGateway } = await client.send(new EC2.CreateInternetGatewayCommand({ TagSpecifications: nameTag('internet-gateway', 'dagster-igw') }));
  const igwId = InternetGateway!.InternetGatewayId!;
  await client.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  const { RouteTable } = await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', 'dagster-rtb-public') }));
  const rtbId = RouteTable!.RouteTableId!;
  assert.deepEqual(RouteTable!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId]), [['10.0.0.0/20', 'local']]);
  await client.send(new EC2.CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
  for (const subnetId of ids.slice(0, 2)) await client.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnetId }));

  const publicSubnets = await client.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['dagster-subnet-public*'] }] }));
  assert.deepEqual(publicSubnets.Subnets!.map((s) => s.CidrBlock).sort(), ['10.0.0.0/24', '10.0.1.0/24']);
  const tables = await client.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [ids[0]!] }] }));
  assert.equal(tables.RouteTables![0]!.RouteTableId, rtbId);

  // Nothing can be removed out of order.
  const busy = await failure(client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId })));
  assert.deepEqual(busy, { name: 'DependencyViolation', message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`, status: 400 });
  const attached = await failure(client.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igwId })));
  assert.equal(attached.name, 'DependencyViolation');
  const again = await failure(client.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })));
  assert.deepEqual(again, { name: 'Resource.AlreadyAssociated', message: `resource ${igwId} is already attached to network ${vpcId}`, status: 400 });
  const duplicateRoute = await failure(client.send(new EC2.CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })));
  assert.deepEqual(duplicateRoute, { name: 'RouteAlreadyExists', message: 'The route identified by 0.0.0.0/0 already exists.', status: 400 });

  // Tear down in order; then the VPC goes with its main table, default ACL and default group.
  for (const t of tables.RouteTables![0]!.Associations!) await client.send(new EC2.DisassociateRouteTableCommand({ AssociationId: t.RouteTableAssociationId }));
  await client.send(new EC2.DeleteRouteTableCommand({ RouteTableId: rtbId }));
  await client.send(new EC2.DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  await client.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
  for (const id of ids) await client.send(new EC2.DeleteSubnetCommand({ SubnetId: id }));
  await client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
  const gone = await failure(client.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] })));
  assert.deepEqual(gone, { name: 'InvalidVpcID.NotFound', message: `The vpc ID '${vpcId}' does not exist`, status: 400 });
  const groups = await client.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(groups.SecurityGroups, []);
});

test('seeds 002/003: app-vpc 10.1.0.0/16 in us-west-2 with two subnets, a gateway and app-route-table-public', async () => {
  const client = ec2('us-west-2');
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: nameTag('vpc', 'app-vpc') }))).Vpc!.VpcId!;
  const publicSubnet = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-west-2a', TagSpecifications: nameTag('subnet', 'Public Subnet 1') }))).Subnet!;
  const privateSubnet = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.3.0/24', AvailabilityZone: 'us-west-2a', TagSpecifications: nameTag('subnet', 'Private Subnet 1') }))).Subnet!;
  assert.equal(publicSubnet.AvailabilityZoneId, 'usw2-az1');
  await client.send(new EC2.ModifySubnetAttributeCommand({ SubnetId: publicSubnet.SubnetId, MapPublicIpOnLaunch: { Value: true } }));
  const igwId = (await client.send(new EC2.CreateInternetGatewayCommand({ TagSpecifications: nameTag('internet-gateway', 'app-igw') }))).InternetGateway!.InternetGatewayId!;
  await client.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  const rtbId = (await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', 'app-route-table-public') }))).RouteTable!.RouteTableId!;
  await client.send(new EC2.CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
  const { AssociationId } = await client.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: publicSubnet.SubnetId }));
  assert.match(AssociationId!, /^rtbassoc-[0-9a-f]{17}$/);

  const described = await client.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['app-route-table-public'] }] }));
  const table = described.RouteTables![0]!;
  assert.deepEqual(table.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId]), [['10.1.0.0/16', 'local'], ['0.0.0.0/0', igwId]]);
  assert.deepEqual(table.Associations!.map((a) => [a.SubnetId, a.Main]), [[publicSubnet.SubnetId, false]]);
  const subnets = await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [publicSubnet.SubnetId!, privateSubnet.SubnetId!] }));
  assert.deepEqual(subnets.Subnets!.map((s) => [s.CidrBlock, s.MapPublicIpOnLaunch]), [['10.1.1.0/24', true], ['10.1.3.0/24', false]]);

  // A web security group: SSH and HTTP in; duplicates refused.
  const sg = await client.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web servers', VpcId: vpcId }));
  const added = await client.send(new EC2.AuthorizeSecurityGroupIngressCommand({
    GroupId: sg.GroupId,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }, { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] }],
  }));
  assert.equal(added.SecurityGroupRules!.length, 2);
  assert.match(added.SecurityGroupRules![0]!.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
  const duplicate = await failure(client.send(new EC2.AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' })));
  assert.deepEqual(duplicate, { name: 'InvalidPermission.Duplicate', message: 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists', status: 400 });
  const rules = await client.send(new EC2.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [sg.GroupId!] }] }));
  assert.deepEqual(rules.SecurityGroupRules!.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.CidrIpv4]).sort(), [
    [false, 'tcp', 22, '203.0.113.0/24'],
    [false, 'tcp', 80, '0.0.0.0/0'],
    [true, '-1', -1, '0.0.0.0/0'],
  ]);
  const dupGroup = await failure(client.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId })));
  assert.deepEqual(dupGroup, { name: 'InvalidGroup.Duplicate', message: `The security group 'web' already exists for VPC '${vpcId}'`, status: 400 });
});

test('a 10.0.0.0/22 VPC splits into four /24 subnets of 251 addresses each; CIDR errors', async () => {
  const client = ec2('eu-west-1');
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/22' }))).Vpc!.VpcId!;
  for (const cidr of ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']) {
    const { Subnet } = await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }));
    assert.equal(Subnet!.AvailableIpAddressCount, 251);
  }
  assert.deepEqual(await failure(client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/15' }))), {
    name: 'InvalidVpc.Range',
    message: "The CIDR '10.0.0.0/15' is invalid.",
    status: 400,
  });
  assert.deepEqual(await failure(client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.4.0/24' }))), {
    name: 'InvalidSubnet.Range',
    message: "The CIDR '10.0.4.0/24' is invalid.",
    status: 400,
  });
  assert.deepEqual(await failure(client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))), {
    name: 'InvalidSubnet.Conflict',
    message: "The CIDR '10.0.1.0/24' conflicts with another subnet",
    status: 400,
  });
  assert.deepEqual(await failure(client.send(new EC2.CreateSubnetCommand({ VpcId: 'vpc-123', CidrBlock: '10.0.1.0/24' }))), {
    name: 'InvalidVpcID.NotFound',
    message: "The vpc ID 'vpc-123' does not exist",
    status: 400,
  });
  const unknownFilter = await failure(client.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['green'] }] })));
  assert.deepEqual(unknownFilter, { name: 'InvalidParameterValue', message: "The filter 'colour' is invalid", status: 400 });

  // Tags after the fact, and DescribeTags.
  await client.send(new EC2.CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'team', Value: 'data' }] }));
  const { Tags } = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }] }));
  assert.deepEqual(Tags, [{ Key: 'team', ResourceId: vpcId, ResourceType: 'vpc', Value: 'data' }]);
  await client.send(new EC2.DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'team' }] }));
  const after = await client.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] }));
  assert.deepEqual(after.Vpcs![0]!.Tags ?? [], []);
});

test('DryRun answers DryRunOperation and changes nothing; a user without permission gets UnauthorizedOperation', async () => {
  const client = ec2('ap-southeast-2');
  const dry = await failure(client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16', DryRun: true })));
  assert.deepEqual(dry, { name: 'DryRunOperation', message: 'Request would have succeeded, but DryRun flag is set.', status: 412 });
  const vpcs = await client.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.9.0.0/16'] }] }));
  assert.deepEqual(vpcs.Vpcs, []);

  const iam = new IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey } });
  await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
  const denied = ec2('ap-southeast-2', { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  const refused = splitEncoded(await failure(denied.send(new EC2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16', DryRun: true })))).error;
  assert.equal(refused.name, 'UnauthorizedOperation');
  assert.equal(refused.status, 403);
  assert.equal(
    refused.message,
    `You are not authorized to perform this operation. User: arn:aws:iam::${TEST_ACCOUNT.accountId}:user/nobody is not authorized to perform: ec2:CreateVpc on resource: arn:aws:ec2:ap-southeast-2:${TEST_ACCOUNT.accountId}:vpc/* because no identity-based policy allows the ec2:CreateVpc action`,
  );
});

test('AWS CLI v2 describes the default VPC and creates a VPC', { skip: !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed' }, async () => {
  const env = { AWS_DEFAULT_REGION: 'ca-central-1' };
  const described = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, 'ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true', '--output', 'json'], env);
  assert.equal(described.code, 0, described.stderr);
  assert.equal(JSON.parse(described.stdout).Vpcs[0].CidrBlock, '172.31.0.0/16');
  const bad = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, 'ec2', 'create-vpc', '--cidr-block', '10.0.0.0/15'], env);
  assert.equal(bad.code, 254);
  assert.match(bad.stderr, /An error occurred \(InvalidVpc\.Range\) when calling the CreateVpc operation( \(reached max retries: 0\))?: The CIDR '10\.0\.0\.0\/15' is invalid\./);
});
