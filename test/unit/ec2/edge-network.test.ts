// Network ACLs, Elastic IPs and NAT gateways: the pure rules (protocols, rule numbers, entry order,
// address choice, NAT states on the clock) and the handlers on a throw-away store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../../src/core/errors.ts';
import { createClock, type Clock } from '../../../src/core/clock.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SecretBox } from '../../../src/core/secrets.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { ensureRegionDefaults } from '../../../src/services/ec2/defaults.ts';
import { readDb } from '../../../src/services/ec2/db.ts';
import { ec2Migrations } from '../../../src/services/ec2/address-index.ts';
import { entryFromRequest, normaliseProtocol, sortEntries } from '../../../src/services/ec2/network-acls.ts';
import { chooseFreeIp } from '../../../src/services/ec2/addresses.ts';
import { currentState, isVisible, natGatewayView, NAT_RETENTION_MS, NAT_TRANSITION_MS, type NatDoc } from '../../../src/services/ec2/nat-gateways.ts';
import { edgeNetworkHandlers as h } from '../../../src/services/ec2/edge-network.ts';
import { createVpc, deleteVpc } from '../../../src/services/ec2/vpcs.ts';
import { createSubnet } from '../../../src/services/ec2/subnets.ts';
import { attachInternetGateway, createInternetGateway } from '../../../src/services/ec2/gateways.ts';
import { createRoute, createRouteTable, describeRouteTables } from '../../../src/services/ec2/route-tables.ts';
import type { NetworkAcl } from '../../../src/generated/ec2/types.ts';

const ACCOUNT = '123456789012';
let dir: string;
let store: Store;
let clock: Clock;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bonsai-ec2-edge-'));
  clock = createClock();
  store = await openStore({ kind: 'sqlite', file: join(dir, 'bonsai.db'), now: () => clock.now() });
  await store.migrate('ec2', ec2Migrations);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function ctx(region = 'us-east-1'): RequestContext {
  return {
    requestId: 'test-request',
    accountId: ACCOUNT,
    region,
    signedRegion: region,
    service: 'ec2',
    operation: 'test',
    principal: { type: 'root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, name: '' },
    clock,
    store,
    secrets: new SecretBox(randomBytes(32)),
    log: silentLogger(),
    request: { method: 'POST', target: '/', headers: {}, body: Buffer.alloc(0) } as unknown as RequestContext['request'],
    sourceIp: '127.0.0.1',
    dataDir: tmpdir(),
  };
}

/** Calls a handler of this slice by operation name. */
async function call(c: RequestContext, operation: string, input: Record<string, unknown>): Promise<any> {
  return h[operation]!(c, input);
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.status, 400);
    assert.equal(err.message, message);
    return true;
  });
}

/** A fresh VPC 10.0.0.0/16 with one /24 subnet, in a region of its own. */
async function vpcWithSubnet(region: string) {
  const c = ctx(region);
  await ensureRegionDefaults(c);
  const vpcId = ((await createVpc(c, { CidrBlock: '10.0.0.0/16' })).Vpc as { VpcId: string }).VpcId;
  const subnetId = ((await createSubnet(c, { VpcId: vpcId, CidrBlock: '10.0.1.0/24' })).Subnet as { SubnetId: string }).SubnetId;
  return { c, vpcId, subnetId };
}

test('protocols are reported by number; unknown names are refused', () => {
  assert.equal(normaliseProtocol('tcp'), '6');
  assert.equal(normaliseProtocol('UDP'), '17');
  assert.equal(normaliseProtocol('icmp'), '1');
  assert.equal(normaliseProtocol('all'), '-1');
  assert.equal(normaliseProtocol('-1'), '-1');
  assert.equal(normaliseProtocol('6'), '6');
  assert.equal(normaliseProtocol('047'), '47');
  assert.throws(() => normaliseProtocol('gopher'), (e: AwsError) => e.code === 'InvalidParameterValue');
  assert.throws(() => normaliseProtocol('256'), (e: AwsError) => e.code === 'InvalidParameterValue');
});

