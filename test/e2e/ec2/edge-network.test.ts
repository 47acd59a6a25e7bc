// The VPC's edge end to end with @aws-sdk/client-ec2 and the AWS CLI v1: the seeds' firewall parts
// (002's network ACL that lets HTTPS in and denies the rest), Elastic IPs with the in-use error, and
// seed 000's "VPC and more" with a NAT gateway that becomes available as Bonsai's clock moves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as EC2 from '@aws-sdk/client-ec2';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { awsCliV1Path, runCli } from '../../helpers/clients.ts';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(region: string) {
  return new EC2.EC2Client({
    endpoint: bonsai.endpoint,
    region,
    maxAttempts: 1,
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
  });
}

const nameTag = (resource: string, name: string) => [{ ResourceType: resource as EC2.ResourceType, Tags: [{ Key: 'Name', Value: name }] }];

test('seed 002 firewall: the default ACL allows all; a custom ACL lets HTTPS in, is edited, re-associated and deleted', async () => {
  const client = ec2('us-west-2');
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: nameTag('vpc', 'app-vpc') }))).Vpc!.VpcId!;
  const subnetId = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-west-2a' }))).Subnet!.SubnetId!;

  const { NetworkAcls: defaults } = await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.equal(defaults!.length, 1);
  const defaultAcl = defaults![0]!;
  assert.equal(defaultAcl.IsDefault, true);
  assert.equal(defaultAcl.OwnerId, TEST_ACCOUNT.accountId);
  assert.deepEqual(defaultAcl.Entries, [
    { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
    { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
    { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
    { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
  ]);
  assert.deepEqual(defaultAcl.Associations!.map((a) => [a.SubnetId, a.NetworkAclId]), [[subnetId, defaultAcl.NetworkAclId]]);
  assert.match(defaultAcl.Associations![0]!.NetworkAclAssociationId!, /^aclassoc-[0-9a-f]{17}$/);

  const { NetworkAcl } = await client.send(new EC2.CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: nameTag('network-acl', 'https-only') }));
  const aclId = NetworkAcl!.NetworkAclId!;
  assert.equal(NetworkAcl!.IsDefault, false);
  assert.deepEqual(NetworkAcl!.Tags, [{ Key: 'Name', Value: 'https-only' }]);
  assert.deepEqual(NetworkAcl!.Entries!.map((e) => [e.RuleNumber, e.Egress, e.RuleAction]), [[32767, true, 'deny'], [32767, false, 'deny']]);

  // HTTPS in from anywhere; replies out on the ephemeral ports; everything else hits the * deny.
  await client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } }));
  await client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: 'tcp', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } }));
  await client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Protocol: 'icmp', RuleAction: 'deny', Egress: false, CidrBlock: '198.51.100.0/24', IcmpTypeCode: { Type: 8, Code: -1 } }));
  assert.deepEqual(
    await failure(client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' }))),
    { name: 'NetworkAclEntryAlreadyExists', message: 'The network acl entry identified by 100 already exists.', status: 400 },
  );
  assert.deepEqual(
    await failure(client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 32767, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' }))),
    { name: 'InvalidParameterValue', message: 'Value (32767) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766', status: 400 },
  );
  assert.deepEqual(
    await failure(client.send(new EC2.CreateNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 110, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' }))),
    { name: 'MissingParameter', message: 'The request must contain the parameter portRange', status: 400 },
  );

  // Tighten HTTPS to the VPN's range, then drop the ICMP rule.
  await client.send(new EC2.ReplaceNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '203.0.113.0/24', PortRange: { From: 443, To: 443 } }));
  await client.send(new EC2.DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Egress: false }));
  assert.deepEqual(
    await failure(client.send(new EC2.DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 90, Egress: false }))),
    { name: 'InvalidNetworkAclEntry.NotFound', message: 'no ingress entry with number 90', status: 400 },
  );
  const edited = (await client.send(new EC2.DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls![0];
  assert.deepEqual(edited!.Entries, [
    { CidrBlock: '0.0.0.0/0', Egress: true, PortRange: { From: 1024, To: 65535 }, Protocol: '6', RuleAction: 'allow', RuleNumber: 100 },
    { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
    { CidrBlock: '203.0.113.0/24', Egress: false, PortRange: { From: 443, To: 443 }, Protocol: '6', RuleAction: 'allow', RuleNumber: 100 },
    { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
  ]);

  // Re-associate the subnet with the custom ACL.
  const { NewAssociationId } = await client.send(new EC2.ReplaceNetworkAclAssociationCommand({ AssociationId: defaultAcl.Associations![0]!.NetworkAclAssociationId, NetworkAclId: aclId }));
  assert.match(NewAssociationId!, /^aclassoc-[0-9a-f]{17}$/);
  const bySubnet = await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  assert.deepEqual(bySubnet.NetworkAcls!.map((a) => a.NetworkAclId), [aclId]);
  const byTag = await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag:Name', Values: ['https-*'] }, { Name: 'default', Values: ['false'] }] }));
  assert.deepEqual(byTag.NetworkAcls!.map((a) => a.NetworkAclId), [aclId]);

  assert.deepEqual(await failure(client.send(new EC2.DeleteNetworkAclCommand({ NetworkAclId: aclId }))), {
    name: 'DependencyViolation',
    message: `The networkAcl '${aclId}' has dependencies and cannot be deleted.`,
    status: 400,
  });
  assert.deepEqual(await failure(client.send(new EC2.DeleteNetworkAclCommand({ NetworkAclId: defaultAcl.NetworkAclId }))), {
    name: 'InvalidParameterValue',
    message: `cannot delete default network ACL ${defaultAcl.NetworkAclId}`,
    status: 400,
  });
  // Deleting the subnet drops its association; then the ACL can go, and the VPC with its default ACL.
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: subnetId }));
  await client.send(new EC2.DeleteNetworkAclCommand({ NetworkAclId: aclId }));
  assert.deepEqual(await failure(client.send(new EC2.DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))), {
    name: 'InvalidNetworkAclID.NotFound',
    message: `The networkAcl ID '${aclId}' does not exist`,
    status: 400,
  });
  await client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
  const left = await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(left.NetworkAcls, []);
});

