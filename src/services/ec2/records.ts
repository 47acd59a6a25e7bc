/**
 * The documents EC2 keeps, shaped as the API describes each resource, and the builders that make
 * new ones with AWS's defaults (a VPC's main route table with its local route, its default network
 * ACL that allows everything, its default security group).
 */
import type {
  Address,
  InternetGateway,
  IpPermission,
  NatGateway,
  NetworkAcl,
  NetworkAclEntry,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Tag,
  Vpc,
} from '../../generated/ec2/types.ts';
import { createHash } from 'node:crypto';
import { blockSize, formatCidr, parseCidr } from './cidr.ts';
import { ec2Arn, newEc2Id } from './ids.ts';

export interface VpcRecord extends Vpc {
  VpcId: string;
  CidrBlock: string;
  /** DNS attributes (DescribeVpcAttribute); not members of the Vpc shape. */
  Attributes: { EnableDnsSupport: boolean; EnableDnsHostnames: boolean; EnableNetworkAddressUsageMetrics: boolean };
}
export type SubnetRecord = Subnet & { SubnetId: string; VpcId: string; CidrBlock: string };
export type InternetGatewayRecord = InternetGateway & { InternetGatewayId: string };
export type RouteTableRecord = RouteTable & { RouteTableId: string; VpcId: string };
export type NetworkAclRecord = NetworkAcl & { NetworkAclId: string; VpcId: string };
/** Rules are kept one by one (with their sgr- ids); IpPermissions are derived from them. */
export type SecurityGroupRecord = Omit<SecurityGroup, 'IpPermissions' | 'IpPermissionsEgress'> & { GroupId: string; GroupName: string; VpcId: string; Rules: SecurityGroupRule[] };
export type AddressRecord = Address & { AllocationId: string; PublicIp: string };
export type NatGatewayRecord = NatGateway & { NatGatewayId: string; SubnetId: string; VpcId: string; AllocationId?: string; AvailableAtMs: number };

/**
 * A network interface (ENI). Every instance's primary interface (device index 0) has one, made by
 * RunInstances and deleted at termination; for it the instance document stays the source of the
 * security groups and source/destination check (ModifyInstanceAttribute and
 * ModifyNetworkInterfaceAttribute both write there), so `Groups` and `SourceDestCheck` here are
 * read only for interfaces that are not an instance's primary one.
 */
export interface NetworkInterfaceRecord {
  NetworkInterfaceId: string;
  SubnetId: string;
  VpcId: string;
  AvailabilityZone: string;
  AvailabilityZoneId: string;
  OwnerId: string;
  Description: string;
  MacAddress: string;
  PrivateIpAddress: string;
  Groups: string[];
  SourceDestCheck: boolean;
  /** 'interface' for the user's; NAT gateways' are not stored (nat-gateways.ts). */
  InterfaceType: 'interface';
  Tags: Tag[];
  CreatedAtMs: number;
  Attachment?: NetworkInterfaceAttachmentRecord;
}

export interface NetworkInterfaceAttachmentRecord {
  AttachmentId: string;
  InstanceId: string;
  DeviceIndex: number;
  DeleteOnTermination: boolean;
  AttachTimeMs: number;
}

export interface Owner {
  account: string;
  region: string;
}

/** The region's default DHCP options set: one per account and region, as AWS creates it. */
export function dhcpOptionsId(owner: Owner): string {
  return `dopt-${createHash('sha256').update(`${owner.account}/${owner.region}`).digest('hex').slice(0, 17)}`;
}

export function newVpcRecord(owner: Owner, cidr: string, opts: { isDefault: boolean; tags: Tag[]; tenancy?: string }): VpcRecord {
  return {
    OwnerId: owner.account,
    InstanceTenancy: (opts.tenancy ?? 'default') as Vpc['InstanceTenancy'],
    Ipv6CidrBlockAssociationSet: [],
    CidrBlockAssociationSet: [{ AssociationId: newEc2Id('vpc-cidr-assoc'), CidrBlock: cidr, CidrBlockState: { State: 'associated' } }],
    IsDefault: opts.isDefault,
    Tags: opts.tags,
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    VpcId: newEc2Id('vpc'),
    State: 'available',
    CidrBlock: cidr,
    DhcpOptionsId: dhcpOptionsId(owner),
    // "Default VPCs have both attributes set to true; other VPCs have DNS hostnames off."
    Attributes: { EnableDnsSupport: true, EnableDnsHostnames: opts.isDefault, EnableNetworkAddressUsageMetrics: false },
  };
}