test('entries: rule numbers 1..32766, port ranges for TCP/UDP, ICMP type and code, CIDR normalised', () => {
  const base = { NetworkAclId: 'acl-1', RuleAction: 'allow' as const, Egress: false, CidrBlock: '0.0.0.0/0' };
  assert.deepEqual(entryFromRequest({ ...base, RuleNumber: 100, Protocol: 'tcp', PortRange: { From: 443, To: 443 } }), {
    Egress: false, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 },
  });
  // Port ranges do not apply to "all traffic": they are dropped.
  assert.deepEqual(entryFromRequest({ ...base, RuleNumber: 1, Protocol: '-1', PortRange: { From: 1, To: 2 }, CidrBlock: '10.0.5.7/16' }), {
    Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 1, CidrBlock: '10.0.0.0/16',
  });
  assert.deepEqual(entryFromRequest({ ...base, RuleNumber: 32766, Protocol: 'icmp', IcmpTypeCode: { Type: 8, Code: -1 } }).IcmpTypeCode, { Code: -1, Type: 8 });
  for (const n of [0, 32767, 40000]) {
    assert.throws(() => entryFromRequest({ ...base, RuleNumber: n, Protocol: '-1' }), (e: AwsError) =>
      e.code === 'InvalidParameterValue' && e.message === `Value (${n}) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766`);
  }
  assert.throws(() => entryFromRequest({ ...base, RuleNumber: 10, Protocol: 'udp' }), (e: AwsError) =>
    e.code === 'MissingParameter' && e.message === 'The request must contain the parameter portRange');
  assert.throws(() => entryFromRequest({ ...base, RuleNumber: 10, Protocol: 'tcp', PortRange: { From: 90, To: 80 } }), (e: AwsError) => e.code === 'InvalidParameterValue');
  assert.throws(() => entryFromRequest({ ...base, RuleNumber: 10, Protocol: '1' }), (e: AwsError) => e.code === 'MissingParameter');
  assert.throws(() => entryFromRequest({ ...base, RuleNumber: 10, Protocol: '-1', CidrBlock: '10.0.0.0/33' }), (e: AwsError) =>
    e.message === 'Value (10.0.0.0/33) for parameter cidrBlock is invalid. This is not a valid CIDR block.');
});

test('entries are listed egress first, then by rule number', () => {
  const e = (RuleNumber: number, Egress: boolean) => ({ RuleNumber, Egress });
  assert.deepEqual(sortEntries([e(32767, false), e(100, false), e(32767, true), e(200, true), e(50, true)]), [
    e(50, true), e(200, true), e(32767, true), e(100, false), e(32767, false),
  ]);
});

