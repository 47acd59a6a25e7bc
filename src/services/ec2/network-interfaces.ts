/**
 * Elastic network interfaces (EC2 User Guide, "Elastic network interfaces"): CreateNetworkInterface
 * takes an address from its subnet, DescribeNetworkInterfaces lists them with the filters the AWS
 * CLI uses, Attach/Detach move them between instances of the same Availability Zone within the
 * instance type's interface limit, ModifyNetworkInterfaceAttribute changes the description,
 * security groups, source/destination check or the attachment's DeleteOnTermination, and
 * DeleteNetworkInterface refuses while attached.
 *
 * Every instance's primary interface (device index 0) is a document too, made by RunInstances and
 * deleted when the instance terminates; it cannot be detached, and its security groups and
 * source/destination check live on the instance document (records.ts explains why).
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AttachNetworkInterfaceRequest,
  CreateNetworkInterfaceRequest,
  DeleteNetworkInterfaceRequest,
  DescribeNetworkInterfaceAttributeRequest,
  DescribeNetworkInterfacesRequest,
  DetachNetworkInterfaceRequest,
  ModifyNetworkInterfaceAttributeRequest,
  NetworkInterface,
  Tag,
} from '../../generated/ec2/types.ts';
import { findInstanceType } from './catalog/index.ts';
import { ComputeDb, isoAt, malformedId, newComputeId } from './compute-store.ts';
import { Ec2Db, readDb } from './db.ts';
import { ec2Error, invalidParameterCombination, invalidParameterValue, manyNotFound, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { hasVanished, stateNameAt, terminatedAtMs, type InstanceRecord } from './instance-state.ts';
import { ADDRESS_INDEX_BUILT, chooseAddress } from './address-index.ts';
import { newMacAddress, privateDnsName, publicDnsName } from './instances.ts';
import type { AddressDoc } from './addresses.ts';
import { withoutAssociation } from './addresses.ts';
import type { NatGatewayRecord, NetworkInterfaceRecord, SecurityGroupRecord, SubnetRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';
import { zonesOf } from './regions.ts';

// ---------------------------------------------------------------------------------------------
// Shared with RunInstances and termination

/** A new interface document in a subnet, with the address already chosen. */
export function newNetworkInterfaceRecord(
  ctx: RequestContext,
  subnet: SubnetRecord,
  spec: { privateIp: string; groups: string[]; description?: string; tags?: Tag[]; id?: string; mac?: string; attachment?: NetworkInterfaceRecord['Attachment'] },
): NetworkInterfaceRecord {
  return {
    NetworkInterfaceId: spec.id ?? newEc2Id('eni'),
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    AvailabilityZone: subnet.AvailabilityZone!,
    AvailabilityZoneId: subnet.AvailabilityZoneId ?? zonesOf(ctx.region).find((z) => z.name === subnet.AvailabilityZone)?.id ?? '',
    OwnerId: ctx.accountId,
    Description: spec.description ?? '',
    MacAddress: spec.mac ?? newMacAddress(),
    PrivateIpAddress: spec.privateIp,
    Groups: spec.groups,
    SourceDestCheck: true,
    InterfaceType: 'interface',
    Tags: spec.tags ?? [],
    CreatedAtMs: ctx.clock.nowMs(),
    ...(spec.attachment ? { Attachment: spec.attachment } : {}),
  };
}

/** Gives an interface's address back to its subnet. */
async function releaseAddress(net: Ec2Db, eni: NetworkInterfaceRecord): Promise<void> {
  const subnet = await net.get<SubnetRecord>('subnet', eni.SubnetId);
  if (subnet) await net.put('subnet', subnet.SubnetId, { ...subnet, AvailableIpAddressCount: (subnet.AvailableIpAddressCount ?? 0) + 1 });
}

/** Elastic IPs associated with the interface are disassociated (they stay allocated). */
async function disassociateAddresses(net: Ec2Db, networkInterfaceId: string): Promise<void> {
  for (const address of await net.list<AddressDoc>('eipalloc')) {
    if (address.NetworkInterfaceId === networkInterfaceId && address.InstanceId === undefined) await net.put('eipalloc', address.AllocationId, withoutAssociation(address));
  }
}

