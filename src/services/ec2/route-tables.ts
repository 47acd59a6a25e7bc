/**
 * Route tables: every VPC has a main table with a local route per CIDR block; CreateRouteTable adds
 * more; routes point at internet gateways, NAT gateways, network interfaces or instances; subnets
 * are associated explicitly (otherwise they use the main table); the main association moves with
 * ReplaceRouteTableAssociation.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AssociateRouteTableRequest,
  CreateRouteRequest,
  CreateRouteTableRequest,
  DeleteRouteRequest,
  DeleteRouteTableRequest,
  DescribeRouteTablesRequest,
  DisassociateRouteTableRequest,
  ReplaceRouteRequest,
  ReplaceRouteTableAssociationRequest,
  Route,
} from '../../generated/ec2/types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { dependencyViolation, ec2Error, invalidParameterValue, missingParameter, notFound } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { newRouteTableRecord, type InternetGatewayRecord, type NatGatewayRecord, type RouteTableRecord, type SubnetRecord, type VpcRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';

export async function createRouteTable(ctx: RequestContext, input: CreateRouteTableRequest) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'route-table');
  const table = await writeDb(ctx, async (db) => {
    const vpc = await db.require<VpcRecord>('vpc', input.VpcId!);
    const created = newRouteTableRecord({ account: ctx.accountId, region: ctx.region }, vpc, { main: false, tags });
    await db.put('rtb', created.RouteTableId, created);
    return created;
  });
  return { RouteTable: table };
}

const RTB_FILTERS: FilterFields<RouteTableRecord> = {
  'association.gateway-id': (t) => (t.Associations ?? []).map((a) => a.GatewayId),
  'association.route-table-association-id': (t) => (t.Associations ?? []).map((a) => a.RouteTableAssociationId),
  'association.route-table-id': (t) => (t.Associations ?? []).map((a) => a.RouteTableId),
  'association.subnet-id': (t) => (t.Associations ?? []).map((a) => a.SubnetId),
  // "association.main - Indicates whether the route table is the main route table for the VPC (true | false)."
  'association.main': (t) => ((t.Associations ?? []).some((a) => a.Main) ? 'true' : (t.Associations ?? []).length > 0 ? 'false' : undefined),
  'owner-id': (t) => t.OwnerId,
  'route-table-id': (t) => t.RouteTableId,
  'route.destination-cidr-block': (t) => (t.Routes ?? []).map((r) => r.DestinationCidrBlock),
  'route.destination-prefix-list-id': (t) => (t.Routes ?? []).map((r) => r.DestinationPrefixListId),
  'route.gateway-id': (t) => (t.Routes ?? []).map((r) => r.GatewayId),
  'route.instance-id': (t) => (t.Routes ?? []).map((r) => r.InstanceId),
  'route.nat-gateway-id': (t) => (t.Routes ?? []).map((r) => r.NatGatewayId),
  'route.origin': (t) => (t.Routes ?? []).map((r) => r.Origin),
  'route.state': (t) => (t.Routes ?? []).map((r) => r.State),
  'route.vpc-peering-connection-id': (t) => (t.Routes ?? []).map((r) => r.VpcPeeringConnectionId),
  'vpc-id': (t) => t.VpcId,
};

export async function describeRouteTables(ctx: RequestContext, input: DescribeRouteTablesRequest) {
  const all = await readDb(ctx).listOrSelect<RouteTableRecord>('rtb', input.RouteTableIds, (t) => t.RouteTableId);
  const { page, nextToken } = paginate(applyFilters(all, input.Filters, RTB_FILTERS), input.MaxResults, input.NextToken, { min: 5, max: 100 });
  return { RouteTables: page, NextToken: nextToken };
}

export async function deleteRouteTable(ctx: RequestContext, input: DeleteRouteTableRequest) {
  const id = input.RouteTableId!;
  await writeDb(ctx, async (db) => {
    const table = await db.require<RouteTableRecord>('rtb', id);
    if ((table.Associations ?? []).length > 0) throw dependencyViolation('routeTable', id);
    await db.delete('rtb', id);
  });
  return {};
}

/** The route's target from the request, checked to exist and to belong to the table's VPC. */
async function routeTarget(db: Ec2Db, table: RouteTableRecord, input: CreateRouteRequest): Promise<Partial<Route>> {
  const given = (['GatewayId', 'NatGatewayId', 'NetworkInterfaceId', 'InstanceId', 'VpcPeeringConnectionId', 'TransitGatewayId', 'EgressOnlyInternetGatewayId', 'VpcEndpointId', 'LocalGatewayId', 'CarrierGatewayId'] as const).filter(
    (m) => input[m] !== undefined,
  );
  if (given.length === 0) {
    throw missingParameter('The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, vpcEndpointId or instanceId');
  }
  if (given.length > 1) throw ec2Error('InvalidParameterCombination', `The parameter ${given.map((g) => g.charAt(0).toLowerCase() + g.slice(1)).join(' and ')} cannot be used together`);
  const member = given[0]!;
  const id = input[member]!;
  if (member === 'GatewayId') {
    if (id.startsWith('igw-')) {
      const igw = await db.require<InternetGatewayRecord>('igw', id);
      if (!(igw.Attachments ?? []).some((a) => a.VpcId === table.VpcId)) {
        throw invalidParameterValue(`route table ${table.RouteTableId} and network gateway ${id} belong to different networks`);
      }
    } else if (id !== 'local') {
      throw ec2Error('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
    }
  }
  if (member === 'NatGatewayId') {
    const nat = await db.get<NatGatewayRecord>('nat', id);
    if (!nat || nat.State === 'deleted') throw ec2Error('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`);
    if (nat.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and nat gateway ${id} belong to different networks`);
  }
  return { [member]: id };
}

function destinationOf(input: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string; DestinationPrefixListId?: string }): { key: keyof Route; value: string } {
  if (input.DestinationCidrBlock !== undefined) {
    const block = parseCidr(input.DestinationCidrBlock);
    if (!block) throw invalidParameterValue(`Value (${input.DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
    return { key: 'DestinationCidrBlock', value: formatCidr(block) };
  }
  if (input.DestinationIpv6CidrBlock !== undefined) return { key: 'DestinationIpv6CidrBlock', value: input.DestinationIpv6CidrBlock };
  if (input.DestinationPrefixListId !== undefined) return { key: 'DestinationPrefixListId', value: input.DestinationPrefixListId };
  throw missingParameter('The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId');
}

export async function createRoute(ctx: RequestContext, input: CreateRouteRequest) {
  await writeDb(ctx, async (db) => {
    const table = await db.require<RouteTableRecord>('rtb', input.RouteTableId!);
    const dest = destinationOf(input);
    if ((table.Routes ?? []).some((r) => r[dest.key] === dest.value)) {
      throw ec2Error('RouteAlreadyExists', `The route identified by ${dest.value} already exists.`);
    }
    const target = await routeTarget(db, table, input);
    const route: Route = { [dest.key]: dest.value, ...target, Origin: 'CreateRoute', State: 'active' };
    await db.put('rtb', table.RouteTableId, { ...table, Routes: [...(table.Routes ?? []), route] });
  });
  return { Return: true };
}

export async function replaceRoute(ctx: RequestContext, input: ReplaceRouteRequest) {
  await writeDb(ctx, async (db) => {
    const table = await db.require<RouteTableRecord>('rtb', input.RouteTableId!);
    const dest = destinationOf(input);
    const index = (table.Routes ?? []).findIndex((r) => r[dest.key] === dest.value);
    if (index < 0) {
      throw ec2Error('InvalidRoute.NotFound', `There is no route defined for '${dest.value}' in the route table. Use CreateRoute instead.`);
    }
    const target = await routeTarget(db, table, input as CreateRouteRequest);
    const routes = [...table.Routes!];
    routes[index] = { [dest.key]: dest.value, ...target, Origin: 'CreateRoute', State: 'active' };
    await db.put('rtb', table.RouteTableId, { ...table, Routes: routes });
  });
  return {};
}

export async function deleteRoute(ctx: RequestContext, input: DeleteRouteRequest) {
  await writeDb(ctx, async (db) => {
    const table = await db.require<RouteTableRecord>('rtb', input.RouteTableId!);
    const dest = destinationOf(input);
    const route = (table.Routes ?? []).find((r) => r[dest.key] === dest.value);
    if (!route) {
      throw ec2Error('InvalidRoute.NotFound', `no route with destination-cidr-block ${dest.value} in route table ${table.RouteTableId}`);
    }
    if (route.GatewayId === 'local') throw invalidParameterValue(`cannot remove local route ${dest.value} in route table ${table.RouteTableId}`);
    await db.put('rtb', table.RouteTableId, { ...table, Routes: table.Routes!.filter((r) => r !== route) });
  });
  return {};
}

export async function associateRouteTable(ctx: RequestContext, input: AssociateRouteTableRequest) {
  return writeDb(ctx, async (db) => {
    const table = await db.require<RouteTableRecord>('rtb', input.RouteTableId!);
    if (input.SubnetId === undefined && input.GatewayId === undefined) {
      throw missingParameter('The request must contain the parameter subnetId or gatewayId');
    }
    const all = await db.list<RouteTableRecord>('rtb');
    if (input.SubnetId !== undefined) {
      const subnet = await db.require<SubnetRecord>('subnet', input.SubnetId);
      if (subnet.VpcId !== table.VpcId) throw invalidParameterValue(`route table ${table.RouteTableId} and subnet ${subnet.SubnetId} belong to different networks`);
      if (all.some((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet.SubnetId))) {
        throw ec2Error('Resource.AlreadyAssociated', `the specified association for route table ${table.RouteTableId} conflicts with an existing association`);
      }
    } else {
      const igw = await db.require<InternetGatewayRecord>('igw', input.GatewayId!);
      if (!(igw.Attachments ?? []).some((a) => a.VpcId === table.VpcId)) {
        throw invalidParameterValue(`route table ${table.RouteTableId} and network gateway ${igw.InternetGatewayId} belong to different networks`);
      }
      if (all.some((t) => (t.Associations ?? []).some((a) => a.GatewayId === igw.InternetGatewayId))) {
        throw ec2Error('Resource.AlreadyAssociated', `the specified association for route table ${table.RouteTableId} conflicts with an existing association`);
      }
    }
    const association = {
      Main: false,
      RouteTableAssociationId: newEc2Id('rtbassoc'),
      RouteTableId: table.RouteTableId,
      ...(input.SubnetId !== undefined ? { SubnetId: input.SubnetId } : { GatewayId: input.GatewayId }),
      AssociationState: { State: 'associated' as const },
    };
    await db.put('rtb', table.RouteTableId, { ...table, Associations: [...(table.Associations ?? []), association] });
    return { AssociationId: association.RouteTableAssociationId, AssociationState: { State: 'associated' } };
  });
}

async function findAssociation(db: Ec2Db, associationId: string) {
  for (const table of await db.list<RouteTableRecord>('rtb')) {
    const association = (table.Associations ?? []).find((a) => a.RouteTableAssociationId === associationId);
    if (association) return { table, association };
  }
  throw ec2Error('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
}

export async function disassociateRouteTable(ctx: RequestContext, input: DisassociateRouteTableRequest) {
  await writeDb(ctx, async (db) => {
    const { table, association } = await findAssociation(db, input.AssociationId!);
    if (association.Main) throw invalidParameterValue(`cannot disassociate the main route table association ${input.AssociationId}`);
    await db.put('rtb', table.RouteTableId, { ...table, Associations: table.Associations!.filter((a) => a !== association) });
  });
  return {};
}

/**
 * Moves an association to another table of the same VPC. Replacing the main association makes the
 * new table the VPC's main route table.
 */
export async function replaceRouteTableAssociation(ctx: RequestContext, input: ReplaceRouteTableAssociationRequest) {
  return writeDb(ctx, async (db) => {
    const { table, association } = await findAssociation(db, input.AssociationId!);
    const target = await db.get<RouteTableRecord>('rtb', input.RouteTableId!);
    if (!target) throw notFound('rtb', input.RouteTableId!);
    if (target.VpcId !== table.VpcId) {
      throw invalidParameterValue(`route table ${target.RouteTableId} and association ${input.AssociationId} belong to different networks`);
    }
    const moved = { ...association, RouteTableAssociationId: newEc2Id('rtbassoc'), RouteTableId: target.RouteTableId, AssociationState: { State: 'associated' as const } };
    if (target.RouteTableId === table.RouteTableId) {
      await db.put('rtb', table.RouteTableId, { ...table, Associations: table.Associations!.map((a) => (a === association ? moved : a)) });
    } else {
      await db.put('rtb', table.RouteTableId, { ...table, Associations: table.Associations!.filter((a) => a !== association) });
      await db.put('rtb', target.RouteTableId, { ...target, Associations: [...(target.Associations ?? []), moved] });
    }
    return { NewAssociationId: moved.RouteTableAssociationId, AssociationState: { State: 'associated' } };
  });
}