test('Elastic IPs come from the documentation ranges, the next range when one is full', () => {
  assert.equal(chooseFreeIp(new Set(), () => 0), '203.0.113.1');
  assert.equal(chooseFreeIp(new Set(), (n) => n - 1), '203.0.113.254');
  assert.equal(chooseFreeIp(new Set(['203.0.113.1']), () => 0), '203.0.113.2');
  const full = new Set(Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`));
  assert.equal(chooseFreeIp(full, () => 0), '198.51.100.1');
  for (let i = 1; i <= 254; i++) full.add(`198.51.100.${i}`);
  for (let i = 1; i <= 254; i++) full.add(`192.0.2.${i}`);
  assert.equal(chooseFreeIp(full), undefined);
});

test('NAT gateway states follow the clock: pending → available, deleting → deleted, gone an hour later', () => {
  const t0 = 1_000_000;
  const doc: NatDoc = {
    NatGatewayId: 'nat-1', SubnetId: 'subnet-1', VpcId: 'vpc-1', State: 'available', AvailableAtMs: t0 + NAT_TRANSITION_MS, CreateTime: new Date(t0),
    NatGatewayAddresses: [{ AllocationId: 'eipalloc-1', AssociationId: 'eipassoc-1', IsPrimary: true, PublicIp: '203.0.113.9' }],
  };
  assert.equal(currentState(doc, t0), 'pending');
  assert.equal(natGatewayView(doc, t0).NatGatewayAddresses![0]!.Status, 'associating');
  assert.equal(currentState(doc, t0 + NAT_TRANSITION_MS), 'available');
  const available = natGatewayView(doc, t0 + NAT_TRANSITION_MS);
  assert.deepEqual(available.NatGatewayAddresses, [{ AllocationId: 'eipalloc-1', AssociationId: 'eipassoc-1', IsPrimary: true, PublicIp: '203.0.113.9', Status: 'succeeded' }]);
  assert.equal('AvailableAtMs' in available, false);
  assert.equal('AllocationId' in available, false);

  const deleted: NatDoc = { ...doc, State: 'deleted', DeleteTime: new Date(t0 + 10_000), DeletedAtMs: t0 + 10_000 + NAT_TRANSITION_MS };
  assert.equal(currentState(deleted, t0 + 10_000), 'deleting');
  assert.equal(natGatewayView(deleted, t0 + 10_000).NatGatewayAddresses![0]!.Status, 'disassociating');
  assert.equal(currentState(deleted, deleted.DeletedAtMs!), 'deleted');
  assert.deepEqual(natGatewayView(deleted, deleted.DeletedAtMs!).NatGatewayAddresses, [{ AllocationId: 'eipalloc-1', IsPrimary: true, PublicIp: '203.0.113.9' }]);
  assert.equal(isVisible(deleted, deleted.DeletedAtMs! + NAT_RETENTION_MS - 1), true);
  assert.equal(isVisible(deleted, deleted.DeletedAtMs! + NAT_RETENTION_MS), false);

  const failed: NatDoc = { ...doc, State: 'failed', FailureCode: 'Gateway.NotAttached', FailureMessage: 'Network vpc-1 has no Internet gateway attached' };
  assert.equal(natGatewayView(failed, t0).FailureCode, undefined);
  assert.equal(natGatewayView(failed, t0 + NAT_TRANSITION_MS).FailureCode, 'Gateway.NotAttached');
});

test('network ACL handlers: a VPC default ACL, a custom ACL with entries, re-association and deletion rules', async () => {
  const { c, vpcId, subnetId } = await vpcWithSubnet('eu-north-1');
  const { NetworkAcls: [defaultAcl] } = await call(c, 'DescribeNetworkAcls', { Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'default', Values: ['true'] }] });
  assert.deepEqual(defaultAcl.Entries.map((e: any) => [e.RuleNumber, e.Egress, e.Protocol, e.RuleAction]), [
    [100, true, '-1', 'allow'], [32767, true, '-1', 'deny'], [100, false, '-1', 'allow'], [32767, false, '-1', 'deny'],
  ]);
  assert.deepEqual(defaultAcl.Associations.map((a: any) => a.SubnetId), [subnetId]);

  const { NetworkAcl: acl } = (await call(c, 'CreateNetworkAcl', { VpcId: vpcId })) as { NetworkAcl: NetworkAcl };
  assert.match(acl.NetworkAclId!, /^acl-[0-9a-f]{17}$/);
  assert.equal(acl.IsDefault, false);
  assert.deepEqual(acl.Entries!.map((e) => [e.RuleNumber, e.Egress, e.RuleAction]), [[32767, true, 'deny'], [32767, false, 'deny']]);
  const id = acl.NetworkAclId!;
  await call(c, 'CreateNetworkAclEntry', { NetworkAclId: id, RuleNumber: 100, Protocol: 'tcp', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } });
  await rejectsWith(call(c, 'CreateNetworkAclEntry', { NetworkAclId: id, RuleNumber: 100, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' }),
    'NetworkAclEntryAlreadyExists', 'The network acl entry identified by 100 already exists.');
  // The same number in the other direction is a different entry.
  await call(c, 'CreateNetworkAclEntry', { NetworkAclId: id, RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' });
  await call(c, 'ReplaceNetworkAclEntry', { NetworkAclId: id, RuleNumber: 100, Protocol: 'tcp', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.0.0/8', PortRange: { From: 80, To: 80 } });
  await rejectsWith(call(c, 'ReplaceNetworkAclEntry', { NetworkAclId: id, RuleNumber: 110, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' }),
    'InvalidNetworkAclEntry.NotFound', 'no ingress entry with number 110');
  await rejectsWith(call(c, 'DeleteNetworkAclEntry', { NetworkAclId: id, RuleNumber: 120, Egress: true }), 'InvalidNetworkAclEntry.NotFound', 'no egress entry with number 120');
  await rejectsWith(call(c, 'DeleteNetworkAclEntry', { NetworkAclId: id, RuleNumber: 32767, Egress: true }),
    'InvalidParameterValue', 'Value (32767) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766');
  await rejectsWith(call(c, 'CreateNetworkAclEntry', { NetworkAclId: 'acl-0123456789abcdef0', RuleNumber: 1, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' }),
    'InvalidNetworkAclID.NotFound', "The networkAcl ID 'acl-0123456789abcdef0' does not exist");
  let current = (await call(c, 'DescribeNetworkAcls', { NetworkAclIds: [id] })).NetworkAcls[0] as NetworkAcl;
  assert.deepEqual(current.Entries, [
    { Egress: true, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100, CidrBlock: '0.0.0.0/0' },
    { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
    { Egress: false, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, CidrBlock: '10.0.0.0/8', PortRange: { From: 80, To: 80 } },
    { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
  ]);
  const byPort = await call(c, 'DescribeNetworkAcls', { Filters: [{ Name: 'entry.port-range.from', Values: ['80'] }] });
  assert.deepEqual(byPort.NetworkAcls.map((a: NetworkAcl) => a.NetworkAclId), [id]);

  // Move the subnet to the custom ACL: a new association id, and the default ACL loses it.
  const oldAssociation = defaultAcl.Associations[0].NetworkAclAssociationId;
  const { NewAssociationId } = await call(c, 'ReplaceNetworkAclAssociation', { AssociationId: oldAssociation, NetworkAclId: id });
  assert.match(NewAssociationId, /^aclassoc-[0-9a-f]{17}$/);
  assert.notEqual(NewAssociationId, oldAssociation);
  current = (await call(c, 'DescribeNetworkAcls', { Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] })).NetworkAcls[0];
  assert.equal(current.NetworkAclId, id);
  assert.deepEqual(current.Associations, [{ NetworkAclAssociationId: NewAssociationId, NetworkAclId: id, SubnetId: subnetId }]);
  await rejectsWith(call(c, 'ReplaceNetworkAclAssociation', { AssociationId: oldAssociation, NetworkAclId: id }),
    'InvalidAssociationID.NotFound', `The association ID '${oldAssociation}' does not exist`);

  await rejectsWith(call(c, 'DeleteNetworkAcl', { NetworkAclId: id }), 'DependencyViolation', `The networkAcl '${id}' has dependencies and cannot be deleted.`);
  await rejectsWith(call(c, 'DeleteNetworkAcl', { NetworkAclId: defaultAcl.NetworkAclId }), 'InvalidParameterValue', `cannot delete default network ACL ${defaultAcl.NetworkAclId}`);
  await call(c, 'ReplaceNetworkAclAssociation', { AssociationId: NewAssociationId, NetworkAclId: defaultAcl.NetworkAclId });
  await call(c, 'DeleteNetworkAcl', { NetworkAclId: id });
  await rejectsWith(call(c, 'DescribeNetworkAcls', { NetworkAclIds: [id] }), 'InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`);
});