/**
 * What termination does to an instance's interfaces: those marked DeleteOnTermination (the
 * primary one by default) are deleted, the others detached. The primary interface's address is
 * given back by the caller with the instance's.
 */
export async function releaseInterfacesOnTermination(net: Ec2Db, instance: InstanceRecord): Promise<void> {
  for (const eni of await net.list<NetworkInterfaceRecord>('eni')) {
    if (eni.Attachment?.InstanceId !== instance.InstanceId) continue;
    if (eni.Attachment.DeleteOnTermination) {
      await net.delete('eni', eni.NetworkInterfaceId);
      await disassociateAddresses(net, eni.NetworkInterfaceId);
      if (eni.NetworkInterfaceId !== instance.NetworkInterfaceId) await releaseAddress(net, eni);
    } else {
      await net.put('eni', eni.NetworkInterfaceId, detached(eni));
    }
  }
}

/** The marker saying a region's instances all have their primary interface documents. */
const INTERFACES_BACKFILLED = 'primary-interfaces-v1';

/**
 * Instances launched before interfaces were stored get their primary interface document, once per
 * region, so that interface documents alone tell which addresses are taken and how many instances
 * are live (the address index is built from them).
 */
async function ensureInterfaceDocuments(ctx: RequestContext): Promise<void> {
  if (await readDb(ctx).get('region-defaults', INTERFACES_BACKFILLED)) return;
  await writeNet(ctx, async (net, compute) => {
    if (await net.get('region-defaults', INTERFACES_BACKFILLED)) return;
    for (const instance of await compute.list<InstanceRecord>('instance')) {
      if (terminatedAtMs(instance.Events) !== undefined || (await net.get('eni', instance.NetworkInterfaceId))) continue;
      const subnet = await net.get<SubnetRecord>('subnet', instance.SubnetId);
      if (!subnet) continue;
      const attachment = { AttachmentId: instance.NetworkInterfaceAttachmentId, InstanceId: instance.InstanceId, DeviceIndex: 0, DeleteOnTermination: true, AttachTimeMs: instance.Events[0]!.atMs };
      const eni = newNetworkInterfaceRecord(ctx, subnet, { id: instance.NetworkInterfaceId, mac: instance.MacAddress, privateIp: instance.PrivateIpAddress, groups: instance.SecurityGroupIds, attachment });
      await net.put('eni', eni.NetworkInterfaceId, eni);
    }
    await net.put('region-defaults', INTERFACES_BACKFILLED, { done: true });
  });
}

/**
 * The region's private-address index (address-index.ts), built once from its documents: after
 * the primary interfaces above, which it counts. Ec2Db keeps it in step from then on.
 */
export async function ensureAddressIndex(ctx: RequestContext): Promise<void> {
  if (await readDb(ctx).get('region-defaults', ADDRESS_INDEX_BUILT)) return;
  await ensureInterfaceDocuments(ctx);
  await writeNet(ctx, async (net) => {
    if (await net.get('region-defaults', ADDRESS_INDEX_BUILT)) return;
    await net.addressIndex().rebuild(await net.list<NetworkInterfaceRecord>('eni'), await net.list<NatGatewayRecord>('nat'));
    await net.put('region-defaults', ADDRESS_INDEX_BUILT, { done: true });
  });
}

