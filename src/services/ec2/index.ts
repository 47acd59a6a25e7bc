/**
 * Amazon EC2, foundations and VPC networking: regions and zones, each region's default VPC,
 * VPCs, subnets, internet gateways, route tables, security groups and tags; the image and
 * instance-type catalogue comes from ./catalog/. Authorization is in authz.ts.
 *
 * Every handler goes through `ec2Operation`: after authorization succeeded, a DryRun request
 * answers DryRunOperation (412) without doing anything; otherwise the region's default VPC is
 * made sure of before the operation runs.
 */
import type { RequestContext } from '../../core/context.ts';
import type { Ec2Handlers } from '../../generated/ec2/handlers.ts';
import type { Handler } from '../types.ts';
import { defineService } from '../types.ts';
import { ec2Migrations } from './address-index.ts';
import { catalogHandlers } from './catalog/index.ts';
import { computeHandlers } from './compute.ts';
import { ec2Authz } from './authz.ts';
import { edgeNetworkHandlers } from './edge-network.ts';
import { ensureRegionDefaults } from './defaults.ts';
import { dryRunOperation } from './errors.ts';
import { describeAccountAttributes, describeAvailabilityZones, describeRegions } from './regions.ts';
import { createTags, deleteTags, describeTags } from './tags.ts';
import {
  associateVpcCidrBlock,
  createVpc,
  deleteVpc,
  describeVpcAttribute,
  describeVpcs,
  disassociateVpcCidrBlock,
  modifyVpcAttribute,
} from './vpcs.ts';
import { createSubnet, deleteSubnet, describeSubnets, modifySubnetAttribute } from './subnets.ts';
import {
  attachNetworkInterface,
  createNetworkInterface,
  deleteNetworkInterface,
  describeNetworkInterfaceAttribute,
  describeNetworkInterfaces,
  detachNetworkInterface,
  modifyNetworkInterfaceAttribute,
} from './network-interfaces.ts';
import { attachInternetGateway, createInternetGateway, deleteInternetGateway, describeInternetGateways, detachInternetGateway } from './gateways.ts';
import {
  associateRouteTable,
  createRoute,
  createRouteTable,
  deleteRoute,
  deleteRouteTable,
  describeRouteTables,
  disassociateRouteTable,
  replaceRoute,
  replaceRouteTableAssociation,
} from './route-tables.ts';
import {
  authorizeSecurityGroupEgress,
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroupRules,
  describeSecurityGroups,
  revokeSecurityGroupEgress,
  revokeSecurityGroupIngress,
} from './security-groups.ts';

type Impl = (ctx: RequestContext, input: any) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** DryRun after authorization, then the region's defaults, then the operation. */
function ec2Operation(impl: Impl): Handler {
  return async (input, ctx) => {
    if (input?.DryRun === true) throw dryRunOperation();
    await ensureRegionDefaults(ctx);
    return impl(ctx, input);
  };
}

const networkHandlers: Record<string, Impl> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeAccountAttributes: describeAccountAttributes,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  DescribeVpcAttribute: describeVpcAttribute,
  ModifyVpcAttribute: modifyVpcAttribute,
  AssociateVpcCidrBlock: associateVpcCidrBlock,
  DisassociateVpcCidrBlock: disassociateVpcCidrBlock,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  ModifySubnetAttribute: modifySubnetAttribute,
  DeleteSubnet: deleteSubnet,
  CreateNetworkInterface: createNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DeleteNetworkInterface: deleteNetworkInterface,
  AttachNetworkInterface: attachNetworkInterface,
  DetachNetworkInterface: detachNetworkInterface,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
  DescribeNetworkInterfaceAttribute: describeNetworkInterfaceAttribute,
  CreateInternetGateway: createInternetGateway,
  DescribeInternetGateways: describeInternetGateways,
  AttachInternetGateway: attachInternetGateway,
  DetachInternetGateway: detachInternetGateway,
  DeleteInternetGateway: deleteInternetGateway,
  CreateRouteTable: createRouteTable,
  DescribeRouteTables: describeRouteTables,
  DeleteRouteTable: deleteRouteTable,
  CreateRoute: createRoute,
  ReplaceRoute: replaceRoute,
  DeleteRoute: deleteRoute,
  AssociateRouteTable: associateRouteTable,
  DisassociateRouteTable: disassociateRouteTable,
  ReplaceRouteTableAssociation: replaceRouteTableAssociation,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSecurityGroupRules: describeSecurityGroupRules,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
};

/** The catalogue's handlers take (input, ctx); they get the same DryRun treatment. */
const catalog: Record<string, Impl> = Object.fromEntries(
  Object.entries(catalogHandlers as Record<string, Handler>).map(([name, handler]) => [name, (ctx: RequestContext, input: unknown) => handler(input, ctx)]),
);

export const ec2Handlers: Record<string, Handler> = Object.fromEntries(
  Object.entries({ ...catalog, ...networkHandlers, ...edgeNetworkHandlers, ...computeHandlers }).map(([name, impl]) => [name, ec2Operation(impl)]),
);

