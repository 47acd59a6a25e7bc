/**
 * NAT gateways (Amazon VPC User Guide, "NAT gateways"; EC2 API Reference CreateNatGateway,
 * DescribeNatGateways, DeleteNatGateway).
 *
 * A NAT gateway lives in one subnet with a network interface and a private address from it; a
 * public one also holds an Elastic IP. Its state moves on Bonsai's clock, computed when read:
 * pending → available (or failed) after NAT_TRANSITION_MS, deleting → deleted after the same time,
 * and a deleted or failed gateway stays visible for an hour ("a deleted NAT gateway … remains
 * visible for about an hour"). The document keeps the state the gateway is heading to, so other
 * EC2 code (DeleteVpc, DeleteSubnet, CreateRoute) can test `State !== 'deleted'`.
 *
 * Failures happen the way AWS reports them: CreateNatGateway answers, and the gateway then turns
 * `failed` with a FailureCode, e.g. when its Elastic IP is already associated or its VPC has no
 * internet gateway.
 */
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type {
  CreateNatGatewayRequest,
  DeleteNatGatewayRequest,
  DescribeNatGatewaysRequest,
  NatGateway,
  NatGatewayAddress,
  NatGatewayState,
} from '../../generated/ec2/types.ts';
import { blockSize, formatIpv4, parseCidr } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { invalidParameterCombination, invalidParameterValue, missingParameter, notFound } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { isAssociated, withoutAssociation, type AddressDoc } from './addresses.ts';
import type { InternetGatewayRecord, NatGatewayRecord, RouteTableRecord, SubnetRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';

/** How long pending and deleting last on Bonsai's clock. */
export const NAT_TRANSITION_MS = 5_000;
/** How long deleted and failed gateways stay visible. */
export const NAT_RETENTION_MS = 60 * 60 * 1000;

/** The stored gateway: State is the state it settles in; the *AtMs members say when. */
export type NatDoc = NatGatewayRecord & {
  /** When the deleting state ends (set by DeleteNatGateway). */
  DeletedAtMs?: number;
};

/** The state a gateway shows at `nowMs`. */
export function currentState(doc: NatDoc, nowMs: number): NatGatewayState {
  if ((doc.State === 'available' || doc.State === 'failed') && nowMs < doc.AvailableAtMs) return 'pending';
  if (doc.State === 'deleted' && nowMs < (doc.DeletedAtMs ?? 0)) return 'deleting';
  return doc.State ?? 'pending';
}

/** Deleted and failed gateways drop out of DescribeNatGateways an hour after they settled. */
export function isVisible(doc: NatDoc, nowMs: number): boolean {
  if (doc.State === 'deleted') return nowMs < (doc.DeletedAtMs ?? 0) + NAT_RETENTION_MS;
  if (doc.State === 'failed') return nowMs < doc.AvailableAtMs + NAT_RETENTION_MS;
  return true;
}

/** The address status that goes with each gateway state. */
const ADDRESS_STATUS: Record<NatGatewayState, NatGatewayAddress['Status'] | undefined> = {
  pending: 'associating',
  available: 'succeeded',
  failed: 'failed',
  deleting: 'disassociating',
  deleted: undefined,
};

/** The NatGateway shape as it reads at `nowMs`, without Bonsai's internal members. */
export function natGatewayView(doc: NatDoc, nowMs: number): NatGateway {
  const { AvailableAtMs: _available, DeletedAtMs: _deleted, AllocationId: _allocation, FailureCode, FailureMessage, DeleteTime, NatGatewayAddresses, ...rest } = doc;
  const state = currentState(doc, nowMs);
  const status = ADDRESS_STATUS[state];
  const addresses = (NatGatewayAddresses ?? []).map((a) => {
    const { AssociationId, Status: _status, FailureMessage: addressFailure, ...address } = a;
    return {
      ...address,
      ...(state === 'pending' || state === 'available' || state === 'deleting' ? (AssociationId !== undefined ? { AssociationId } : {}) : {}),
      ...(status !== undefined ? { Status: status } : {}),
      ...(state === 'failed' && addressFailure !== undefined ? { FailureMessage: addressFailure } : {}),
    };
  });
  return {
    ...rest,
    State: state,
    NatGatewayAddresses: addresses,
    ...(state === 'failed' ? { FailureCode, FailureMessage } : {}),
    ...(state === 'deleting' || state === 'deleted' ? { DeleteTime } : {}),
  };
}

/** A private address in the subnet that no other NAT gateway uses (AWS reserves the first four and the last). */
function choosePrivateIp(subnet: SubnetRecord, taken: ReadonlySet<string>): string {
  const block = parseCidr(subnet.CidrBlock)!;
  const first = block.network + 4;
  const last = block.network + blockSize(block) - 2;
  for (let attempt = 0; attempt < 64; attempt++) {
    const ip = formatIpv4(first + randomInt(last - first + 1));
    if (!taken.has(ip)) return ip;
  }
  for (let n = first; n <= last; n++) if (!taken.has(formatIpv4(n))) return formatIpv4(n);
  throw invalidParameterValue(`Subnet ${subnet.SubnetId} has no free private IP addresses.`);
}

/** Why a public gateway would fail once provisioned, as AWS's FailureCode and FailureMessage. */
async function provisioningFailure(db: Ec2Db, subnet: SubnetRecord, address: AddressDoc): Promise<{ code: string; message: string } | undefined> {
  const gateways = await db.list<InternetGatewayRecord>('igw');
  if (!gateways.some((g) => (g.Attachments ?? []).some((a) => a.VpcId === subnet.VpcId))) {
    return { code: 'Gateway.NotAttached', message: `Network ${subnet.VpcId} has no Internet gateway attached` };
  }
  if (isAssociated(address)) {
    return { code: 'Resource.AlreadyAssociated', message: `Elastic IP address [${address.AllocationId}] is already associated` };
  }
  return undefined;
}

export async function createNatGateway(ctx: RequestContext, input: CreateNatGatewayRequest) {
  const connectivity = input.ConnectivityType ?? 'public';
  if (input.SubnetId === undefined) throw missingParameter('The request must contain the parameter subnetId');
  if (connectivity === 'public' && input.AllocationId === undefined) throw missingParameter('The request must contain the parameter allocationId');
  if (connectivity === 'private' && input.AllocationId !== undefined) {
    throw invalidParameterCombination('AllocationId cannot be specified for a NAT gateway with private connectivity.');
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'natgateway');
  const nowMs = ctx.clock.nowMs();
  const doc = await writeDb(ctx, async (db) => {
    const subnet = await db.require<SubnetRecord>('subnet', input.SubnetId!);
    const address = input.AllocationId !== undefined ? await db.require<AddressDoc>('eipalloc', input.AllocationId) : undefined;
    const natGatewayId = newEc2Id('nat');
    const others = (await db.list<NatDoc>('nat')).filter((n) => n.SubnetId === subnet.SubnetId && n.State !== 'deleted');
    const privateIp = input.PrivateIpAddress ?? choosePrivateIp(subnet, new Set(others.flatMap((n) => (n.NatGatewayAddresses ?? []).map((a) => a.PrivateIp ?? ''))));
    const failure = address ? await provisioningFailure(db, subnet, address) : undefined;
    const networkInterfaceId = newEc2Id('eni');
    const associationId = address && !failure ? newEc2Id('eipassoc') : undefined;
    const primary: NatGatewayAddress = {
      ...(address ? { AllocationId: address.AllocationId } : {}),
      NetworkInterfaceId: networkInterfaceId,
      PrivateIp: privateIp,
      ...(address ? { PublicIp: address.PublicIp } : {}),
      ...(associationId ? { AssociationId: associationId } : {}),
      IsPrimary: true,
      ...(failure ? { FailureMessage: failure.message } : {}),
    };
    const created: NatDoc = {
      CreateTime: new Date(nowMs),
      NatGatewayAddresses: [primary],
      NatGatewayId: natGatewayId,
      State: failure ? 'failed' : 'available',
      SubnetId: subnet.SubnetId,
      VpcId: subnet.VpcId,
      Tags: tags,
      ConnectivityType: connectivity,
      ...(failure ? { FailureCode: failure.code, FailureMessage: failure.message } : {}),
      ...(address ? { AllocationId: address.AllocationId } : {}),
      AvailableAtMs: nowMs + NAT_TRANSITION_MS,
    };
    await db.put('nat', natGatewayId, created);
    if (address && !failure) {
      // The gateway's interface holds the address from now on, so it cannot be used elsewhere.
      await db.put('eipalloc', address.AllocationId, {
        ...withoutAssociation(address),
        AssociationId: associationId,
        NetworkInterfaceId: networkInterfaceId,
        NetworkInterfaceOwnerId: ctx.accountId,
        PrivateIpAddress: privateIp,
        NatGatewayId: natGatewayId,
      } satisfies AddressDoc);
    }
    return created;
  });
  return { ClientToken: input.ClientToken, NatGateway: natGatewayView(doc, nowMs) };
}

/** DescribeNatGateways' filters (EC2 API Reference). */
const NAT_FILTERS: FilterFields<NatGateway> = {
  'nat-gateway-id': (n) => n.NatGatewayId,
  'state': (n) => n.State,
  'subnet-id': (n) => n.SubnetId,
  'vpc-id': (n) => n.VpcId,
};

export async function describeNatGateways(ctx: RequestContext, input: DescribeNatGatewaysRequest) {
  const nowMs = ctx.clock.nowMs();
  const visible = (await readDb(ctx).list<NatDoc>('nat')).filter((n) => isVisible(n, nowMs));
  const ids = input.NatGatewayIds ?? [];
  const missing = ids.filter((id) => !visible.some((n) => n.NatGatewayId === id));
  if (missing.length > 0) throw notFound('nat', missing[0]!);
  const selected = ids.length > 0 ? visible.filter((n) => ids.includes(n.NatGatewayId)) : visible;
  const views = selected.map((n) => natGatewayView(n, nowMs));
  // DescribeNatGateways names its filter list "Filter", not "Filters".
  const { page, nextToken } = paginate(applyFilters(views, input.Filter, NAT_FILTERS), input.MaxResults, input.NextToken);
  return { NatGateways: page, NextToken: nextToken };
}

/**
 * Starts deleting the gateway: its Elastic IP is disassociated (it stays allocated) and routes
 * that pointed at it become blackholes, as AWS shows them.
 */
export async function deleteNatGateway(ctx: RequestContext, input: DeleteNatGatewayRequest) {
  const id = input.NatGatewayId;
  const nowMs = ctx.clock.nowMs();
  await writeDb(ctx, async (db) => {
    const doc = await db.get<NatDoc>('nat', id);
    if (!doc || doc.State === 'deleted') throw notFound('nat', id);
    await db.put('nat', id, { ...doc, State: 'deleted', DeleteTime: new Date(nowMs), DeletedAtMs: nowMs + NAT_TRANSITION_MS } satisfies NatDoc);
    for (const address of await db.list<AddressDoc>('eipalloc')) {
      if (address.NatGatewayId === id) await db.put('eipalloc', address.AllocationId, withoutAssociation(address));
    }
    for (const table of await db.list<RouteTableRecord>('rtb')) {
      if (!(table.Routes ?? []).some((r) => r.NatGatewayId === id)) continue;
      const routes = table.Routes!.map((r) => (r.NatGatewayId === id ? { ...r, State: 'blackhole' as const } : r));
      await db.put('rtb', table.RouteTableId, { ...table, Routes: routes });
    }
  });
  return { NatGatewayId: id };
}