function detached(eni: NetworkInterfaceRecord): NetworkInterfaceRecord {
  const { Attachment: _gone, ...rest } = eni;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Views

/** What building interface views needs besides the interface documents. */
export interface InterfaceViewContext {
  region: string;
  nowMs: number;
  instances: Map<string, InstanceRecord>;
  groups: Map<string, SecurityGroupRecord>;
  /** Elastic IPs by the interface they are associated with. */
  addresses: Map<string, AddressDoc>;
  vpcDnsHostnames: Map<string, boolean>;
}

async function loadInterfaceViewContext(ctx: RequestContext, net: Ec2Db): Promise<InterfaceViewContext> {
  const compute = new ComputeDb(net.ops, ctx.accountId, ctx.region);
  const addresses = new Map<string, AddressDoc>();
  for (const a of await net.list<AddressDoc>('eipalloc')) if (a.NetworkInterfaceId && a.AssociationId) addresses.set(a.NetworkInterfaceId, a);
  return {
    region: ctx.region,
    nowMs: ctx.clock.nowMs(),
    instances: new Map((await compute.list<InstanceRecord>('instance')).map((i) => [i.InstanceId, i])),
    groups: new Map((await net.list<SecurityGroupRecord>('sg')).map((g) => [g.GroupId, g])),
    addresses,
    vpcDnsHostnames: new Map((await net.list<{ VpcId: string; Attributes: { EnableDnsHostnames: boolean } }>('vpc')).map((v) => [v.VpcId, v.Attributes.EnableDnsHostnames])),
  };
}

/** The instance whose primary interface this is, if it is one. */
function primaryOf(eni: NetworkInterfaceRecord, view: InterfaceViewContext): InstanceRecord | undefined {
  const instance = eni.Attachment ? view.instances.get(eni.Attachment.InstanceId) : undefined;
  return instance?.NetworkInterfaceId === eni.NetworkInterfaceId ? instance : undefined;
}

/** The public address the interface has: an Elastic IP, or its instance's automatic one while it runs. */
function associationOf(eni: NetworkInterfaceRecord, view: InterfaceViewContext): NetworkInterface['Association'] | undefined {
  const dns = (ip: string) => (view.vpcDnsHostnames.get(eni.VpcId) ? publicDnsName(view.region, ip) : '');
  const elastic = view.addresses.get(eni.NetworkInterfaceId);
  if (elastic) {
    return { AllocationId: elastic.AllocationId, AssociationId: elastic.AssociationId, IpOwnerId: eni.OwnerId, PublicDnsName: dns(elastic.PublicIp), PublicIp: elastic.PublicIp };
  }
  const instance = primaryOf(eni, view);
  if (!instance?.PublicIpAddress) return undefined;
  const state = stateNameAt(instance.Events, view.nowMs);
  if (state === 'stopped' || state === 'stopping' || state === 'terminated') return undefined;
  return { IpOwnerId: 'amazon', PublicDnsName: dns(instance.PublicIpAddress), PublicIp: instance.PublicIpAddress };
}

/** An interface as DescribeNetworkInterfaces shows it (NetworkInterface shape, AWS's member set). */
export function networkInterfaceView(eni: NetworkInterfaceRecord, view: InterfaceViewContext): NetworkInterface {
  const instance = primaryOf(eni, view);
  const groupIds = instance ? instance.SecurityGroupIds : eni.Groups;
  const association = associationOf(eni, view);
  const privateDns = privateDnsName(view.region, eni.PrivateIpAddress);
  const attachment = eni.Attachment;
  return {
    ...(association ? { Association: association } : {}),
    ...(attachment
      ? {
          Attachment: {
            AttachTime: isoAt(attachment.AttachTimeMs) as unknown as Date,
            AttachmentId: attachment.AttachmentId,
            DeleteOnTermination: attachment.DeleteOnTermination,
            DeviceIndex: attachment.DeviceIndex,
            NetworkCardIndex: 0,
            InstanceId: attachment.InstanceId,
            InstanceOwnerId: eni.OwnerId,
            Status: 'attached',
          },
        }
      : {}),
    AvailabilityZone: eni.AvailabilityZone,
    Description: eni.Description,
    Groups: groupIds.map((id) => ({ GroupId: id, GroupName: view.groups.get(id)?.GroupName ?? '' })),
    InterfaceType: eni.InterfaceType,
    Ipv6Addresses: [],
    MacAddress: eni.MacAddress,
    NetworkInterfaceId: eni.NetworkInterfaceId,
    OwnerId: eni.OwnerId,
    PrivateDnsName: privateDns,
    PrivateIpAddress: eni.PrivateIpAddress,
    PrivateIpAddresses: [{ ...(association ? { Association: association } : {}), Primary: true, PrivateDnsName: privateDns, PrivateIpAddress: eni.PrivateIpAddress }],
    RequesterManaged: false,
    SourceDestCheck: instance ? instance.SourceDestCheck : eni.SourceDestCheck,
    Status: attachment ? 'in-use' : 'available',
    SubnetId: eni.SubnetId,
    TagSet: eni.Tags,
    VpcId: eni.VpcId,
  };
}

// ---------------------------------------------------------------------------------------------
// Lookups

function checkInterfaceId(id: string): void {
  if (!/^eni-[0-9a-f]{8,17}$/.test(id)) malformedId('InvalidNetworkInterfaceID.Malformed', id, 'eni');
}

async function requireInterface(net: Ec2Db, id: string | undefined): Promise<NetworkInterfaceRecord> {
  if (id === undefined || id === '') throw missingParameter('The request must contain the parameter networkInterfaceId');
  checkInterfaceId(id);
  return net.require<NetworkInterfaceRecord>('eni', id);
}

/** A live (not terminated) instance, or InvalidInstanceID.NotFound / IncorrectInstanceState. */
async function requireAttachableInstance(compute: ComputeDb, id: string, nowMs: number): Promise<InstanceRecord> {
  const instance = await compute.get<InstanceRecord>('instance', id);
  if (!instance || hasVanished(instance.Events, nowMs)) throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  const state = stateNameAt(instance.Events, nowMs);
  if (state === 'terminated' || state === 'shutting-down') {
    throw ec2Error('IncorrectInstanceState', `The instance '${id}' is not in a valid state for this operation.`);
  }
  return instance;
}

/** Security groups by id, all in the interface's VPC; the VPC's default group when none are named. */
async function chooseGroups(net: Ec2Db, vpcId: string, subnetId: string, ids: string[] | undefined): Promise<string[]> {
  const groups = await net.list<SecurityGroupRecord>('sg');
  if (!ids || ids.length === 0) {
    const fallback = groups.find((g) => g.VpcId === vpcId && g.GroupName === 'default');
    return fallback ? [fallback.GroupId] : [];
  }
  const missing = ids.filter((id) => !groups.some((g) => g.GroupId === id));
  if (missing.length > 0) throw manyNotFound('sg', [...new Set(missing)]);
  for (const id of ids) {
    if (groups.find((g) => g.GroupId === id)!.VpcId !== vpcId) {
      throw ec2Error('InvalidParameter', `Security group ${id} and subnet ${subnetId} belong to different networks.`);
    }
  }
  return [...new Set(ids)];
}

function writeNet<T>(ctx: RequestContext, fn: (net: Ec2Db, compute: ComputeDb) => Promise<T>): Promise<T> {
  return ctx.store.transaction((tx) => fn(new Ec2Db(tx, ctx.accountId, ctx.region), new ComputeDb(tx, ctx.accountId, ctx.region)));
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function createNetworkInterface(ctx: RequestContext, input: CreateNetworkInterfaceRequest) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'network-interface');
  if ((input.SecondaryPrivateIpAddressCount ?? 0) > 0 || (input.PrivateIpAddresses ?? []).length > 1) {
    throw invalidParameterValue('Secondary private IPv4 addresses are not supported by Bonsai.');
  }
  const requestedIp = input.PrivateIpAddress ?? input.PrivateIpAddresses?.find((p) => p.Primary !== false)?.PrivateIpAddress;
  await ensureAddressIndex(ctx);
  const created = await writeNet(ctx, async (net) => {
    const subnet = await net.require<SubnetRecord>('subnet', input.SubnetId);
    const groups = await chooseGroups(net, subnet.VpcId, subnet.SubnetId, input.Groups);
    if ((subnet.AvailableIpAddressCount ?? 0) < 1 && requestedIp === undefined) {
      throw ec2Error('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
    }
    const privateIp = await chooseAddress(net.addressIndex(), subnet, requestedIp);
    const eni = newNetworkInterfaceRecord(ctx, subnet, { privateIp, groups, description: input.Description, tags });
    await net.put('eni', eni.NetworkInterfaceId, eni);
    await net.put('subnet', subnet.SubnetId, { ...subnet, AvailableIpAddressCount: (subnet.AvailableIpAddressCount ?? 0) - 1 });
    return eni;
  });
  const view = networkInterfaceView(created, await loadInterfaceViewContext(ctx, readDb(ctx)));
  // CreateNetworkInterface answers while the interface is still pending.
  return { NetworkInterface: { ...view, Status: 'pending' }, ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}) };
}

