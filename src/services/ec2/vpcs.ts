/**
 * VPCs: CreateVpc (with its main route table, default network ACL and default security group),
 * DescribeVpcs, DeleteVpc, DNS attributes and secondary IPv4 CIDR blocks.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AssociateVpcCidrBlockRequest,
  CreateVpcRequest,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcsRequest,
  DisassociateVpcCidrBlockRequest,
  ModifyVpcAttributeRequest,
  Tag,
} from '../../generated/ec2/types.ts';
import { formatCidr, overlaps, parseCidr, rfc1918RangeOf, type Ipv4Block } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { dependencyViolation, ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import {
  localRoutes,
  newDefaultSecurityGroup,
  newNetworkAclRecord,
  newRouteTableRecord,
  newVpcRecord,
  vpcView,
  type InternetGatewayRecord,
  type NatGatewayRecord,
  type NetworkAclRecord,
  type Owner,
  type RouteTableRecord,
  type SecurityGroupRecord,
  type SubnetRecord,
  type VpcRecord,
} from './records.ts';
import { tagsFromSpecifications } from './tags.ts';

/** "VPCs per Region: 5" (Amazon VPC quotas). */
export const MAX_VPCS_PER_REGION = 5;
/** "IPv4 CIDR blocks per VPC: 5". */
const MAX_CIDRS_PER_VPC = 5;

function owner(ctx: RequestContext): Owner {
  return { account: ctx.accountId, region: ctx.region };
}

/**
 * A VPC CIDR block from the request: well-formed and between /16 and /28 ("The allowed block size
 * is between a /16 netmask (65,536 IP addresses) and /28 netmask (16 IP addresses)").
 */
