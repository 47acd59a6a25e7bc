/**
 * The VPC's edge: network ACLs (subnet firewalls), Elastic IP addresses and NAT gateways. One table
 * of handlers, spread into index.ts's `ec2Handlers`, so this part of EC2 is added in one place.
 */
import type { RequestContext } from '../../core/context.ts';
import { allocateAddress, associateAddress, describeAddresses, disassociateAddress, releaseAddress } from './addresses.ts';
import { createNatGateway, deleteNatGateway, describeNatGateways } from './nat-gateways.ts';
import {
  createNetworkAcl,
  createNetworkAclEntry,
  deleteNetworkAcl,
  deleteNetworkAclEntry,
  describeNetworkAcls,
  replaceNetworkAclAssociation,
  replaceNetworkAclEntry,
} from './network-acls.ts';

type Impl = (ctx: RequestContext, input: any) => Promise<Record<string, unknown>> | Record<string, unknown>;

export const edgeNetworkHandlers: Record<string, Impl> = {
  CreateNetworkAcl: createNetworkAcl,
  DescribeNetworkAcls: describeNetworkAcls,
  DeleteNetworkAcl: deleteNetworkAcl,
  CreateNetworkAclEntry: createNetworkAclEntry,
  ReplaceNetworkAclEntry: replaceNetworkAclEntry,
  DeleteNetworkAclEntry: deleteNetworkAclEntry,
  ReplaceNetworkAclAssociation: replaceNetworkAclAssociation,
  AllocateAddress: allocateAddress,
  DescribeAddresses: describeAddresses,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress,
  CreateNatGateway: createNatGateway,
  DescribeNatGateways: describeNatGateways,
  DeleteNatGateway: deleteNatGateway,
};