type Described = { record: NetworkInterfaceRecord; view: NetworkInterface; Tags: Tag[] };

const INTERFACE_FILTERS: FilterFields<Described> = {
  'addresses.private-ip-address': (d) => d.view.PrivateIpAddresses?.map((p) => p.PrivateIpAddress),
  'addresses.primary': (d) => d.view.PrivateIpAddresses?.map((p) => p.Primary),
  'addresses.association.public-ip': (d) => d.view.PrivateIpAddresses?.map((p) => p.Association?.PublicIp),
  'addresses.association.owner-id': (d) => d.view.PrivateIpAddresses?.map((p) => p.Association?.IpOwnerId),
  'association.association-id': (d) => d.view.Association?.AssociationId,
  'association.allocation-id': (d) => d.view.Association?.AllocationId,
  'association.ip-owner-id': (d) => d.view.Association?.IpOwnerId,
  'association.public-ip': (d) => d.view.Association?.PublicIp,
  'association.public-dns-name': (d) => d.view.Association?.PublicDnsName,
  'attachment.attachment-id': (d) => d.view.Attachment?.AttachmentId,
  'attachment.attach-time': (d) => (d.view.Attachment ? String(d.view.Attachment.AttachTime) : undefined),
  'attachment.delete-on-termination': (d) => d.view.Attachment?.DeleteOnTermination,
  'attachment.device-index': (d) => d.view.Attachment?.DeviceIndex,
  'attachment.instance-id': (d) => d.view.Attachment?.InstanceId,
  'attachment.instance-owner-id': (d) => d.view.Attachment?.InstanceOwnerId,
  'attachment.status': (d) => d.view.Attachment?.Status,
  'availability-zone': (d) => d.view.AvailabilityZone,
  description: (d) => d.view.Description,
  'group-id': (d) => d.view.Groups?.map((g) => g.GroupId),
  'group-name': (d) => d.view.Groups?.map((g) => g.GroupName),
  'interface-type': (d) => d.view.InterfaceType,
  'ipv6-addresses.ipv6-address': () => undefined,
  'mac-address': (d) => d.view.MacAddress,
  'network-interface-id': (d) => d.view.NetworkInterfaceId,
  'owner-id': (d) => d.view.OwnerId,
  'private-dns-name': (d) => d.view.PrivateDnsName,
  'private-ip-address': (d) => d.view.PrivateIpAddress,
  'requester-id': (d) => d.view.RequesterId,
  'requester-managed': (d) => d.view.RequesterManaged,
  'source-dest-check': (d) => d.view.SourceDestCheck,
  status: (d) => d.view.Status,
  'subnet-id': (d) => d.view.SubnetId,
  'vpc-id': (d) => d.view.VpcId,
};