test('Elastic IPs: allocate, associate with an instance, in-use release refused, disassociate and release', async () => {
  const client = ec2('eu-central-1');
  const { AllocationId, PublicIp, Domain, PublicIpv4Pool, NetworkBorderGroup } = await client.send(
    new EC2.AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: nameTag('elastic-ip', 'web-eip') }),
  );
  assert.match(AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
  assert.match(PublicIp!, /^203\.0\.113\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/);
  assert.deepEqual([Domain, PublicIpv4Pool, NetworkBorderGroup], ['vpc', 'amazon', 'eu-central-1']);

  const byIp = await client.send(new EC2.DescribeAddressesCommand({ PublicIps: [PublicIp!] }));
  assert.deepEqual(byIp.Addresses, [{ AllocationId, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: 'eu-central-1', PublicIp, Tags: [{ Key: 'Name', Value: 'web-eip' }] }]);
  assert.deepEqual(await failure(client.send(new EC2.DescribeAddressesCommand({ AllocationIds: ['eipalloc-0123456789abcdef0'] }))), {
    name: 'InvalidAllocationID.NotFound',
    message: "The allocation ID 'eipalloc-0123456789abcdef0' does not exist",
    status: 400,
  });

  const instanceId = 'i-0a1b2c3d4e5f60718';
  assert.deepEqual(await failure(client.send(new EC2.AssociateAddressCommand({ AllocationId, InstanceId: instanceId }))), {
    name: 'InvalidInstanceID.NotFound',
    message: `The instance ID '${instanceId}' does not exist`,
    status: 400,
  });
  // Instances are another part of EC2; the stored document is what AssociateAddress looks for.
  await bonsai.store.put(
    { kind: 'ec2:instance', account: TEST_ACCOUNT.accountId, region: 'eu-central-1', id: instanceId },
    { InstanceId: instanceId, PrivateIpAddress: '172.31.20.15', NetworkInterfaceId: 'eni-0a1b2c3d4e5f60718', Events: [{ action: 'launch', atMs: 0 }] },
  );
  const { AssociationId } = await client.send(new EC2.AssociateAddressCommand({ AllocationId, InstanceId: instanceId }));
  assert.match(AssociationId!, /^eipassoc-[0-9a-f]{17}$/);
  const associated = await client.send(new EC2.DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  assert.deepEqual(associated.Addresses!.map((a) => [a.AllocationId, a.AssociationId, a.InstanceId, a.NetworkInterfaceId, a.NetworkInterfaceOwnerId, a.PrivateIpAddress]), [
    [AllocationId, AssociationId, instanceId, 'eni-0a1b2c3d4e5f60718', TEST_ACCOUNT.accountId, '172.31.20.15'],
  ]);

  assert.deepEqual(await failure(client.send(new EC2.ReleaseAddressCommand({ AllocationId }))), {
    name: 'InvalidIPAddress.InUse',
    message: `Address ${PublicIp} is in use.`,
    status: 400,
  });
  await client.send(new EC2.DisassociateAddressCommand({ AssociationId }));
  assert.deepEqual(await failure(client.send(new EC2.DisassociateAddressCommand({ AssociationId }))), {
    name: 'InvalidAssociationID.NotFound',
    message: `The association ID '${AssociationId}' does not exist`,
    status: 400,
  });
  await client.send(new EC2.ReleaseAddressCommand({ AllocationId }));
  assert.deepEqual(await failure(client.send(new EC2.DescribeAddressesCommand({ PublicIps: [PublicIp!] }))), {
    name: 'InvalidAddress.NotFound',
    message: `Address '${PublicIp}' not found.`,
    status: 400,
  });
});