export function parseVpcCidr(text: string): Ipv4Block {
  const block = parseCidr(text);
  if (!block) throw invalidParameterValue(`Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  if (block.prefix < 16 || block.prefix > 28) throw ec2Error('InvalidVpc.Range', `The CIDR '${text}' is invalid.`);
  return block;
}

/** Creates the VPC and the resources every VPC comes with. Returns them for callers that add more. */
export async function createVpcWithDefaults(db: Ec2Db, own: Owner, cidr: string, opts: { isDefault: boolean; tags: Tag[]; tenancy?: string }) {
  const vpc = newVpcRecord(own, cidr, opts);
  const mainRouteTable = newRouteTableRecord(own, vpc, { main: true, tags: [] });
  const defaultAcl = newNetworkAclRecord(own, vpc, { isDefault: true, tags: [] });
  const defaultGroup = newDefaultSecurityGroup(own, vpc.VpcId);
  await db.put('vpc', vpc.VpcId, vpc);
  await db.put('rtb', mainRouteTable.RouteTableId, mainRouteTable);
  await db.put('acl', defaultAcl.NetworkAclId, defaultAcl);
  await db.put('sg', defaultGroup.GroupId, defaultGroup);
  return { vpc, mainRouteTable, defaultAcl, defaultGroup };
}

/** New subnets are associated with their VPC's default network ACL. Mutates `acl`; the caller saves it. */
export function addSubnetToDefaultAcl(acl: NetworkAclRecord, subnetId: string): void {
  acl.Associations = [...(acl.Associations ?? []), { NetworkAclAssociationId: newEc2Id('aclassoc'), NetworkAclId: acl.NetworkAclId, SubnetId: subnetId }];
}

export async function createVpc(ctx: RequestContext, input: CreateVpcRequest) {
  if (input.CidrBlock === undefined) {
    if (input.Ipv4IpamPoolId !== undefined) throw ec2Error('InvalidIpamPoolId.NotFound', `The ipam pool ID '${input.Ipv4IpamPoolId}' does not exist`);
    throw missingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  }
  const block = parseVpcCidr(input.CidrBlock);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');
  const vpc = await writeDb(ctx, async (db) => {
    const existing = await db.list<VpcRecord>('vpc');
    if (existing.length >= MAX_VPCS_PER_REGION) throw ec2Error('VpcLimitExceeded', 'The maximum number of VPCs has been reached.');
    return (await createVpcWithDefaults(db, owner(ctx), formatCidr(block), { isDefault: false, tags, tenancy: input.InstanceTenancy })).vpc;
  });
  // CreateVpc answers while the VPC is still pending; DescribeVpcs shows it available.
  return { Vpc: { ...vpcView(vpc), State: 'pending' } };
}

const VPC_FILTERS: FilterFields<VpcRecord> = {
  'cidr': (v) => v.CidrBlock,
  'cidr-block-association.cidr-block': (v) => (v.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock),
  'cidr-block-association.association-id': (v) => (v.CidrBlockAssociationSet ?? []).map((a) => a.AssociationId),
  'cidr-block-association.state': (v) => (v.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlockState?.State),
  'dhcp-options-id': (v) => v.DhcpOptionsId,
  'ipv6-cidr-block-association.ipv6-cidr-block': (v) => (v.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock),
  'ipv6-cidr-block-association.ipv6-pool': (v) => (v.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6Pool),
  'ipv6-cidr-block-association.association-id': (v) => (v.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.AssociationId),
  'ipv6-cidr-block-association.state': (v) => (v.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlockState?.State),
  'is-default': (v) => v.IsDefault,
  'owner-id': (v) => v.OwnerId,
  'state': (v) => v.State,
  'vpc-id': (v) => v.VpcId,
};

export async function describeVpcs(ctx: RequestContext, input: DescribeVpcsRequest) {
  const vpcs = await readDb(ctx).listOrSelect<VpcRecord>('vpc', input.VpcIds, (v) => v.VpcId);
  const { page, nextToken } = paginate(applyFilters(vpcs, input.Filters, VPC_FILTERS), input.MaxResults, input.NextToken);
  return { Vpcs: page.map(vpcView), NextToken: nextToken };
}

/**
 * DeleteVpc refuses while anything the user created remains in the VPC: subnets, attached
 * gateways, NAT gateways, security groups, network ACLs and route tables other than the ones
 * the VPC came with. Those are deleted with it.
 */
export async function deleteVpc(ctx: RequestContext, input: DeleteVpcRequest) {
  const vpcId = input.VpcId!;
  await writeDb(ctx, async (db) => {
    await db.require<VpcRecord>('vpc', vpcId);
    const inVpc = <T extends { VpcId?: string }>(items: T[]) => items.filter((i) => i.VpcId === vpcId);
    const subnets = inVpc(await db.list<SubnetRecord>('subnet'));
    const gateways = (await db.list<InternetGatewayRecord>('igw')).filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId));
    const nats = inVpc(await db.list<NatGatewayRecord>('nat')).filter((n) => n.State !== 'deleted');
    const groups = inVpc(await db.list<SecurityGroupRecord>('sg'));
    const acls = inVpc(await db.list<NetworkAclRecord>('acl'));
    const tables = inVpc(await db.list<RouteTableRecord>('rtb'));
    const isMain = (t: RouteTableRecord) => (t.Associations ?? []).some((a) => a.Main);
    if (
      subnets.length > 0 ||
      gateways.length > 0 ||
      nats.length > 0 ||
      groups.some((g) => g.GroupName !== 'default') ||
      acls.some((a) => !a.IsDefault) ||
      tables.some((t) => !isMain(t))
    ) {
      throw dependencyViolation('vpc', vpcId);
    }
    for (const g of groups) await db.delete('sg', g.GroupId);
    for (const a of acls) await db.delete('acl', a.NetworkAclId);
    for (const t of tables) await db.delete('rtb', t.RouteTableId);
    await db.delete('vpc', vpcId);
  });
  return { Return: true };
}

const VPC_ATTRIBUTES = ['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'] as const;

export async function describeVpcAttribute(ctx: RequestContext, input: DescribeVpcAttributeRequest) {
  const vpc = await readDb(ctx).require<VpcRecord>('vpc', input.VpcId!);
  const attribute = input.Attribute as string;
  if (!(VPC_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
  const member = (attribute.charAt(0).toUpperCase() + attribute.slice(1)) as keyof VpcRecord['Attributes'];
  return { VpcId: vpc.VpcId, [member]: { Value: vpc.Attributes[member] } };
}

/** One attribute per call, as the API reference says ("You can only modify one attribute at a time"). */
export async function modifyVpcAttribute(ctx: RequestContext, input: ModifyVpcAttributeRequest) {
  const changes = (['EnableDnsSupport', 'EnableDnsHostnames', 'EnableNetworkAddressUsageMetrics'] as const).filter((m) => input[m] !== undefined);
  if (changes.length === 0) throw missingParameter('The request must contain the parameter attribute');
  if (changes.length > 1) throw invalidParameterCombination('Fields for multiple attribute types specified: ' + changes.map((c) => c.charAt(0).toLowerCase() + c.slice(1)).join(', '));
  const member = changes[0]!;
  const value = input[member]!.Value ?? false;
  await writeDb(ctx, async (db) => {
    const vpc = await db.require<VpcRecord>('vpc', input.VpcId!);
    await db.put('vpc', vpc.VpcId, { ...vpc, Attributes: { ...vpc.Attributes, [member]: value } });
  });
  return {};
}

/**
 * A secondary IPv4 block: /16../28, not overlapping the VPC's blocks, and from the same RFC 1918
 * range as the primary when that is private ("IPv4 CIDR block association restrictions").
 */
export async function associateVpcCidrBlock(ctx: RequestContext, input: AssociateVpcCidrBlockRequest) {
  if (input.CidrBlock === undefined) {
    throw missingParameter("Either 'cidrBlock', 'amazonProvidedIpv6CidrBlock', 'ipv6Pool' or 'ipv4IpamPoolId' should be provided.");
  }
  const block = parseVpcCidr(input.CidrBlock);
  return writeDb(ctx, async (db) => {
    const vpc = await db.require<VpcRecord>('vpc', input.VpcId!);
    const current = (vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === 'associated');
    if (current.length >= MAX_CIDRS_PER_VPC) {
      throw ec2Error('CidrLimitExceeded', `This network '${vpc.VpcId}' has met its maximum number of allowed CIDRs: ${MAX_CIDRS_PER_VPC}`);
    }
    const primary = parseCidr(vpc.CidrBlock)!;
    const primaryRange = rfc1918RangeOf(primary);
    const range = rfc1918RangeOf(block);
    const conflicts = current.some((a) => overlaps(parseCidr(a.CidrBlock!)!, block));
    if (conflicts || (primaryRange && range && primaryRange.network !== range.network)) {
      throw ec2Error('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
    }
    const association = { AssociationId: newEc2Id('vpc-cidr-assoc'), CidrBlock: formatCidr(block), CidrBlockState: { State: 'associated' as const } };
    const updated: VpcRecord = { ...vpc, CidrBlockAssociationSet: [...(vpc.CidrBlockAssociationSet ?? []), association] };
    await db.put('vpc', vpc.VpcId, updated);
    await refreshLocalRoutes(db, updated);
    return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...association, CidrBlockState: { State: 'associating' } } };
  });
}

export async function disassociateVpcCidrBlock(ctx: RequestContext, input: DisassociateVpcCidrBlockRequest) {
  const associationId = input.AssociationId!;
  return writeDb(ctx, async (db) => {
    const vpc = (await db.list<VpcRecord>('vpc')).find((v) => (v.CidrBlockAssociationSet ?? []).some((a) => a.AssociationId === associationId));
    if (!vpc) throw ec2Error('InvalidVpcCidrBlockAssociationID.NotFound', `The vpc CIDR block association ID '${associationId}' does not exist`);
    const association = vpc.CidrBlockAssociationSet!.find((a) => a.AssociationId === associationId)!;
    if (association.CidrBlock === vpc.CidrBlock) {
      throw ec2Error('OperationNotPermitted', `The vpc CIDR block with association ID ${associationId} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`);
    }
    const block = parseCidr(association.CidrBlock!)!;
    const subnets = (await db.list<SubnetRecord>('subnet')).filter((s) => s.VpcId === vpc.VpcId && overlaps(parseCidr(s.CidrBlock)!, block));
    if (subnets.length > 0) throw dependencyViolation('vpc', vpc.VpcId);
    const updated: VpcRecord = { ...vpc, CidrBlockAssociationSet: vpc.CidrBlockAssociationSet!.filter((a) => a.AssociationId !== associationId) };
    await db.put('vpc', vpc.VpcId, updated);
    await refreshLocalRoutes(db, updated);
    return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...association, CidrBlockState: { State: 'disassociating' } } };
  });
}

/** Route tables carry one local route per VPC block: keep them in step with the VPC's blocks. */
async function refreshLocalRoutes(db: Ec2Db, vpc: VpcRecord): Promise<void> {
  for (const table of (await db.list<RouteTableRecord>('rtb')).filter((t) => t.VpcId === vpc.VpcId)) {
    const others = (table.Routes ?? []).filter((r) => r.GatewayId !== 'local');
    await db.put('rtb', table.RouteTableId, { ...table, Routes: [...localRoutes(vpc), ...others] });
  }
}