export async function describeNetworkInterfaces(ctx: RequestContext, input: DescribeNetworkInterfacesRequest) {
  const ids = input.NetworkInterfaceIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter NetworkInterfaceIds cannot be used with the parameter maxResults');
  }
  for (const id of ids) checkInterfaceId(id);
  const net = readDb(ctx);
  const records = (await net.listOrSelect<NetworkInterfaceRecord>('eni', ids, (e) => e.NetworkInterfaceId)).sort((a, b) => a.CreatedAtMs - b.CreatedAtMs);
  const view = await loadInterfaceViewContext(ctx, net);
  const described = records.map((record) => ({ record, view: networkInterfaceView(record, view), Tags: record.Tags }));
  const { page, nextToken } = paginate(applyFilters(described, input.Filters, INTERFACE_FILTERS), input.MaxResults, input.NextToken);
  return { NetworkInterfaces: page.map((d) => d.view), NextToken: nextToken };
}

/** An attached interface cannot be deleted ("Network interface '…' is currently in use."). */
export async function deleteNetworkInterface(ctx: RequestContext, input: DeleteNetworkInterfaceRequest) {
  await writeNet(ctx, async (net) => {
    const eni = await requireInterface(net, input.NetworkInterfaceId);
    if (eni.Attachment) throw invalidParameterValue(`Network interface '${eni.NetworkInterfaceId}' is currently in use.`);
    await net.delete('eni', eni.NetworkInterfaceId);
    await disassociateAddresses(net, eni.NetworkInterfaceId);
    await releaseAddress(net, eni);
  });
  return {};
}

