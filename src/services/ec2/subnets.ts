/**
 * Subnets: CreateSubnet inside one of its VPC's IPv4 blocks, not overlapping another subnet, in
 * one of the region's Availability Zones; DescribeSubnets; ModifySubnetAttribute; DeleteSubnet.
 */
import type { RequestContext } from '../../core/context.ts';
import type { CreateSubnetRequest, DeleteSubnetRequest, DescribeSubnetsRequest, ModifySubnetAttributeRequest } from '../../generated/ec2/types.ts';
import { containsBlock, formatCidr, overlaps, parseCidr } from './cidr.ts';
import { readDb, writeDb } from './db.ts';
import { dependencyViolation, ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newSubnetRecord, type NatGatewayRecord, type NetworkAclRecord, type RouteTableRecord, type SubnetRecord, type VpcRecord } from './records.ts';
import { zonesOf } from './regions.ts';
import { tagsFromSpecifications } from './tags.ts';
import { addSubnetToDefaultAcl } from './vpcs.ts';
import { ComputeDb } from './compute-store.ts';
import { terminatedAtMs, type InstanceRecord } from './instance-state.ts';
import { interfacesWhere } from './network-interfaces.ts';

/** The zone a CreateSubnet asks for (by name or id), or the region's first when it names none. */
function chooseZone(region: string, input: CreateSubnetRequest): { name: string; id: string } {
  const zones = zonesOf(region);
  if (input.AvailabilityZone !== undefined && input.AvailabilityZoneId !== undefined) {
    throw invalidParameterCombination('Only one of availabilityZone or availabilityZoneId may be specified.');
  }
  if (input.AvailabilityZone !== undefined) {
    const zone = zones.find((z) => z.name === input.AvailabilityZone);
    if (!zone) {
      throw invalidParameterValue(
        `Value (${input.AvailabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.name).join(', ')}.`,
      );
    }
    return zone;
  }
  if (input.AvailabilityZoneId !== undefined) {
    const zone = zones.find((z) => z.id === input.AvailabilityZoneId);
    if (!zone) {
      throw invalidParameterValue(
        `Value (${input.AvailabilityZoneId}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zone ids: ${zones.map((z) => z.id).join(', ')}.`,
      );
    }
    return zone;
  }
  return zones[0]!;
}

/**
 * Checks in AWS's order: the VPC exists, the CIDR is well-formed, /16../28 and inside one of the
 * VPC's blocks (InvalidSubnet.Range), then free (InvalidSubnet.Conflict).
 */