test('Elastic IP handlers: allocate, describe, associate to a stored instance, in-use release, quota', async () => {
  const c = ctx('eu-south-1');
  await ensureRegionDefaults(c);
  const first = await call(c, 'AllocateAddress', { Domain: 'vpc' });
  assert.match(first.AllocationId, /^eipalloc-[0-9a-f]{17}$/);
  assert.match(first.PublicIp, /^203\.0\.113\.\d+$/);
  assert.deepEqual([first.Domain, first.PublicIpv4Pool, first.NetworkBorderGroup], ['vpc', 'amazon', 'eu-south-1']);

  await rejectsWith(call(c, 'AssociateAddress', { AllocationId: first.AllocationId, InstanceId: 'i-0123456789abcdef0' }),
    'InvalidInstanceID.NotFound', "The instance ID 'i-0123456789abcdef0' does not exist");
  // Instances belong to another part of EC2: a stored document is all this slice needs.
  await store.put({ kind: 'ec2:instance', account: ACCOUNT, region: 'eu-south-1', id: 'i-0123456789abcdef0' }, {
    InstanceId: 'i-0123456789abcdef0', PrivateIpAddress: '172.31.3.4', NetworkInterfaceId: 'eni-0123456789abcdef0', Events: [{ action: 'launch', atMs: clock.nowMs() }],
  });
  const { AssociationId } = await call(c, 'AssociateAddress', { AllocationId: first.AllocationId, InstanceId: 'i-0123456789abcdef0' });
  assert.match(AssociationId, /^eipassoc-[0-9a-f]{17}$/);
  const { Addresses } = await call(c, 'DescribeAddresses', { Filters: [{ Name: 'instance-id', Values: ['i-0123456789abcdef0'] }] });
  assert.deepEqual(Addresses, [{
    AllocationId: first.AllocationId, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: 'eu-south-1', PublicIp: first.PublicIp, Tags: [],
    AssociationId, InstanceId: 'i-0123456789abcdef0', NetworkInterfaceId: 'eni-0123456789abcdef0', NetworkInterfaceOwnerId: ACCOUNT, PrivateIpAddress: '172.31.3.4',
  }]);
  await rejectsWith(call(c, 'ReleaseAddress', { AllocationId: first.AllocationId }), 'InvalidIPAddress.InUse', `Address ${first.PublicIp} is in use.`);

  // "If the instance already has an Elastic IP address associated with it, the existing Elastic IP
  // address is disassociated from the instance, but remains allocated to your account."
  const second = await call(c, 'AllocateAddress', {});
  const secondAssociation = (await call(c, 'AssociateAddress', { AllocationId: second.AllocationId, InstanceId: 'i-0123456789abcdef0' })).AssociationId;
  const after = await call(c, 'DescribeAddresses', { AllocationIds: [first.AllocationId, second.AllocationId] });
  assert.deepEqual(after.Addresses.map((a: any) => [a.AllocationId, a.InstanceId]), [[first.AllocationId, undefined], [second.AllocationId, 'i-0123456789abcdef0']]);
  // An address already associated elsewhere moves only with AllowReassociation.
  await store.put({ kind: 'ec2:instance', account: ACCOUNT, region: 'eu-south-1', id: 'i-0fedcba9876543210' }, { InstanceId: 'i-0fedcba9876543210', PrivateIpAddress: '172.31.9.9' });
  await rejectsWith(call(c, 'AssociateAddress', { AllocationId: second.AllocationId, InstanceId: 'i-0fedcba9876543210' }),
    'Resource.AlreadyAssociated', `resource ${second.AllocationId} is already associated with associate-id ${secondAssociation}`);
  await call(c, 'AssociateAddress', { AllocationId: second.AllocationId, InstanceId: 'i-0fedcba9876543210', AllowReassociation: true });
  const moved = (await call(c, 'DescribeAddresses', { PublicIps: [second.PublicIp] })).Addresses[0];
  assert.deepEqual([moved.InstanceId, moved.PrivateIpAddress, moved.NetworkInterfaceId], ['i-0fedcba9876543210', '172.31.9.9', undefined]);
  await call(c, 'DisassociateAddress', { AssociationId: moved.AssociationId });
  await store.put({ kind: 'ec2:instance', account: ACCOUNT, region: 'eu-south-1', id: 'i-0aaaaaaaaaaaaaaaa' }, {
    InstanceId: 'i-0aaaaaaaaaaaaaaaa', PrivateIpAddress: '172.31.9.10', Events: [{ action: 'launch', atMs: 0 }, { action: 'terminate', atMs: 1 }],
  });
  await rejectsWith(call(c, 'AssociateAddress', { AllocationId: second.AllocationId, InstanceId: 'i-0aaaaaaaaaaaaaaaa' }),
    'IncorrectInstanceState', "The instance 'i-0aaaaaaaaaaaaaaaa' is not in a valid state for this operation.");
  assert.equal((await call(c, 'DescribeAddresses', { PublicIps: [second.PublicIp] })).Addresses[0].AssociationId, undefined);

  await rejectsWith(call(c, 'DisassociateAddress', { AssociationId: 'eipassoc-0123456789abcdef0' }), 'InvalidAssociationID.NotFound', "The association ID 'eipassoc-0123456789abcdef0' does not exist");
  await rejectsWith(call(c, 'DescribeAddresses', { PublicIps: ['198.51.100.77'] }), 'InvalidAddress.NotFound', "Address '198.51.100.77' not found.");
  await rejectsWith(call(c, 'DescribeAddresses', { AllocationIds: ['eipalloc-0123456789abcdef0'] }), 'InvalidAllocationID.NotFound', "The allocation ID 'eipalloc-0123456789abcdef0' does not exist");

  for (let i = 0; i < 3; i++) await call(c, 'AllocateAddress', {});
  await rejectsWith(call(c, 'AllocateAddress', {}), 'AddressLimitExceeded', 'The maximum number of addresses has been reached.');
  await call(c, 'ReleaseAddress', { PublicIp: first.PublicIp });
  assert.equal((await call(c, 'DescribeAddresses', {})).Addresses.length, 4);
});