/**
 * Attaches at a free device index of an instance in the interface's Availability Zone, within the
 * instance type's interface limit (NetworkInfo.MaximumNetworkInterfaces).
 */
export async function attachNetworkInterface(ctx: RequestContext, input: AttachNetworkInterfaceRequest) {
  const deviceIndex = input.DeviceIndex;
  if ((input.NetworkCardIndex ?? 0) !== 0) throw invalidParameterValue(`Invalid value '${input.NetworkCardIndex}' for networkCardIndex.`);
  const nowMs = ctx.clock.nowMs();
  const attachmentId = await writeNet(ctx, async (net, compute) => {
    const eni = await requireInterface(net, input.NetworkInterfaceId);
    const instance = await requireAttachableInstance(compute, input.InstanceId, nowMs);
    if (eni.Attachment) {
      throw ec2Error('InvalidNetworkInterface.InUse', `Interface: [${eni.NetworkInterfaceId}] in use.`);
    }
    if (eni.AvailabilityZone !== instance.AvailabilityZone) {
      throw invalidParameterCombination(`You may not attach a network interface to an instance if they are not in the same availability zone`);
    }
    if (eni.VpcId !== instance.VpcId) {
      throw invalidParameterValue(`The network interface ${eni.NetworkInterfaceId} and instance ${instance.InstanceId} belong to different networks.`);
    }
    const attached = (await net.list<NetworkInterfaceRecord>('eni')).filter((e) => e.Attachment?.InstanceId === instance.InstanceId);
    if (deviceIndex === 0 || attached.some((e) => e.Attachment!.DeviceIndex === deviceIndex)) {
      throw invalidParameterValue(`Instance '${instance.InstanceId}' already has an interface attached at device index '${deviceIndex}'.`);
    }
    // Instances launched before interfaces were stored count their primary interface all the same.
    const count = Math.max(attached.length, 1) + 1;
    const limit = findInstanceType(instance.InstanceType)?.NetworkInfo?.MaximumNetworkInterfaces ?? 2;
    if (count > limit) throw ec2Error('AttachmentLimitExceeded', `Interface count ${count} exceeds the limit for ${instance.InstanceType}`);
    const attachment = { AttachmentId: newComputeId('eni-attach'), InstanceId: instance.InstanceId, DeviceIndex: deviceIndex, DeleteOnTermination: false, AttachTimeMs: nowMs };
    await net.put('eni', eni.NetworkInterfaceId, { ...eni, Attachment: attachment });
    return attachment.AttachmentId;
  });
  return { AttachmentId: attachmentId, NetworkCardIndex: 0 };
}

/** The primary interface (device index 0) stays with its instance. */
export async function detachNetworkInterface(ctx: RequestContext, input: DetachNetworkInterfaceRequest) {
  const attachmentId = input.AttachmentId;
  if (!/^eni-attach-[0-9a-f]{8,17}$/.test(attachmentId)) malformedId('InvalidAttachmentID.Malformed', attachmentId, 'eni-attach');
  await writeNet(ctx, async (net, compute) => {
    const eni = (await net.list<NetworkInterfaceRecord>('eni')).find((e) => e.Attachment?.AttachmentId === attachmentId);
    if (!eni) {
      // A primary interface without a document (instances launched before interfaces were stored).
      const primary = (await compute.list<InstanceRecord>('instance')).some((i) => i.NetworkInterfaceAttachmentId === attachmentId);
      if (primary) throw ec2Error('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.');
      throw ec2Error('InvalidAttachmentID.NotFound', `The attachment ID '${attachmentId}' does not exist`);
    }
    if (eni.Attachment!.DeviceIndex === 0) throw ec2Error('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.');
    await net.put('eni', eni.NetworkInterfaceId, detached(eni));
  });
  return {};
}