/** The Vpc shape without Bonsai's internal members. */
export function vpcView(vpc: VpcRecord): Vpc {
  const { Attributes: _attributes, ...view } = vpc;
  return view;
}

export function newSubnetRecord(
  owner: Owner,
  vpc: VpcRecord,
  cidr: string,
  zone: { name: string; id: string },
  opts: { defaultForAz: boolean; tags: Tag[] },
): SubnetRecord {
  const subnetId = newEc2Id('subnet');
  const block = parseCidr(cidr)!;
  return {
    AvailabilityZoneId: zone.id,
    MapCustomerOwnedIpOnLaunch: false,
    OwnerId: owner.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: opts.tags,
    SubnetArn: ec2Arn(owner.region, owner.account, 'subnet', subnetId),
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    SubnetId: subnetId,
    State: 'available',
    VpcId: vpc.VpcId,
    CidrBlock: formatCidr(block),
    // AWS reserves the first four addresses and the last one of every subnet.
    AvailableIpAddressCount: blockSize(block) - 5,
    AvailabilityZone: zone.name,
    DefaultForAz: opts.defaultForAz,
    // Only default subnets assign public addresses unless told to (ModifySubnetAttribute).
    MapPublicIpOnLaunch: opts.defaultForAz,
  };
}

export function newInternetGatewayRecord(owner: Owner, tags: Tag[]): InternetGatewayRecord {
  return { Attachments: [], InternetGatewayId: newEc2Id('igw'), OwnerId: owner.account, Tags: tags };
}

/** A route table with the VPC's local route(s); the main table also carries the main association. */
export function newRouteTableRecord(owner: Owner, vpc: VpcRecord, opts: { main: boolean; tags: Tag[] }): RouteTableRecord {
  const routeTableId = newEc2Id('rtb');
  return {
    Associations: opts.main
      ? [{ Main: true, RouteTableAssociationId: newEc2Id('rtbassoc'), RouteTableId: routeTableId, AssociationState: { State: 'associated' } }]
      : [],
    PropagatingVgws: [],
    RouteTableId: routeTableId,
    Routes: localRoutes(vpc),
    Tags: opts.tags,
    VpcId: vpc.VpcId,
    OwnerId: owner.account,
  };
}

/** One local route per associated IPv4 CIDR block of the VPC. */
export function localRoutes(vpc: VpcRecord): NonNullable<RouteTable['Routes']> {
  return (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlockState?.State === 'associated')
    .map((a) => ({ DestinationCidrBlock: a.CidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }));
}

/** A VPC's default ACL allows all traffic (rule 100) in both directions; every ACL ends with the * deny (32767). */
export function newNetworkAclRecord(owner: Owner, vpc: VpcRecord, opts: { isDefault: boolean; tags: Tag[] }): NetworkAclRecord {
  const deny = (egress: boolean): NetworkAclEntry => ({ CidrBlock: '0.0.0.0/0', Egress: egress, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 });
  const allow = (egress: boolean): NetworkAclEntry => ({ CidrBlock: '0.0.0.0/0', Egress: egress, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 });
  return {
    Associations: [],
    Entries: opts.isDefault ? [allow(true), deny(true), allow(false), deny(false)] : [deny(true), deny(false)],
    IsDefault: opts.isDefault,
    NetworkAclId: newEc2Id('acl'),
    Tags: opts.tags,
    VpcId: vpc.VpcId,
    OwnerId: owner.account,
  };
}