export async function createSubnet(ctx: RequestContext, input: CreateSubnetRequest) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
  const subnet = await writeDb(ctx, async (db) => {
    const vpc = await db.require<VpcRecord>('vpc', input.VpcId!);
    if (input.CidrBlock === undefined) throw missingParameter("Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
    const block = parseCidr(input.CidrBlock);
    if (!block) throw invalidParameterValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    const vpcBlocks = (vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === 'associated').map((a) => parseCidr(a.CidrBlock!)!);
    if (block.prefix < 16 || block.prefix > 28 || !vpcBlocks.some((b) => containsBlock(b, block))) {
      throw ec2Error('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    }
    const siblings = (await db.list<SubnetRecord>('subnet')).filter((s) => s.VpcId === vpc.VpcId);
    if (siblings.some((s) => overlaps(parseCidr(s.CidrBlock)!, block))) {
      throw ec2Error('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    }
    const zone = chooseZone(ctx.region, input);
    const created = newSubnetRecord({ account: ctx.accountId, region: ctx.region }, vpc, formatCidr(block), zone, { defaultForAz: false, tags });
    await db.put('subnet', created.SubnetId, created);
    const defaultAcl = (await db.list<NetworkAclRecord>('acl')).find((a) => a.VpcId === vpc.VpcId && a.IsDefault);
    if (defaultAcl) {
      addSubnetToDefaultAcl(defaultAcl, created.SubnetId);
      await db.put('acl', defaultAcl.NetworkAclId, defaultAcl);
    }
    return created;
  });
  // CreateSubnet answers while the subnet is still pending.
  return { Subnet: { ...subnet, State: 'pending' } };
}

const SUBNET_FILTERS: FilterFields<SubnetRecord> = {
  'availability-zone': (s) => s.AvailabilityZone,
  'availabilityZone': (s) => s.AvailabilityZone,
  'availability-zone-id': (s) => s.AvailabilityZoneId,
  'available-ip-address-count': (s) => s.AvailableIpAddressCount,
  'cidr-block': (s) => s.CidrBlock,
  'cidr': (s) => s.CidrBlock,
  'cidrBlock': (s) => s.CidrBlock,
  'default-for-az': (s) => s.DefaultForAz,
  'defaultForAz': (s) => s.DefaultForAz,
  'enable-dns64': (s) => s.EnableDns64,
  'ipv6-cidr-block-association.ipv6-cidr-block': (s) => (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock),
  'ipv6-cidr-block-association.association-id': (s) => (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.AssociationId),
  'ipv6-cidr-block-association.state': (s) => (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlockState?.State),
  'ipv6-native': (s) => s.Ipv6Native,
  'map-customer-owned-ip-on-launch': (s) => s.MapCustomerOwnedIpOnLaunch,
  'map-public-ip-on-launch': (s) => s.MapPublicIpOnLaunch,
  'owner-id': (s) => s.OwnerId,
  'private-dns-name-options-on-launch.hostname-type': (s) => s.PrivateDnsNameOptionsOnLaunch?.HostnameType,
  'state': (s) => s.State,
  'subnet-arn': (s) => s.SubnetArn,
  'subnet-id': (s) => s.SubnetId,
  'vpc-id': (s) => s.VpcId,
};

export async function describeSubnets(ctx: RequestContext, input: DescribeSubnetsRequest) {
  const subnets = await readDb(ctx).listOrSelect<SubnetRecord>('subnet', input.SubnetIds, (s) => s.SubnetId);
  const { page, nextToken } = paginate(applyFilters(subnets, input.Filters, SUBNET_FILTERS), input.MaxResults, input.NextToken);
  return { Subnets: page, NextToken: nextToken };
}

/** One attribute per call, as on AWS. */
export async function modifySubnetAttribute(ctx: RequestContext, input: ModifySubnetAttributeRequest) {
  const booleans = (['MapPublicIpOnLaunch', 'AssignIpv6AddressOnCreation', 'MapCustomerOwnedIpOnLaunch', 'EnableDns64'] as const).filter((m) => input[m] !== undefined);
  const dnsOptions = (['PrivateDnsHostnameTypeOnLaunch', 'EnableResourceNameDnsARecordOnLaunch', 'EnableResourceNameDnsAAAARecordOnLaunch'] as const).filter((m) => input[m] !== undefined);
  if (booleans.length + dnsOptions.length === 0) throw missingParameter('The request must contain the parameter attribute');
  if (booleans.length + dnsOptions.length > 1) throw invalidParameterCombination('You can only modify one attribute at a time.');
  await writeDb(ctx, async (db) => {
    const subnet = await db.require<SubnetRecord>('subnet', input.SubnetId!);
    const updated: SubnetRecord = { ...subnet };
    if (booleans.length === 1) {
      const member = booleans[0]!;
      if (member === 'AssignIpv6AddressOnCreation' && input.AssignIpv6AddressOnCreation?.Value && (subnet.Ipv6CidrBlockAssociationSet ?? []).length === 0) {
        throw invalidParameterValue(`Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet (${subnet.SubnetId}) has an IPv6 CIDR block associated with it.`);
      }
      updated[member] = input[member]!.Value ?? false;
    } else {
      const options = { ...subnet.PrivateDnsNameOptionsOnLaunch };
      if (input.PrivateDnsHostnameTypeOnLaunch !== undefined) options.HostnameType = input.PrivateDnsHostnameTypeOnLaunch;
      if (input.EnableResourceNameDnsARecordOnLaunch !== undefined) options.EnableResourceNameDnsARecord = input.EnableResourceNameDnsARecordOnLaunch.Value ?? false;
      if (input.EnableResourceNameDnsAAAARecordOnLaunch !== undefined) options.EnableResourceNameDnsAAAARecord = input.EnableResourceNameDnsAAAARecordOnLaunch.Value ?? false;
      updated.PrivateDnsNameOptionsOnLaunch = options;
    }
    await db.put('subnet', subnet.SubnetId, updated);
  });
  return {};
}

/**
 * A subnet with NAT gateways, network interfaces or live instances in it cannot be deleted
 * ("The subnet '…' has dependencies and cannot be deleted.").
 */
export async function deleteSubnet(ctx: RequestContext, input: DeleteSubnetRequest) {
  const subnetId = input.SubnetId!;
  await writeDb(ctx, async (db) => {
    await db.require<SubnetRecord>('subnet', subnetId);
    const nats = (await db.list<NatGatewayRecord>('nat')).filter((n) => n.SubnetId === subnetId && n.State !== 'deleted');
    if (nats.length > 0) throw dependencyViolation('subnet', subnetId);
    if ((await interfacesWhere(db, (e) => e.SubnetId === subnetId)).length > 0) throw dependencyViolation('subnet', subnetId);
    // Instances launched before interfaces were stored have no interface document.
    const compute = new ComputeDb(db.ops, ctx.accountId, ctx.region);
    if ((await compute.list<InstanceRecord>('instance')).some((i) => i.SubnetId === subnetId && terminatedAtMs(i.Events) === undefined)) {
      throw dependencyViolation('subnet', subnetId);
    }
    // Its route table and network ACL associations go with it.
    for (const table of await db.list<RouteTableRecord>('rtb')) {
      const kept = (table.Associations ?? []).filter((a) => a.SubnetId !== subnetId);
      if (kept.length !== (table.Associations ?? []).length) await db.put('rtb', table.RouteTableId, { ...table, Associations: kept });
    }
    for (const acl of await db.list<NetworkAclRecord>('acl')) {
      const kept = (acl.Associations ?? []).filter((a) => a.SubnetId !== subnetId);
      if (kept.length !== (acl.Associations ?? []).length) await db.put('acl', acl.NetworkAclId, { ...acl, Associations: kept });
    }
    await db.delete('subnet', subnetId);
  });
  return { };
}