test('NAT gateway handlers: holds its EIP, routes to it, blocks DeleteVpc, fails without an internet gateway', async () => {
  const { c, vpcId, subnetId } = await vpcWithSubnet('eu-west-3');
  const eip = await call(c, 'AllocateAddress', {});

  // No internet gateway yet: the gateway is created, then fails as AWS reports it.
  const failing = (await call(c, 'CreateNatGateway', { SubnetId: subnetId, AllocationId: eip.AllocationId })).NatGateway;
  assert.equal(failing.State, 'pending');
  clock.advance(NAT_TRANSITION_MS);
  const failed = (await call(c, 'DescribeNatGateways', { NatGatewayIds: [failing.NatGatewayId] })).NatGateways[0];
  assert.deepEqual([failed.State, failed.FailureCode, failed.FailureMessage], ['failed', 'Gateway.NotAttached', `Network ${vpcId} has no Internet gateway attached`]);
  assert.equal((await call(c, 'DescribeAddresses', { AllocationIds: [eip.AllocationId] })).Addresses[0].AssociationId, undefined);
  await call(c, 'DeleteNatGateway', { NatGatewayId: failing.NatGatewayId });

  const igw = (await createInternetGateway(c, {})).InternetGateway as { InternetGatewayId: string };
  await attachInternetGateway(c, { InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId });
  const { NatGateway } = await call(c, 'CreateNatGateway', { SubnetId: subnetId, AllocationId: eip.AllocationId, TagSpecifications: [{ ResourceType: 'natgateway', Tags: [{ Key: 'Name', Value: 'nat-a' }] }] });
  const natId = NatGateway.NatGatewayId as string;
  assert.match(natId, /^nat-[0-9a-f]{17}$/);
  assert.deepEqual([NatGateway.State, NatGateway.VpcId, NatGateway.SubnetId, NatGateway.ConnectivityType], ['pending', vpcId, subnetId, 'public']);
  const address = NatGateway.NatGatewayAddresses[0];
  assert.equal(address.PublicIp, eip.PublicIp);
  assert.match(address.PrivateIp, /^10\.0\.1\.\d+$/);
  const held = (await call(c, 'DescribeAddresses', { AllocationIds: [eip.AllocationId] })).Addresses[0];
  assert.deepEqual([held.AssociationId, held.NetworkInterfaceId, held.PrivateIpAddress], [address.AssociationId, address.NetworkInterfaceId, address.PrivateIp]);
  await rejectsWith(call(c, 'ReleaseAddress', { AllocationId: eip.AllocationId }), 'InvalidIPAddress.InUse', `Address ${eip.PublicIp} is in use.`);

  // A second gateway on the same (now associated) address fails with Resource.AlreadyAssociated.
  const second = (await call(c, 'CreateNatGateway', { SubnetId: subnetId, AllocationId: eip.AllocationId })).NatGateway;
  clock.advance(NAT_TRANSITION_MS);
  const states = await call(c, 'DescribeNatGateways', { Filter: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'state', Values: ['available', 'failed'] }] });
  assert.deepEqual(states.NatGateways.map((n: any) => [n.NatGatewayId, n.State, n.FailureCode]).sort(), [
    [natId, 'available', undefined], [second.NatGatewayId, 'failed', 'Resource.AlreadyAssociated'],
  ].sort());
  assert.equal(states.NatGateways.find((n: any) => n.NatGatewayId === second.NatGatewayId).FailureMessage, `Elastic IP address [${eip.AllocationId}] is already associated`);
  await call(c, 'DeleteNatGateway', { NatGatewayId: second.NatGatewayId });

  const rtb = (await createRouteTable(c, { VpcId: vpcId })).RouteTable as { RouteTableId: string };
  await createRoute(c, { RouteTableId: rtb.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId });
  await rejectsWith(deleteVpc(c, { VpcId: vpcId }), 'DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`);

  const { NatGatewayId } = await call(c, 'DeleteNatGateway', { NatGatewayId: natId });
  assert.equal(NatGatewayId, natId);
  assert.equal((await call(c, 'DescribeNatGateways', { NatGatewayIds: [natId] })).NatGateways[0].State, 'deleting');
  const route = ((await describeRouteTables(c, { RouteTableIds: [rtb.RouteTableId] })).RouteTables[0]!.Routes ?? []).find((r) => r.NatGatewayId === natId);
  assert.equal(route!.State, 'blackhole');
  assert.equal((await call(c, 'DescribeAddresses', { AllocationIds: [eip.AllocationId] })).Addresses[0].AssociationId, undefined);
  await rejectsWith(call(c, 'DeleteNatGateway', { NatGatewayId: natId }), 'NatGatewayNotFound', `The Nat Gateway ${natId} was not found`);
  clock.advance(NAT_TRANSITION_MS);
  assert.equal((await call(c, 'DescribeNatGateways', { NatGatewayIds: [natId] })).NatGateways[0].State, 'deleted');
  clock.advance(NAT_RETENTION_MS);
  await rejectsWith(call(c, 'DescribeNatGateways', { NatGatewayIds: [natId] }), 'NatGatewayNotFound', `The Nat Gateway ${natId} was not found`);
  assert.equal((await readDb(c).list('nat')).length, 3);
});