export function newSecurityGroupRecord(owner: Owner, vpcId: string, name: string, description: string, tags: Tag[]): SecurityGroupRecord {
  const groupId = newEc2Id('sg');
  return {
    GroupId: groupId,
    Tags: tags,
    VpcId: vpcId,
    SecurityGroupArn: ec2Arn(owner.region, owner.account, 'sg', groupId),
    OwnerId: owner.account,
    GroupName: name,
    Description: description,
    // Every new group allows all outbound IPv4 traffic.
    Rules: [newRule(owner, groupId, true, { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' })],
  };
}

/** The default group also admits all traffic from its own members. */
export function newDefaultSecurityGroup(owner: Owner, vpcId: string): SecurityGroupRecord {
  const group = newSecurityGroupRecord(owner, vpcId, 'default', 'default VPC security group', []);
  group.Rules.unshift(newRule(owner, group.GroupId, false, { IpProtocol: '-1', ReferencedGroupInfo: { GroupId: group.GroupId, UserId: owner.account } }));
  return group;
}

export function newRule(owner: Owner, groupId: string, isEgress: boolean, spec: Partial<SecurityGroupRule>): SecurityGroupRule {
  const ruleId = newEc2Id('sgr');
  const protocol = spec.IpProtocol ?? '-1';
  const allPorts = protocol === '-1';
  return {
    SecurityGroupRuleId: ruleId,
    GroupId: groupId,
    GroupOwnerId: owner.account,
    IsEgress: isEgress,
    IpProtocol: protocol,
    FromPort: allPorts ? -1 : spec.FromPort,
    ToPort: allPorts ? -1 : spec.ToPort,
    ...(spec.CidrIpv4 !== undefined ? { CidrIpv4: spec.CidrIpv4 } : {}),
    ...(spec.CidrIpv6 !== undefined ? { CidrIpv6: spec.CidrIpv6 } : {}),
    ...(spec.PrefixListId !== undefined ? { PrefixListId: spec.PrefixListId } : {}),
    ...(spec.ReferencedGroupInfo !== undefined ? { ReferencedGroupInfo: spec.ReferencedGroupInfo } : {}),
    ...(spec.Description !== undefined ? { Description: spec.Description } : {}),
    Tags: spec.Tags ?? [],
    SecurityGroupRuleArn: ec2Arn(owner.region, owner.account, 'security-group-rule', ruleId),
  };
}

/** Rules grouped back into IpPermissions the way DescribeSecurityGroups presents them. */
export function permissionsOf(rules: SecurityGroupRule[], egress: boolean): IpPermission[] {
  const out: IpPermission[] = [];
  for (const rule of rules.filter((r) => r.IsEgress === egress)) {
    let perm = out.find((p) => p.IpProtocol === rule.IpProtocol && p.FromPort === portOrUndefined(rule, 'FromPort') && p.ToPort === portOrUndefined(rule, 'ToPort'));
    if (!perm) {
      perm = { IpProtocol: rule.IpProtocol, UserIdGroupPairs: [], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] };
      if (rule.IpProtocol !== '-1') {
        perm.FromPort = rule.FromPort;
        perm.ToPort = rule.ToPort;
      }
      out.push(perm);
    }
    const description = rule.Description !== undefined ? { Description: rule.Description } : {};
    if (rule.CidrIpv4 !== undefined) perm.IpRanges!.push({ CidrIp: rule.CidrIpv4, ...description });
    if (rule.CidrIpv6 !== undefined) perm.Ipv6Ranges!.push({ CidrIpv6: rule.CidrIpv6, ...description });
    if (rule.PrefixListId !== undefined) perm.PrefixListIds!.push({ PrefixListId: rule.PrefixListId, ...description });
    if (rule.ReferencedGroupInfo !== undefined) {
      perm.UserIdGroupPairs!.push({ UserId: rule.ReferencedGroupInfo.UserId, GroupId: rule.ReferencedGroupInfo.GroupId, ...description });
    }
  }
  return out;
}

function portOrUndefined(rule: SecurityGroupRule, member: 'FromPort' | 'ToPort'): number | undefined {
  return rule.IpProtocol === '-1' ? undefined : rule[member];
}

export function securityGroupView(group: SecurityGroupRecord): SecurityGroup {
  const { Rules, ...rest } = group;
  return { ...rest, IpPermissions: permissionsOf(Rules, false), IpPermissionsEgress: permissionsOf(Rules, true) };
}

export type { Address, NatGateway };