export const ec2 = defineService<Ec2Handlers>({
  name: 'ec2',
  signingName: 'ec2',
  protocol: 'ec2',
  apiVersion: '2016-11-15',
  authFamily: 'ec2',
  authz: ec2Authz(Object.keys(ec2Handlers)),
  handlers: ec2Handlers as Partial<Ec2Handlers>,
  migrations: ec2Migrations,
  compatibility: {
    notes: [
      'Each region gets its default VPC (172.31.0.0/16, a /20 default subnet per Availability Zone, an attached internet gateway, main route table, default network ACL and default security group) on the first EC2 request in that region.',
      'DryRun answers DryRunOperation (412) once authorization succeeds; it does not check that the named resources exist.',
      'UnauthorizedOperation for an action on a resource ends with "Encoded authorization failure message: …", which sts:DecodeAuthorizationMessage decodes in the same account to AWS\'s shape (allowed, explicitDeny, matchedStatements, failures, context with principal, action, resource and the resource\'s aws:* condition keys); matchedStatements and failures are always empty and the principal carries no unique id. Describe* denials (no resource) carry the plain message, as on AWS.',
      'Availability Zone ids map zone letters in order (us-west-2a → usw2-az1); AWS maps them per account.',
      'Opt-in regions are reported as opted-in: Bonsai serves every region.',
      'Quotas enforced: 5 VPCs per region, 5 IPv4 CIDR blocks per VPC, 50 tags per resource.',
      'IPv6 CIDR blocks, IPAM pools, prefix lists (accepted in rules but not checked), VPC peering and transit gateways are not modelled.',
      'Subnets created without an Availability Zone go to the region\'s first zone (AWS picks one).',
    ],
    operations: {
      AllocateAddress: 'Addresses come from the documentation ranges 203.0.113.0/24, 198.51.100.0/24 and 192.0.2.0/24 (Amazon pool only: Address, PublicIpv4Pool, CustomerOwnedIpv4Pool and IpamPoolId are refused); 5 per region.',
      CreateNatGateway: 'pending → available (and deleting → deleted) take 5 seconds of Bonsai\'s clock; failures (Elastic IP already associated, no internet gateway) show as state failed with AWS\'s FailureCode. Secondary addresses, regional availability mode and ClientToken idempotency are not modelled.',
      AssociateAddress: 'Instances are known by their ec2:instance documents, network interfaces by ec2:eni documents.',
      CreateNetworkInterface: 'One private IPv4 address per interface (secondary addresses, prefixes, IPv6 and EFA are refused or not modelled); addresses are the subnet\'s first free ones. Every instance\'s primary interface is listed too; NAT gateways\' interfaces are not.',
      DeleteNetworkInterface: 'An attached interface answers InvalidParameterValue "Network interface \'eni-…\' is currently in use.", as AWS does.',
      AttachNetworkInterface: 'Same Availability Zone and VPC, a free device index, within the instance type\'s MaximumNetworkInterfaces; network card index 0 only.',
      RunInstances: 'BONSAI_EC2_INSTANCE_QUOTA raises the instance quota (default 20). Instances only exist as records (user data is stored, not run yet). Private addresses are the subnet\'s first free ones after the 4 reserved (AWS picks any); public addresses are random in Amazon ranges. Without InstanceType t2.micro is used (AWS defaults to m1.small, which Bonsai does not offer). Quota: 20 pending or running instances per region. Launch templates, Spot, placement groups, IPv6, secondary interfaces at launch (NetworkInterfaces past device index 0, or an existing NetworkInterfaceId), instance store volumes and encrypted volumes with KMS keys are not modelled.',
      StopInstances: 'pending → running takes 2 s, stopping → stopped and shutting-down → terminated 3 s of Bonsai\'s clock; terminated instances vanish after an hour. Hibernate needs HibernationOptions at launch.',
      DescribeInstanceStatus: 'Running instances report ok/passed at once (no initializing period); scheduled events are not modelled.',
      CreateKeyPair: 'RSA (PKCS#1 PEM) and ED25519 (OpenSSH) keys; KeyFormat ppk is refused. Only public keys are stored.',
      CreateVolume: 'Volumes are available at once (the response says creating); size and IOPS limits per type as documented, sizes up to 16 TiB. Encryption is recorded but no KMS key is used.',
      ModifyVolume: 'Modifications complete at once (the response says modifying, DescribeVolumesModifications completed).',
      CreateSnapshot: 'Snapshots complete at once (the response says pending); they hold no data. DescribeSnapshots lists the account\'s own snapshots only.',
      CopySnapshot: 'Copies within the account from any region; the copy reports VolumeId vol-ffffffff.',
      CreateImage: 'The image is available at once, with a snapshot of each attached volume; without NoReboot a running instance records a reboot.',
      DeregisterImage: 'Deregistering a public catalog image answers AuthFailure.',
    },
  },
});