test('seed 000 "VPC and more" with a NAT gateway: pending → available on the clock, a 0.0.0.0/0 route to it, DeleteVpc refused', async () => {
  const client = ec2('us-east-2');
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/20', TagSpecifications: nameTag('vpc', 'dagster-vpc') }))).Vpc!.VpcId!;
  const publicSubnet = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-2a' }))).Subnet!.SubnetId!;
  const privateSubnet = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.8.0/24', AvailabilityZone: 'us-east-2a' }))).Subnet!.SubnetId!;
  const igwId = (await client.send(new EC2.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await client.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

  const eip = await client.send(new EC2.AllocateAddressCommand({ Domain: 'vpc' }));
  const created = await client.send(new EC2.CreateNatGatewayCommand({
    SubnetId: publicSubnet,
    AllocationId: eip.AllocationId,
    TagSpecifications: nameTag('natgateway', 'dagster-nat-public1-us-east-2a'),
  }));
  const nat = created.NatGateway!;
  const natId = nat.NatGatewayId!;
  assert.match(natId, /^nat-[0-9a-f]{17}$/);
  assert.deepEqual([nat.State, nat.SubnetId, nat.VpcId, nat.ConnectivityType], ['pending', publicSubnet, vpcId, 'public']);
  assert.ok(nat.CreateTime instanceof Date);
  const natAddress = nat.NatGatewayAddresses![0]!;
  assert.deepEqual([natAddress.AllocationId, natAddress.PublicIp, natAddress.IsPrimary, natAddress.Status], [eip.AllocationId, eip.PublicIp, true, 'associating']);
  assert.match(natAddress.PrivateIp!, /^10\.0\.0\.\d+$/);
  assert.match(natAddress.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);

  const pending = await client.send(new EC2.DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
  assert.equal(pending.NatGateways![0]!.State, 'pending');
  bonsai.clock.advance(5_000);
  const available = await client.send(new EC2.DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'state', Values: ['available'] }] }));
  assert.deepEqual(available.NatGateways!.map((n) => [n.NatGatewayId, n.State, n.NatGatewayAddresses![0]!.Status]), [[natId, 'available', 'succeeded']]);
  assert.deepEqual(available.NatGateways![0]!.Tags, [{ Key: 'Name', Value: 'dagster-nat-public1-us-east-2a' }]);

  // The address is the gateway's now.
  const held = (await client.send(new EC2.DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses![0]!;
  assert.deepEqual([held.AssociationId, held.NetworkInterfaceId, held.PrivateIpAddress], [natAddress.AssociationId, natAddress.NetworkInterfaceId, natAddress.PrivateIp]);
  assert.equal((await failure(client.send(new EC2.ReleaseAddressCommand({ AllocationId: eip.AllocationId })))).name, 'InvalidIPAddress.InUse');

  // The private subnets' route table sends everything else through the NAT gateway.
  const rtbId = (await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', 'dagster-rtb-private1-us-east-2a') }))).RouteTable!.RouteTableId!;
  await client.send(new EC2.CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
  await client.send(new EC2.AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: privateSubnet }));
  const routed = await client.send(new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: [natId] }] }));
  assert.deepEqual(routed.RouteTables!.map((t) => t.RouteTableId), [rtbId]);
  assert.deepEqual(routed.RouteTables![0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId ?? r.NatGatewayId, r.State]), [
    ['10.0.0.0/20', 'local', 'active'],
    ['0.0.0.0/0', natId, 'active'],
  ]);

  assert.deepEqual(await failure(client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }))), {
    name: 'DependencyViolation',
    message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
    status: 400,
  });
  assert.equal((await failure(client.send(new EC2.DeleteSubnetCommand({ SubnetId: publicSubnet })))).name, 'DependencyViolation');

  // Tear down: the gateway goes (deleting → deleted), its route turns blackhole and the address is free.
  const deleted = await client.send(new EC2.DeleteNatGatewayCommand({ NatGatewayId: natId }));
  assert.equal(deleted.NatGatewayId, natId);
  const deleting = (await client.send(new EC2.DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways![0]!;
  assert.equal(deleting.State, 'deleting');
  assert.ok(deleting.DeleteTime instanceof Date);
  bonsai.clock.advance(5_000);
  assert.equal((await client.send(new EC2.DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways![0]!.State, 'deleted');
  const blackhole = (await client.send(new EC2.DescribeRouteTablesCommand({ RouteTableIds: [rtbId] }))).RouteTables![0]!.Routes!.find((r) => r.NatGatewayId === natId);
  assert.equal(blackhole!.State, 'blackhole');
  assert.deepEqual(await failure(client.send(new EC2.DeleteNatGatewayCommand({ NatGatewayId: natId }))), {
    name: 'NatGatewayNotFound',
    message: `The Nat Gateway ${natId} was not found`,
    status: 400,
  });
  await client.send(new EC2.ReleaseAddressCommand({ AllocationId: eip.AllocationId }));

  for (const a of routed.RouteTables![0]!.Associations!) await client.send(new EC2.DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId }));
  await client.send(new EC2.DeleteRouteTableCommand({ RouteTableId: rtbId }));
  await client.send(new EC2.DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  await client.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
  for (const id of [publicSubnet, privateSubnet]) await client.send(new EC2.DeleteSubnetCommand({ SubnetId: id }));
  await client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
});

test('AWS CLI v1 writes network ACL entries with --port-range and reads the protocol back as a number', async () => {
  const client = ec2('ap-northeast-1');
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
  const aclId = (await client.send(new EC2.CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
  const cli = await awsCliV1Path();
  const env = { AWS_DEFAULT_REGION: 'ap-northeast-1' };
  const base = ['--endpoint-url', bonsai.endpoint, 'ec2'];
  const entry = ['create-network-acl-entry', '--network-acl-id', aclId, '--ingress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=443,To=443', '--cidr-block', '0.0.0.0/0', '--rule-action', 'allow'];
  const created = await runCli(cli, [...base, ...entry], env);
  assert.equal(created.code, 0, created.stderr);
  const again = await runCli(cli, [...base, ...entry], env);
  assert.equal(again.code, 255);
  assert.match(again.stderr, /An error occurred \(NetworkAclEntryAlreadyExists\) when calling the CreateNetworkAclEntry operation( \(reached max retries: 0\))?: The network acl entry identified by 100 already exists\./);
  const described = await runCli(cli, [...base, 'describe-network-acls', '--network-acl-ids', aclId, '--output', 'json'], env);
  assert.equal(described.code, 0, described.stderr);
  const ingress = JSON.parse(described.stdout).NetworkAcls[0].Entries.filter((e: { Egress: boolean }) => !e.Egress);
  assert.deepEqual(ingress, [
    { CidrBlock: '0.0.0.0/0', Egress: false, PortRange: { From: 443, To: 443 }, Protocol: '6', RuleAction: 'allow', RuleNumber: 100 },
    { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
  ]);
});