/** One attribute per call: description, security groups, source/destination check or the attachment's DeleteOnTermination. */
export async function modifyNetworkInterfaceAttribute(ctx: RequestContext, input: ModifyNetworkInterfaceAttributeRequest) {
  const given = (
    [
      ['description', input.Description],
      ['sourceDestCheck', input.SourceDestCheck],
      ['groupSet', input.Groups],
      ['attachment', input.Attachment],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length === 0) throw missingParameter('The request must contain the parameter attribute');
  if (given.length > 1) throw invalidParameterCombination(`Fields for multiple attribute types specified: ${given.map(([name]) => name).join(', ')}`);
  const [name] = given[0]!;
  await writeNet(ctx, async (net, compute) => {
    const eni = await requireInterface(net, input.NetworkInterfaceId);
    const primaryOfInstance = eni.Attachment?.DeviceIndex === 0 ? await compute.get<InstanceRecord>('instance', eni.Attachment.InstanceId) : undefined;
    switch (name) {
      case 'description':
        await net.put('eni', eni.NetworkInterfaceId, { ...eni, Description: input.Description!.Value ?? '' });
        return;
      case 'sourceDestCheck': {
        const value = input.SourceDestCheck!.Value ?? false;
        if (primaryOfInstance) await compute.put('instance', primaryOfInstance.InstanceId, { ...primaryOfInstance, SourceDestCheck: value });
        else await net.put('eni', eni.NetworkInterfaceId, { ...eni, SourceDestCheck: value });
        return;
      }
      case 'groupSet': {
        const groups = await chooseGroups(net, eni.VpcId, eni.SubnetId, input.Groups);
        if (groups.length === 0) throw missingParameter('The request must contain the parameter groupId');
        if (primaryOfInstance) await compute.put('instance', primaryOfInstance.InstanceId, { ...primaryOfInstance, SecurityGroupIds: groups });
        else await net.put('eni', eni.NetworkInterfaceId, { ...eni, Groups: groups });
        return;
      }
      case 'attachment': {
        const change = input.Attachment!;
        if (!eni.Attachment || change.AttachmentId !== eni.Attachment.AttachmentId) {
          throw ec2Error('InvalidAttachmentID.NotFound', `The attachment ID '${change.AttachmentId ?? ''}' does not exist`);
        }
        const attachment = { ...eni.Attachment, DeleteOnTermination: change.DeleteOnTermination ?? eni.Attachment.DeleteOnTermination };
        await net.put('eni', eni.NetworkInterfaceId, { ...eni, Attachment: attachment });
        return;
      }
    }
  });
  return {};
}

export async function describeNetworkInterfaceAttribute(ctx: RequestContext, input: DescribeNetworkInterfaceAttributeRequest) {
  const net = readDb(ctx);
  const eni = await requireInterface(net, input.NetworkInterfaceId);
  const view = networkInterfaceView(eni, await loadInterfaceViewContext(ctx, net));
  const base = { NetworkInterfaceId: eni.NetworkInterfaceId };
  switch (input.Attribute) {
    case 'description':
      return { ...base, Description: { Value: view.Description } };
    case 'groupSet':
      return { ...base, Groups: view.Groups };
    case 'sourceDestCheck':
      return { ...base, SourceDestCheck: { Value: view.SourceDestCheck } };
    case 'attachment':
      return { ...base, ...(view.Attachment ? { Attachment: view.Attachment } : {}) };
    case undefined:
      throw missingParameter('The request must contain the parameter attribute');
    default:
      throw invalidParameterValue(`Value (${String(input.Attribute)}) for parameter attribute is invalid. Unknown attribute.`);
  }
}

/** For DeleteSubnet and DeleteSecurityGroup: interfaces in a subnet, or using a group (secondary interfaces' own groups). */
export async function interfacesWhere(net: Ec2Db, test: (eni: NetworkInterfaceRecord) => boolean): Promise<NetworkInterfaceRecord[]> {
  return (await net.list<NetworkInterfaceRecord>('eni')).filter(test);
}
