/**
 * Elastic IP addresses (EC2 User Guide, "Elastic IP addresses"; EC2 API Reference AllocateAddress,
 * DescribeAddresses, AssociateAddress, DisassociateAddress, ReleaseAddress).
 *
 * Bonsai hands out addresses from the IPv4 documentation ranges (RFC 5737: 203.0.113.0/24, then
 * 198.51.100.0/24, then 192.0.2.0/24), so nothing it invents can collide with a real host. An address
 * is associated with at most one instance or network interface, or held by a NAT gateway; it can be
 * released only when it is associated with nothing. The "Elastic IP addresses per Region" quota (5)
 * is enforced.
 *
 * Instances belong to another part of EC2: an `ec2:instance` document in the store is what makes
 * an instance id valid here, and its primary private address and network interface are read from
 * it. The helpers at the end let that code find and drop an instance's address.
 */
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type {
  Address,
  AllocateAddressRequest,
  AssociateAddressRequest,
  DescribeAddressesRequest,
  DisassociateAddressRequest,
  ReleaseAddressRequest,
} from '../../generated/ec2/types.ts';
import { formatIpv4, parseCidr, parseIpv4 } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import type { AddressRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';
import { stateNameAt, type InstanceRecord } from './instance-state.ts';

/** "Elastic IP addresses per Region: 5" (Amazon EC2 service quotas). */
export const MAX_ADDRESSES_PER_REGION = 5;

/** RFC 5737's documentation ranges, in the order Bonsai uses them. */
export const ADDRESS_POOLS = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24'] as const;

/** The stored address: the API's shape plus, while a NAT gateway holds it, that gateway's id. */
export type AddressDoc = AddressRecord & { NatGatewayId?: string };

/** What AssociateAddress reads from the instances' documents (instance-state.ts's InstanceRecord). */
type InstanceDoc = Partial<Pick<InstanceRecord, 'InstanceId' | 'PrivateIpAddress' | 'NetworkInterfaceId' | 'Events'>>;
interface NetworkInterfaceDoc {
  NetworkInterfaceId?: string;
  PrivateIpAddress?: string;
  OwnerId?: string;
}

/** The Address shape without Bonsai's internal members. */
export function addressView(doc: AddressDoc): Address {
  const { NatGatewayId: _nat, ...view } = doc;
  return view;
}

/** The address without any association. */
export function withoutAssociation(doc: AddressDoc): AddressDoc {
  const { AssociationId: _a, InstanceId: _i, NetworkInterfaceId: _n, NetworkInterfaceOwnerId: _o, PrivateIpAddress: _p, NatGatewayId: _g, ...rest } = doc;
  return rest;
}

export function isAssociated(doc: AddressDoc): boolean {
  return doc.AssociationId !== undefined;
}

/**
 * A free public address: a random one from the first documentation range with room, so that
 * consecutive allocations do not look sequential (AWS's are not either).
 */
export function chooseFreeIp(inUse: ReadonlySet<string>, pick: (n: number) => number = randomInt): string | undefined {
  for (const pool of ADDRESS_POOLS) {
    const block = parseCidr(pool)!;
    const free: string[] = [];
    // .0 and .255 are skipped: network and broadcast addresses are never handed out.
    for (let host = 1; host <= 254; host++) {
      const ip = formatIpv4(block.network + host);
      if (!inUse.has(ip)) free.push(ip);
    }
    if (free.length > 0) return free[pick(free.length)];
  }
  return undefined;
}

export async function allocateAddress(ctx: RequestContext, input: AllocateAddressRequest) {
  if (input.Domain !== undefined && input.Domain !== 'vpc') {
    // EC2-Classic is retired: every new address is a VPC address.
    throw invalidParameterValue(`Value (${input.Domain}) for parameter domain is invalid. Only 'vpc' is supported.`);
  }
  if (input.Address !== undefined || input.PublicIpv4Pool !== undefined || input.CustomerOwnedIpv4Pool !== undefined || input.IpamPoolId !== undefined) {
    throw invalidParameterValue('Bonsai allocates addresses from the Amazon pool only: Address, PublicIpv4Pool, CustomerOwnedIpv4Pool and IpamPoolId are not supported.');
  }
  if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== ctx.region) {
    throw invalidParameterValue(`Value (${input.NetworkBorderGroup}) for parameter networkBorderGroup is invalid.`);
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'elastic-ip');
  const address = await writeDb(ctx, async (db) => {
    const existing = await db.list<AddressDoc>('eipalloc');
    if (existing.length >= MAX_ADDRESSES_PER_REGION) throw ec2Error('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
    const publicIp = chooseFreeIp(new Set(existing.map((a) => a.PublicIp)));
    if (publicIp === undefined) throw ec2Error('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
    const created: AddressDoc = {
      AllocationId: newEc2Id('eipalloc'),
      Domain: 'vpc',
      PublicIpv4Pool: 'amazon',
      NetworkBorderGroup: ctx.region,
      PublicIp: publicIp,
      Tags: tags,
    };
    await db.put('eipalloc', created.AllocationId, created);
    return created;
  });
  return {
    PublicIp: address.PublicIp,
    AllocationId: address.AllocationId,
    PublicIpv4Pool: address.PublicIpv4Pool,
    NetworkBorderGroup: address.NetworkBorderGroup,
    Domain: address.Domain,
  };
}

function checkPublicIp(ip: string): void {
  if (parseIpv4(ip) === undefined) throw invalidParameterValue(`Invalid value '${ip}' for PublicIp. Not a valid IPv4 address`);
}

function addressNotFound(ip: string) {
  return ec2Error('InvalidAddress.NotFound', `Address '${ip}' not found.`);
}

/** The address an AllocationId or PublicIp names (AllocationId wins when both are given). */
async function requireAddress(db: Ec2Db, ref: { AllocationId?: string; PublicIp?: string }): Promise<AddressDoc> {
  if (ref.AllocationId !== undefined) return db.require<AddressDoc>('eipalloc', ref.AllocationId);
  if (ref.PublicIp !== undefined) {
    checkPublicIp(ref.PublicIp);
    const found = (await db.list<AddressDoc>('eipalloc')).find((a) => a.PublicIp === ref.PublicIp);
    if (!found) throw addressNotFound(ref.PublicIp);
    return found;
  }
  throw missingParameter('The request must contain the parameter AllocationId or PublicIp');
}

/** DescribeAddresses' filters (EC2 API Reference). */
const ADDRESS_FILTERS: FilterFields<AddressDoc> = {
  'allocation-id': (a) => a.AllocationId,
  'association-id': (a) => a.AssociationId,
  'domain': (a) => a.Domain,
  'instance-id': (a) => a.InstanceId,
  'network-border-group': (a) => a.NetworkBorderGroup,
  'network-interface-id': (a) => a.NetworkInterfaceId,
  'network-interface-owner-id': (a) => a.NetworkInterfaceOwnerId,
  'private-ip-address': (a) => a.PrivateIpAddress,
  'public-ip': (a) => a.PublicIp,
  'public-ipv4-pool': (a) => a.PublicIpv4Pool,
};

export async function describeAddresses(ctx: RequestContext, input: DescribeAddressesRequest) {
  const db = readDb(ctx);
  let addresses = await db.listOrSelect<AddressDoc>('eipalloc', input.AllocationIds, (a) => a.AllocationId);
  if (input.PublicIps && input.PublicIps.length > 0) {
    for (const ip of input.PublicIps) checkPublicIp(ip);
    const missing = input.PublicIps.filter((ip) => !addresses.some((a) => a.PublicIp === ip));
    if (missing.length > 0) throw addressNotFound(missing[0]!);
    addresses = addresses.filter((a) => input.PublicIps!.includes(a.PublicIp));
  }
  return { Addresses: applyFilters(addresses, input.Filters, ADDRESS_FILTERS).map(addressView) };
}

/** Where AssociateAddress puts the address: an instance (its primary interface) or an interface. */
async function associationTarget(ctx: RequestContext, db: Ec2Db, input: AssociateAddressRequest): Promise<Partial<AddressDoc>> {
  if (input.InstanceId !== undefined && input.NetworkInterfaceId !== undefined) {
    throw invalidParameterCombination('Only one of instanceId or networkInterfaceId may be specified');
  }
  if (input.InstanceId !== undefined) {
    const instance = await db.ops.get<InstanceDoc>({ kind: 'ec2:instance', account: ctx.accountId, region: ctx.region, id: input.InstanceId });
    if (!instance) throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`);
    const { Events, NetworkInterfaceId, PrivateIpAddress } = instance.value;
    const state = Events && Events.length > 0 ? stateNameAt(Events, ctx.clock.nowMs()) : undefined;
    if (state === 'terminated' || state === 'shutting-down') {
      throw ec2Error('IncorrectInstanceState', `The instance '${input.InstanceId}' is not in a valid state for this operation.`);
    }
    return {
      InstanceId: input.InstanceId,
      ...(NetworkInterfaceId !== undefined ? { NetworkInterfaceId, NetworkInterfaceOwnerId: ctx.accountId } : {}),
      PrivateIpAddress: input.PrivateIpAddress ?? PrivateIpAddress,
    };
  }
  if (input.NetworkInterfaceId !== undefined) {
    const eni = await db.ops.get<NetworkInterfaceDoc>({ kind: 'ec2:eni', account: ctx.accountId, region: ctx.region, id: input.NetworkInterfaceId });
    if (!eni) throw ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`);
    return {
      NetworkInterfaceId: input.NetworkInterfaceId,
      NetworkInterfaceOwnerId: eni.value.OwnerId ?? ctx.accountId,
      PrivateIpAddress: input.PrivateIpAddress ?? eni.value.PrivateIpAddress,
    };
  }
  throw missingParameter('Either instance ID or network interface ID must be specified');
}

/**
 * Associates the address. An address already associated elsewhere moves only with
 * AllowReassociation; an address the target already had is disassociated, since an instance or
 * interface (private address) holds one Elastic IP at a time.
 */
export async function associateAddress(ctx: RequestContext, input: AssociateAddressRequest) {
  return writeDb(ctx, async (db) => {
    const address = await requireAddress(db, input);
    const target = await associationTarget(ctx, db, input);
    const sameTarget =
      isAssociated(address) &&
      address.InstanceId === target.InstanceId &&
      address.NetworkInterfaceId === target.NetworkInterfaceId &&
      address.PrivateIpAddress === target.PrivateIpAddress;
    if (isAssociated(address) && !sameTarget && (input.AllowReassociation !== true || address.NatGatewayId !== undefined)) {
      throw ec2Error('Resource.AlreadyAssociated', `resource ${address.AllocationId} is already associated with associate-id ${address.AssociationId}`);
    }
    for (const other of await db.list<AddressDoc>('eipalloc')) {
      if (other.AllocationId === address.AllocationId || !isAssociated(other)) continue;
      const holdsTarget = target.InstanceId !== undefined ? other.InstanceId === target.InstanceId : other.NetworkInterfaceId === target.NetworkInterfaceId;
      if (holdsTarget && other.PrivateIpAddress === target.PrivateIpAddress) await db.put('eipalloc', other.AllocationId, withoutAssociation(other));
    }
    const associationId = newEc2Id('eipassoc');
    const cleaned = withoutAssociation(address);
    const updated: AddressDoc = { ...cleaned, AssociationId: associationId, ...definedMembers(target) };
    await db.put('eipalloc', address.AllocationId, updated);
    return { AssociationId: associationId };
  });
}

function definedMembers<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Disassociates by association id (or public IP). Addresses a NAT gateway holds are managed by
 * the gateway: AWS refuses with AuthFailure.
 */
export async function disassociateAddress(ctx: RequestContext, input: DisassociateAddressRequest) {
  await writeDb(ctx, async (db) => {
    let address: AddressDoc | undefined;
    if (input.AssociationId !== undefined) {
      address = (await db.list<AddressDoc>('eipalloc')).find((a) => a.AssociationId === input.AssociationId);
      if (!address) throw ec2Error('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
    } else if (input.PublicIp !== undefined) {
      address = await requireAddress(db, { PublicIp: input.PublicIp });
      if (!isAssociated(address)) return;
    } else {
      throw missingParameter('The request must contain the parameter AssociationId or PublicIp');
    }
    if (address.NatGatewayId !== undefined) throw ec2Error('AuthFailure', 'You do not have permission to access the specified resource.');
    await db.put('eipalloc', address.AllocationId, withoutAssociation(address));
  });
  return {};
}

/** Releases an address that nothing uses ("InvalidIPAddress.InUse" otherwise). */
export async function releaseAddress(ctx: RequestContext, input: ReleaseAddressRequest) {
  if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== ctx.region) {
    throw invalidParameterValue(`Value (${input.NetworkBorderGroup}) for parameter networkBorderGroup is invalid.`);
  }
  await writeDb(ctx, async (db) => {
    const address = await requireAddress(db, input);
    if (isAssociated(address)) throw ec2Error('InvalidIPAddress.InUse', `Address ${address.PublicIp} is in use.`);
    await db.delete('eipalloc', address.AllocationId);
  });
  return {};
}

/** For the instances code: the Elastic IP associated with an instance, if any. */
export async function elasticIpOfInstance(db: Ec2Db, instanceId: string): Promise<Address | undefined> {
  const found = (await db.list<AddressDoc>('eipalloc')).find((a) => a.InstanceId === instanceId);
  return found ? addressView(found) : undefined;
}

/** For the instances code: termination disassociates the instance's Elastic IPs (they stay allocated). */
export async function disassociateInstanceAddresses(db: Ec2Db, instanceId: string): Promise<void> {
  for (const address of await db.list<AddressDoc>('eipalloc')) {
    if (address.InstanceId === instanceId) await db.put('eipalloc', address.AllocationId, withoutAssociation(address));
  }
}

