/**
 * EC2 instances: RunInstances (image, instance type and architecture, subnet or the default
 * subnet, security groups, key pair, user data, instance profile, tags, EBS block devices,
 * addresses, counts and the instance quota, ClientToken idempotency), DescribeInstances in AWS's
 * shape with its filters and pages, and DescribeInstanceStatus. State changes are in lifecycle.ts;
 * the state itself is computed from the document's events (instance-state.ts).
 */
import { randomInt } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type {
  BlockDeviceMapping,
  DescribeInstanceStatusRequest,
  GroupIdentifier,
  InstanceNetworkInterface,
  DescribeInstancesRequest,
  IamInstanceProfileSpecification,
  Image,
  Instance,
  InstanceStatus,
  Reservation,
  RunInstancesRequest,
  Tag,
  TagSpecification,
} from '../../generated/ec2/types.ts';
import { KIND, getRecord, nameKey, type InstanceProfileRecord, type RoleRecord } from '../iam/common.ts';
import { findInstanceType, supportsArchitecture } from './catalog/index.ts';
import { computeKindOfId, isoAt, randomHex, newComputeId, notFoundIds, readCompute, writeCompute, type ComputeDb } from './compute-store.ts';
import { Ec2Db } from './db.ts';
import { defaultVpcId } from './defaults.ts';
import { ec2Error, invalidParameterCombination, invalidParameterValue } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { findLaunchableImage } from './images.ts';
import { hasVanished, stateAt, stateNameAt, terminatedAtMs, userInitiatedReason, type InstanceRecord } from './instance-state.ts';
import { requireKeyPairByName } from './key-pairs.ts';
import type { AddressRecord, NetworkInterfaceRecord, SecurityGroupRecord, SubnetRecord, VpcRecord } from './records.ts';
import { ensureAddressIndex, newNetworkInterfaceRecord } from './network-interfaces.ts';
import { chooseAddress } from './address-index.ts';
import { zonesOf } from './regions.ts';
import { tagsFromSpecifications } from './tags.ts';
import { newVolumeRecord, type VolumeRecord } from './volumes.ts';

/**
 * The On-Demand instance quota Bonsai enforces (running and pending instances per region), as a
 * new account's. BONSAI_EC2_INSTANCE_QUOTA raises it (the benchmarks launch 1,000 instances), as a
 * quota increase would on AWS.
 */
export const INSTANCE_QUOTA = quotaFromEnv(process.env.BONSAI_EC2_INSTANCE_QUOTA, 20);

function quotaFromEnv(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
/** "User data is limited to 16 KB, in raw form, before it is base64-encoded." */
const USER_DATA_MAX_BYTES = 16 * 1024;
const DEFAULT_INSTANCE_TYPE = 't2.micro';

// ---------------------------------------------------------------------------------------------
// IAM instance profiles

export interface ResolvedProfile {
  profile: InstanceProfileRecord;
  role?: RoleRecord;
}

/** The instance profile a request names by Arn or Name, and its role, from IAM's records. */
export async function resolveInstanceProfile(ctx: RequestContext, spec: IamInstanceProfileSpecification | undefined): Promise<ResolvedProfile | undefined> {
  if (!spec || (spec.Arn === undefined && spec.Name === undefined)) return undefined;
  const name = spec.Arn !== undefined ? spec.Arn.slice(spec.Arn.lastIndexOf('/') + 1) : spec.Name!;
  const profile = await getRecord<InstanceProfileRecord>(ctx.store, KIND.instanceProfile, ctx.accountId, nameKey(name));
  if (!profile || (spec.Arn !== undefined && profile.Arn !== spec.Arn)) return undefined;
  const roleName = profile.Roles[0];
  const role = roleName !== undefined ? await getRecord<RoleRecord>(ctx.store, KIND.role, ctx.accountId, nameKey(roleName)) : undefined;
  return { profile, role };
}

export async function requireInstanceProfile(ctx: RequestContext, spec: IamInstanceProfileSpecification | undefined): Promise<ResolvedProfile> {
  const resolved = await resolveInstanceProfile(ctx, spec);
  if (resolved) return resolved;
  if (spec?.Arn !== undefined) throw invalidParameterValue(`Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
  if (spec?.Name !== undefined) throw invalidParameterValue(`Value (${spec.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  throw ec2Error('MissingParameter', 'The request must contain the parameter IamInstanceProfile');
}

// ---------------------------------------------------------------------------------------------
// Names and addresses

function ipDashed(ip: string): string {
  return ip.replaceAll('.', '-');
}

/** ip-10-0-0-12.ec2.internal in us-east-1, ip-10-0-0-12.<region>.compute.internal elsewhere. */
export function privateDnsName(region: string, ip: string): string {
  return region === 'us-east-1' ? `ip-${ipDashed(ip)}.ec2.internal` : `ip-${ipDashed(ip)}.${region}.compute.internal`;
}

/** ec2-54-1-2-3.compute-1.amazonaws.com in us-east-1, ec2-….<region>.compute.amazonaws.com elsewhere. */
export function publicDnsName(region: string, ip: string): string {
  return region === 'us-east-1' ? `ec2-${ipDashed(ip)}.compute-1.amazonaws.com` : `ec2-${ipDashed(ip)}.${region}.compute.amazonaws.com`;
}

/** A public address from ranges Amazon announces (3.x, 18.x, 34.x, 44.x, 52.x, 54.x). */
export function newPublicIp(): string {
  const first = [3, 18, 34, 44, 52, 54][randomInt(6)]!;
  return `${first}.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}`;
}

/** A locally administered MAC address (02:…), as EC2 gives every interface. */
export function newMacAddress(): string {
  return `02${randomHex(5).replace(/../g, ':$&')}`;
}

// ---------------------------------------------------------------------------------------------
// RunInstances

interface Placement {
  subnet: SubnetRecord;
  vpc: VpcRecord;
}

/** The subnet named (directly or on the primary network interface), else the default subnet of the zone asked for, else the first. */
async function chooseSubnet(ctx: RequestContext, net: Ec2Db, input: RunInstancesRequest, vpcId: string | undefined): Promise<Placement> {
  const primary = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const subnetId = primary?.SubnetId ?? input.SubnetId;
  let subnet: SubnetRecord;
  if (subnetId !== undefined) {
    subnet = await net.require<SubnetRecord>('subnet', subnetId);
  } else {
    if (!vpcId) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    const zone = input.Placement?.AvailabilityZone;
    if (zone !== undefined && !zonesOf(ctx.region).some((z) => z.name === zone)) {
      throw invalidParameterValue(`Invalid availability zone: [${zone}]`);
    }
    const defaults = (await net.list<SubnetRecord>('subnet')).filter((s) => s.VpcId === vpcId && s.DefaultForAz).sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
    const found = zone !== undefined ? defaults.find((s) => s.AvailabilityZone === zone) : defaults[0];
    if (!found) throw ec2Error('MissingInput', `No subnets found for the default VPC '${vpcId}'. Please specify a subnet.`);
    subnet = found;
  }
  const vpc = await net.require<VpcRecord>('vpc', subnet.VpcId);
  return { subnet, vpc };
}

/** SecurityGroupIds (or the interface's Groups) and SecurityGroups names, in the subnet's VPC; the VPC's default group otherwise. */
async function chooseSecurityGroups(net: Ec2Db, input: RunInstancesRequest, placement: Placement): Promise<SecurityGroupRecord[]> {
  const primary = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const ids = [...(input.SecurityGroupIds ?? []), ...(primary?.Groups ?? [])];
  const names = input.SecurityGroups ?? [];
  const groups = await net.list<SecurityGroupRecord>('sg');
  const chosen: SecurityGroupRecord[] = [];
  for (const id of ids) {
    const group = groups.find((g) => g.GroupId === id);
    if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    if (group.VpcId !== placement.vpc.VpcId) {
      throw ec2Error('InvalidParameter', `Security group ${id} and subnet ${placement.subnet.SubnetId} belong to different networks.`);
    }
    if (!chosen.includes(group)) chosen.push(group);
  }
  for (const name of names) {
    const group = groups.find((g) => g.VpcId === placement.vpc.VpcId && g.GroupName === name);
    if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${placement.vpc.VpcId}'`);
    if (!chosen.includes(group)) chosen.push(group);
  }
  if (chosen.length === 0) {
    const fallback = groups.find((g) => g.VpcId === placement.vpc.VpcId && g.GroupName === 'default');
    if (fallback) chosen.push(fallback);
  }
  return chosen;
}

function decodeUserData(userData: string | undefined): string | undefined {
  if (userData === undefined || userData === '') return undefined;
  const compact = userData.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalidParameterValue('Invalid BASE64 encoding of user data.');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > USER_DATA_MAX_BYTES) throw invalidParameterValue(`User data is limited to ${USER_DATA_MAX_BYTES} bytes`);
  return compact;
}

const LAUNCH_TAG_TYPES = new Set(['instance', 'volume', 'network-interface']);

function launchTags(specs: TagSpecification[] | undefined, type: 'instance' | 'volume' | 'network-interface'): Tag[] {
  for (const spec of specs ?? []) {
    if (!LAUNCH_TAG_TYPES.has(spec.ResourceType ?? '')) {
      throw invalidParameterValue(`'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
  }
  return tagsFromSpecifications((specs ?? []).filter((s) => s.ResourceType === type), type);
}

/** The architectures an instance type runs, as RunInstances' mismatch message lists them ("x86_64,i386"). */
function architecturesOf(supported: readonly string[]): string {
  return [...supported].sort((a, b) => (a === 'i386' ? 1 : b === 'i386' ? -1 : a.localeCompare(b))).join(',');
}

/** The block devices an instance gets: the image's mappings with the request's overrides applied. */
function launchMappings(image: Image, requested: BlockDeviceMapping[] | undefined): BlockDeviceMapping[] {
  const byDevice = new Map<string, BlockDeviceMapping>();
  for (const m of image.BlockDeviceMappings ?? []) if (m.Ebs) byDevice.set(m.DeviceName!, { DeviceName: m.DeviceName, Ebs: { ...m.Ebs } });
  for (const m of requested ?? []) {
    const device = m.DeviceName!;
    if (m.NoDevice !== undefined) {
      byDevice.delete(device);
      continue;
    }
    if (!m.Ebs) continue; // instance store (VirtualName) is not modelled
    const base = byDevice.get(device)?.Ebs;
    const merged = { ...(base ?? { DeleteOnTermination: false }), ...Object.fromEntries(Object.entries(m.Ebs).filter(([, v]) => v !== undefined)) };
    // A type change drops the image's IOPS and throughput unless the request restates them.
    if (base && m.Ebs.VolumeType !== undefined && m.Ebs.VolumeType !== base.VolumeType) {
      if (m.Ebs.Iops === undefined) delete merged.Iops;
      if (m.Ebs.Throughput === undefined) delete merged.Throughput;
    }
    byDevice.set(device, { DeviceName: device, Ebs: merged });
  }
  return [...byDevice.values()];
}

/**
 * The reservation a ClientToken already launched, if any (RunInstances is idempotent per token).
 * Tokens are kept in their own documents (`ec2:client-token`, keyed by the token), so a launch
 * does not read every instance to find out.
 */
async function existingReservation(ctx: RequestContext, db: ComputeDb, token: string | undefined): Promise<Reservation | undefined> {
  if (token === undefined || token === '') return undefined;
  const known = await db.get<ClientTokenRecord>('client-token', token);
  if (!known) return undefined;
  const nowMs = ctx.clock.nowMs();
  const launched: InstanceRecord[] = [];
  for (const id of known.InstanceIds) {
    const instance = await db.get<InstanceRecord>('instance', id);
    if (instance && !hasVanished(instance.Events, nowMs)) launched.push(instance);
  }
  if (launched.length === 0) return undefined;
  const view = await loadViewContext(ctx, db);
  return reservationsOf(launched, view)[0];
}

/** What an `ec2:client-token` document holds: the instances RunInstances launched with the token. */
interface ClientTokenRecord {
  InstanceIds: string[];
}

export async function runInstances(ctx: RequestContext, input: RunInstancesRequest) {
  const again = await existingReservation(ctx, readCompute(ctx), input.ClientToken);
  if (again) return again;

  const minCount = input.MinCount;
  const maxCount = input.MaxCount;
  if (minCount < 1) throw invalidParameterValue(`Value (${minCount}) for parameter minCount is invalid. Expected a positive integer.`);
  if (maxCount < minCount) throw invalidParameterValue(`Value (${maxCount}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (${minCount}).`);
  const userData = decodeUserData(input.UserData);
  const instanceTags = launchTags(input.TagSpecifications, 'instance');
  const volumeTags = launchTags(input.TagSpecifications, 'volume');
  const interfaceTags = launchTags(input.TagSpecifications, 'network-interface');
  const profile = input.IamInstanceProfile && (input.IamInstanceProfile.Arn !== undefined || input.IamInstanceProfile.Name !== undefined)
    ? await requireInstanceProfile(ctx, input.IamInstanceProfile)
    : undefined;
  const nowMs = ctx.clock.nowMs();
  await ensureAddressIndex(ctx);
  // Read before the transaction: defaultVpcId reads through the request's store.
  const defaultVpc = await defaultVpcId(ctx);

  const launched = await writeCompute(ctx, async (db) => {
    const net = new Ec2Db(db.ops, ctx.accountId, ctx.region);
    const image = await findLaunchableImage(db, input.ImageId ?? '');
    const typeName = input.InstanceType ?? DEFAULT_INSTANCE_TYPE;
    const instanceType = findInstanceType(typeName);
    if (!instanceType) throw invalidParameterValue(`Invalid value '${typeName}' for InstanceType.`);
    if (!supportsArchitecture(instanceType, image.Architecture!)) {
      const supported = (instanceType.ProcessorInfo?.SupportedArchitectures ?? []) as string[];
      throw invalidParameterValue(
        `The architecture '${architecturesOf(supported)}' of the specified instance type does not match the architecture '${image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
      );
    }
    if (input.KeyName !== undefined) await requireKeyPairByName(db, input.KeyName);
    const placement = await chooseSubnet(ctx, net, input, defaultVpc);
    const groups = await chooseSecurityGroups(net, input, placement);

    // The address index answers both questions without reading any instance or interface document.
    const addresses = net.addressIndex();
    const active = await addresses.liveInstances();
    if (active + minCount > INSTANCE_QUOTA) {
      throw ec2Error(
        'InstanceLimitExceeded',
        `You have requested more instances (${active + minCount}) than your current instance limit of ${INSTANCE_QUOTA} allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
      );
    }
    const count = Math.min(maxCount, INSTANCE_QUOTA - active);
    const subnet = { ...placement.subnet };
    if ((subnet.AvailableIpAddressCount ?? 0) < minCount) {
      throw ec2Error('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
    }
    const primary = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
    if (count > 1 && (input.PrivateIpAddress ?? primary?.PrivateIpAddress) !== undefined) {
      throw invalidParameterCombination('Cannot specify a private IP address when launching more than one instance.');
    }
    const assignPublicIp = primary?.AssociatePublicIpAddress ?? subnet.MapPublicIpOnLaunch === true;
    const zoneId = subnet.AvailabilityZoneId ?? zonesOf(ctx.region).find((z) => z.name === subnet.AvailabilityZone)?.id ?? '';
    const mappings = launchMappings(image, input.BlockDeviceMappings);
    const reservationId = newComputeId('r');
    const records: InstanceRecord[] = [];
    // What the response shows, gathered as it is made rather than read back from the store.
    const volumesByInstance = new Map<string, VolumeRecord[]>();
    const interfacesByInstance = new Map<string, NetworkInterfaceRecord[]>();

    for (let index = 0; index < count; index++) {
      // Each interface document is written before the next address is chosen, so the index sees it.
      const privateIp = await chooseAddress(addresses, subnet, index === 0 ? (input.PrivateIpAddress ?? primary?.PrivateIpAddress) : undefined);
      const instanceId = newComputeId('i');
      const primaryInterface = newNetworkInterfaceRecord(ctx, subnet, {
        privateIp,
        groups: groups.map((g) => g.GroupId),
        description: primary?.Description,
        tags: interfaceTags,
        attachment: { AttachmentId: newComputeId('eni-attach'), InstanceId: instanceId, DeviceIndex: 0, DeleteOnTermination: primary?.DeleteOnTermination ?? true, AttachTimeMs: nowMs },
      });
      await net.put('eni', primaryInterface.NetworkInterfaceId, primaryInterface);
      interfacesByInstance.set(instanceId, [primaryInterface]);
      for (const mapping of mappings) {
        const ebs = mapping.Ebs!;
        let snapshotSize: number | undefined;
        if (ebs.SnapshotId) {
          const fromImage = image.BlockDeviceMappings?.find((m) => m.Ebs?.SnapshotId === ebs.SnapshotId);
          snapshotSize = fromImage?.Ebs?.VolumeSize;
        }
        if (snapshotSize !== undefined && ebs.VolumeSize !== undefined && ebs.VolumeSize < snapshotSize) {
          throw ec2Error('InvalidBlockDeviceMapping', `Volume of size ${ebs.VolumeSize}GB is smaller than snapshot '${ebs.SnapshotId}', expect size >= ${snapshotSize}GB`);
        }
        const volume: VolumeRecord = newVolumeRecord(nowMs, { name: subnet.AvailabilityZone!, id: zoneId }, {
          size: ebs.VolumeSize,
          snapshotSize,
          volumeType: ebs.VolumeType,
          iops: ebs.VolumeType === 'gp2' || (ebs.VolumeType === undefined && ebs.Iops === undefined) ? undefined : ebs.Iops,
          throughput: ebs.VolumeType === 'gp3' ? ebs.Throughput : undefined,
          snapshotId: ebs.SnapshotId,
          encrypted: ebs.Encrypted,
          tags: volumeTags,
        });
        volume.Attachments = [{ InstanceId: instanceId, Device: mapping.DeviceName!, AttachTime: isoAt(nowMs), DeleteOnTermination: ebs.DeleteOnTermination ?? false }];
        await db.put('volume', volume.VolumeId, volume);
        pushTo(volumesByInstance, instanceId, volume);
      }
      const record: InstanceRecord = {
        InstanceId: instanceId,
        ReservationId: reservationId,
        OwnerId: ctx.accountId,
        ImageId: image.ImageId!,
        InstanceType: typeName,
        ...(input.KeyName !== undefined ? { KeyName: input.KeyName } : {}),
        AmiLaunchIndex: index,
        LaunchTime: isoAt(nowMs),
        SubnetId: subnet.SubnetId,
        VpcId: subnet.VpcId,
        AvailabilityZone: subnet.AvailabilityZone!,
        AvailabilityZoneId: zoneId,
        PrivateIpAddress: privateIp,
        ...(assignPublicIp ? { PublicIpAddress: newPublicIp() } : {}),
        AssignPublicIp: assignPublicIp,
        SecurityGroupIds: groups.map((g) => g.GroupId),
        Architecture: image.Architecture!,
        RootDeviceName: image.RootDeviceName ?? '/dev/xvda',
        ...(image.Platform ? { Platform: image.Platform } : {}),
        PlatformDetails: image.PlatformDetails ?? 'Linux/UNIX',
        UsageOperation: image.UsageOperation ?? 'RunInstances',
        ...(image.BootMode ? { BootMode: image.BootMode } : {}),
        ImdsV2Required: image.ImdsSupport === 'v2.0' || input.MetadataOptions?.HttpTokens === 'required',
        ...(userData !== undefined ? { UserData: userData } : {}),
        DisableApiTermination: input.DisableApiTermination === true,
        DisableApiStop: input.DisableApiStop === true,
        InstanceInitiatedShutdownBehavior: input.InstanceInitiatedShutdownBehavior ?? 'stop',
        SourceDestCheck: true,
        EbsOptimized: input.EbsOptimized === true,
        MonitoringEnabled: input.Monitoring?.Enabled === true,
        HibernationConfigured: input.HibernationOptions?.Configured === true,
        Tenancy: input.Placement?.Tenancy ?? 'default',
        ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}),
        Tags: instanceTags,
        ...(profile
          ? { IamInstanceProfile: { Arn: profile.profile.Arn, Id: profile.profile.InstanceProfileId, AssociationId: newComputeId('iip-assoc'), ...(profile.role ? { RoleArn: profile.role.Arn } : {}) } }
          : {}),
        NetworkInterfaceId: primaryInterface.NetworkInterfaceId,
        NetworkInterfaceAttachmentId: primaryInterface.Attachment!.AttachmentId,
        MacAddress: primaryInterface.MacAddress,
        Events: [{ action: 'launch', atMs: nowMs }],
      };
      await db.put('instance', instanceId, record);
      records.push(record);
    }
    subnet.AvailableIpAddressCount = (subnet.AvailableIpAddressCount ?? 0) - records.length;
    await net.put('subnet', subnet.SubnetId, subnet);
    if (input.ClientToken !== undefined && input.ClientToken !== '') {
      await db.put<ClientTokenRecord>('client-token', input.ClientToken, { InstanceIds: records.map((r) => r.InstanceId) });
    }
    const view: ViewContext = {
      region: ctx.region,
      nowMs,
      vpcs: new Map([[placement.vpc.VpcId, placement.vpc]]),
      groups: new Map(groups.map((g) => [g.GroupId, g])),
      volumesByInstance,
      elasticIps: new Map(),
      interfacesByInstance,
    };
    return { records, view };
  });

  return reservationsOf(launched.records, launched.view)[0]!;
}

// ---------------------------------------------------------------------------------------------
// Views

/** What building instance views needs besides the instance documents. */
export interface ViewContext {
  region: string;
  nowMs: number;
  vpcs: Map<string, VpcRecord>;
  groups: Map<string, SecurityGroupRecord>;
  volumesByInstance: Map<string, VolumeRecord[]>;
  /** Elastic IP addresses by the instance they are associated with (addresses.ts). */
  elasticIps: Map<string, string>;
  /** Network interfaces by the instance they are attached to (the primary one included). */
  interfacesByInstance: Map<string, NetworkInterfaceRecord[]>;
}

export async function loadViewContext(ctx: RequestContext, db: ComputeDb): Promise<ViewContext> {
  const net = new Ec2Db(db.ops, ctx.accountId, ctx.region);
  const volumesByInstance = new Map<string, VolumeRecord[]>();
  for (const volume of await db.list<VolumeRecord>('volume')) {
    for (const a of volume.Attachments) pushTo(volumesByInstance, a.InstanceId, volume);
  }
  const interfacesByInstance = new Map<string, NetworkInterfaceRecord[]>();
  for (const eni of await net.list<NetworkInterfaceRecord>('eni')) {
    if (eni.Attachment) pushTo(interfacesByInstance, eni.Attachment.InstanceId, eni);
  }
  return {
    region: ctx.region,
    nowMs: ctx.clock.nowMs(),
    vpcs: new Map((await net.list<VpcRecord>('vpc')).map((v) => [v.VpcId, v])),
    groups: new Map((await net.list<SecurityGroupRecord>('sg')).map((g) => [g.GroupId, g])),
    volumesByInstance,
    elasticIps: new Map((await net.list<AddressRecord>('eipalloc')).filter((a) => a.InstanceId).map((a) => [a.InstanceId!, a.PublicIp])),
    interfacesByInstance,
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

type InterfaceAssociation = NonNullable<InstanceNetworkInterface['Association']>;

/**
 * The instance's interfaces in device-index order: the primary one from the instance document
 * (its groups, address and source/destination check; its description and DeleteOnTermination from
 * its own document when it has one), then the attached ones from theirs.
 */
function instanceInterfaces(
  record: InstanceRecord,
  view: ViewContext,
  primary: { association: InterfaceAssociation | undefined; groups: GroupIdentifier[]; privateDns: string },
): InstanceNetworkInterface[] {
  const attached = view.interfacesByInstance.get(record.InstanceId) ?? [];
  const primaryDoc = attached.find((e) => e.NetworkInterfaceId === record.NetworkInterfaceId);
  const interfaces: InstanceNetworkInterface[] = [
    interfaceEntry({
      association: primary.association,
      attachmentId: record.NetworkInterfaceAttachmentId,
      attachTimeMs: record.Events[0]!.atMs,
      deleteOnTermination: primaryDoc?.Attachment?.DeleteOnTermination ?? true,
      deviceIndex: 0,
      description: primaryDoc?.Description ?? '',
      groups: primary.groups,
      mac: record.MacAddress,
      id: record.NetworkInterfaceId,
      owner: record.OwnerId,
      privateDns: primary.privateDns,
      privateIp: record.PrivateIpAddress,
      sourceDestCheck: record.SourceDestCheck,
      subnetId: record.SubnetId,
      vpcId: record.VpcId,
    }),
  ];
  const secondaries = attached.filter((e) => e !== primaryDoc).sort((a, b) => a.Attachment!.DeviceIndex - b.Attachment!.DeviceIndex);
  for (const eni of secondaries) {
    interfaces.push(
      interfaceEntry({
        association: undefined,
        attachmentId: eni.Attachment!.AttachmentId,
        attachTimeMs: eni.Attachment!.AttachTimeMs,
        deleteOnTermination: eni.Attachment!.DeleteOnTermination,
        deviceIndex: eni.Attachment!.DeviceIndex,
        description: eni.Description,
        groups: eni.Groups.map((id) => ({ GroupId: id, GroupName: view.groups.get(id)?.GroupName ?? '' })),
        mac: eni.MacAddress,
        id: eni.NetworkInterfaceId,
        owner: eni.OwnerId,
        privateDns: privateDnsName(view.region, eni.PrivateIpAddress),
        privateIp: eni.PrivateIpAddress,
        sourceDestCheck: eni.SourceDestCheck,
        subnetId: eni.SubnetId,
        vpcId: eni.VpcId,
      }),
    );
  }
  return interfaces;
}

function interfaceEntry(e: {
  association: InterfaceAssociation | undefined;
  attachmentId: string;
  attachTimeMs: number;
  deleteOnTermination: boolean;
  deviceIndex: number;
  description: string;
  groups: GroupIdentifier[];
  mac: string;
  id: string;
  owner: string;
  privateDns: string;
  privateIp: string;
  sourceDestCheck: boolean;
  subnetId: string;
  vpcId: string;
}): InstanceNetworkInterface {
  // Plain literals, no spreads: a spread makes V8 build the object property by property in its
  // runtime, which cost more than the rest of a 1,000-instance DescribeInstances. Undefined
  // members (Association without a public address) are left out by the XML writer.
  return {
    Association: e.association,
    Attachment: {
      AttachTime: isoAt(e.attachTimeMs) as unknown as Date,
      AttachmentId: e.attachmentId,
      DeleteOnTermination: e.deleteOnTermination,
      DeviceIndex: e.deviceIndex,
      Status: 'attached',
      NetworkCardIndex: 0,
    },
    Description: e.description,
    Groups: e.groups,
    Ipv6Addresses: [],
    MacAddress: e.mac,
    NetworkInterfaceId: e.id,
    OwnerId: e.owner,
    PrivateDnsName: e.privateDns,
    PrivateIpAddress: e.privateIp,
    PrivateIpAddresses: [{ Association: e.association, Primary: true, PrivateDnsName: e.privateDns, PrivateIpAddress: e.privateIp }],
    SourceDestCheck: e.sourceDestCheck,
    Status: 'in-use',
    SubnetId: e.subnetId,
    VpcId: e.vpcId,
    InterfaceType: 'interface',
  };
}

function stateReason(record: InstanceRecord): Instance['StateReason'] | undefined {
  const last = [...record.Events].reverse().find((e) => e.action !== 'reboot' && e.action !== 'launch' && e.action !== 'start');
  if (!last) return undefined;
  const state = record.Events.at(-1);
  if (state && (state.action === 'start' || state.action === 'launch')) return undefined;
  if (last.action === 'hibernate') return { Code: 'Client.UserInitiatedHibernate', Message: 'Client.UserInitiatedHibernate: User initiated hibernate' };
  return { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
}

function lastChangeReason(record: InstanceRecord, nowMs: number): string {
  const state = stateNameAt(record.Events, nowMs);
  if (state === 'pending' || state === 'running') return '';
  const last = [...record.Events].reverse().find((e) => e.action !== 'reboot')!;
  return userInitiatedReason(last.atMs);
}

/**
 * An instance as DescribeInstances shows it (Instance shape, AWS's member set). Built as one plain
 * literal (see interfaceEntry): members AWS leaves out are undefined, which the XML writer skips.
 */
export function instanceView(record: InstanceRecord, view: ViewContext): Instance {
  const state = stateAt(record.Events, view.nowMs);
  const gone = state.Name === 'terminated';
  const vpc = view.vpcs.get(record.VpcId);
  const dnsHostnames = vpc?.Attributes.EnableDnsHostnames ?? false;
  // An Elastic IP stays through stops; the automatic public address is given back when the instance stops.
  const elasticIp = gone ? undefined : view.elasticIps.get(record.InstanceId);
  const publicIp = elasticIp ?? (gone || state.Name === 'stopped' || state.Name === 'stopping' ? undefined : record.PublicIpAddress);
  const publicDns = publicIp !== undefined && dnsHostnames ? publicDnsName(view.region, publicIp) : '';
  const privateDns = gone ? '' : privateDnsName(view.region, record.PrivateIpAddress);
  const groups = gone ? [] : record.SecurityGroupIds.map((id) => ({ GroupId: id, GroupName: view.groups.get(id)?.GroupName ?? '' }));
  const type = findInstanceType(record.InstanceType);
  const volumes = gone ? [] : (view.volumesByInstance.get(record.InstanceId) ?? []);
  const association = publicIp !== undefined ? { IpOwnerId: elasticIp !== undefined ? record.OwnerId : 'amazon', PublicDnsName: publicDns, PublicIp: publicIp } : undefined;
  const reason = stateReason(record);
  const instance: Instance = {
    Architecture: record.Architecture as Instance['Architecture'],
    BlockDeviceMappings: volumes
      .map((v) => ({ v, a: v.Attachments.find((a) => a.InstanceId === record.InstanceId)! }))
      .sort((x, y) => x.a.AttachTime.localeCompare(y.a.AttachTime) || (x.a.Device === record.RootDeviceName ? -1 : 1))
      .map(({ v, a }) => ({ DeviceName: a.Device, Ebs: { AttachTime: a.AttachTime as unknown as Date, DeleteOnTermination: a.DeleteOnTermination, Status: 'attached', VolumeId: v.VolumeId } })),
    ClientToken: record.ClientToken ?? '',
    EbsOptimized: record.EbsOptimized,
    EnaSupport: true,
    Hypervisor: 'xen',
    IamInstanceProfile: record.IamInstanceProfile && !gone ? { Arn: record.IamInstanceProfile.Arn, Id: record.IamInstanceProfile.Id } : undefined,
    NetworkInterfaces: gone ? [] : instanceInterfaces(record, view, { association, groups, privateDns }),
    RootDeviceName: record.RootDeviceName,
    RootDeviceType: 'ebs',
    SecurityGroups: groups,
    SourceDestCheck: record.SourceDestCheck,
    StateReason: reason,
    Tags: record.Tags.length > 0 ? record.Tags : undefined,
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: type?.VCpuInfo?.DefaultCores ?? 1, ThreadsPerCore: type?.VCpuInfo?.DefaultThreadsPerCore ?? 1 },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: record.HibernationConfigured },
    MetadataOptions: {
      State: 'applied',
      HttpTokens: record.ImdsV2Required ? 'required' : 'optional',
      HttpPutResponseHopLimit: record.ImdsV2Required ? 2 : 1,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    },
    EnclaveOptions: { Enabled: false },
    BootMode: (record.BootMode || undefined) as Instance['BootMode'],
    PlatformDetails: record.PlatformDetails,
    UsageOperation: record.UsageOperation,
    UsageOperationUpdateTime: isoAt(record.Events[0]!.atMs) as unknown as Date,
    PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: 'default' },
    CurrentInstanceBootMode: record.BootMode === 'uefi' ? 'uefi' : 'legacy-bios',
    InstanceId: record.InstanceId,
    ImageId: record.ImageId,
    State: state,
    PrivateDnsName: privateDns,
    PublicDnsName: publicDns,
    StateTransitionReason: lastChangeReason(record, view.nowMs),
    KeyName: record.KeyName,
    AmiLaunchIndex: record.AmiLaunchIndex,
    ProductCodes: [],
    InstanceType: record.InstanceType as Instance['InstanceType'],
    LaunchTime: record.LaunchTime as unknown as Date,
    Placement: { AvailabilityZoneId: record.AvailabilityZoneId, GroupName: '', Tenancy: record.Tenancy as 'default', AvailabilityZone: record.AvailabilityZone },
    Platform: (record.Platform || undefined) as Instance['Platform'],
    Monitoring: { State: record.MonitoringEnabled ? 'enabled' : 'disabled' },
    SubnetId: gone ? undefined : record.SubnetId,
    VpcId: gone ? undefined : record.VpcId,
    PrivateIpAddress: gone ? undefined : record.PrivateIpAddress,
    PublicIpAddress: publicIp,
  };
  return instance;
}

/** Instances grouped into their reservations, in launch order. */
export function reservationsOf(records: InstanceRecord[], view: ViewContext): Reservation[] {
  const byReservation = new Map<string, InstanceRecord[]>();
  for (const r of records) byReservation.set(r.ReservationId, [...(byReservation.get(r.ReservationId) ?? []), r]);
  return [...byReservation.entries()].map(([reservationId, members]) => ({
    ReservationId: reservationId,
    OwnerId: members[0]!.OwnerId,
    Groups: [],
    Instances: members.sort((a, b) => a.AmiLaunchIndex - b.AmiLaunchIndex).map((m) => instanceView(m, view)),
  }));
}

// ---------------------------------------------------------------------------------------------
// DescribeInstances

function checkInstanceIds(ids: readonly string[]): void {
  for (const id of ids) if (computeKindOfId(id) !== 'instance') throw ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
}

/** Live (not vanished) instances in launch order; the ids named must all exist. */
export async function listInstances(db: ComputeDb, ids: readonly string[] | undefined, nowMs: number): Promise<InstanceRecord[]> {
  const live = (await db.list<InstanceRecord>('instance'))
    .filter((i) => !hasVanished(i.Events, nowMs))
    .sort((a, b) => a.Events[0]!.atMs - b.Events[0]!.atMs || a.ReservationId.localeCompare(b.ReservationId) || a.AmiLaunchIndex - b.AmiLaunchIndex);
  if (!ids || ids.length === 0) return live;
  checkInstanceIds(ids);
  const missing = [...new Set(ids)].filter((id) => !live.some((i) => i.InstanceId === id));
  if (missing.length > 0) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', missing);
  return live.filter((i) => ids.includes(i.InstanceId));
}

/** The instance named, or InvalidInstanceID.Malformed / NotFound. */
export async function requireInstance(db: ComputeDb, id: string, nowMs: number): Promise<InstanceRecord> {
  return (await listInstances(db, [id], nowMs))[0]!;
}

type Described = { record: InstanceRecord; view: Instance };

const INSTANCE_FILTERS: FilterFields<Described> = {
  'affinity': () => undefined,
  'ami-launch-index': (d) => d.view.AmiLaunchIndex,
  architecture: (d) => d.view.Architecture,
  'availability-zone': (d) => d.view.Placement?.AvailabilityZone,
  'availability-zone-id': (d) => d.view.Placement?.AvailabilityZoneId,
  'block-device-mapping.attach-time': (d) => d.view.BlockDeviceMappings?.map((b) => String(b.Ebs?.AttachTime)),
  'block-device-mapping.delete-on-termination': (d) => d.view.BlockDeviceMappings?.map((b) => b.Ebs?.DeleteOnTermination),
  'block-device-mapping.device-name': (d) => d.view.BlockDeviceMappings?.map((b) => b.DeviceName),
  'block-device-mapping.status': (d) => d.view.BlockDeviceMappings?.map((b) => b.Ebs?.Status),
  'block-device-mapping.volume-id': (d) => d.view.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeId),
  'boot-mode': (d) => d.view.BootMode,
  'client-token': (d) => d.view.ClientToken,
  'current-instance-boot-mode': (d) => d.view.CurrentInstanceBootMode,
  'dns-name': (d) => d.view.PublicDnsName,
  'ebs-optimized': (d) => d.view.EbsOptimized,
  'ena-support': (d) => d.view.EnaSupport,
  'group-id': (d) => d.view.SecurityGroups?.map((g) => g.GroupId),
  'group-name': (d) => d.view.SecurityGroups?.map((g) => g.GroupName),
  'hibernation-options.configured': (d) => d.view.HibernationOptions?.Configured,
  hypervisor: (d) => d.view.Hypervisor,
  'iam-instance-profile.arn': (d) => d.view.IamInstanceProfile?.Arn,
  'iam-instance-profile.id': (d) => d.view.IamInstanceProfile?.Id,
  'image-id': (d) => d.view.ImageId,
  'instance-id': (d) => d.view.InstanceId,
  'instance-lifecycle': (d) => d.view.InstanceLifecycle,
  'instance-state-code': (d) => d.view.State?.Code,
  'instance-state-name': (d) => d.view.State?.Name,
  'instance-type': (d) => d.view.InstanceType,
  'instance.group-id': (d) => d.view.SecurityGroups?.map((g) => g.GroupId),
  'instance.group-name': (d) => d.view.SecurityGroups?.map((g) => g.GroupName),
  'ip-address': (d) => d.view.PublicIpAddress,
  'key-name': (d) => d.view.KeyName,
  'launch-index': (d) => d.view.AmiLaunchIndex,
  'launch-time': (d) => String(d.view.LaunchTime),
  'metadata-options.http-tokens': (d) => d.view.MetadataOptions?.HttpTokens,
  'metadata-options.http-endpoint': (d) => d.view.MetadataOptions?.HttpEndpoint,
  'monitoring-state': (d) => d.view.Monitoring?.State,
  'network-interface.network-interface-id': (d) => d.view.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
  'network-interface.private-ip-address': (d) => d.view.NetworkInterfaces?.map((n) => n.PrivateIpAddress),
  'network-interface.subnet-id': (d) => d.view.NetworkInterfaces?.map((n) => n.SubnetId),
  'network-interface.vpc-id': (d) => d.view.NetworkInterfaces?.map((n) => n.VpcId),
  'network-interface.mac-address': (d) => d.view.NetworkInterfaces?.map((n) => n.MacAddress),
  'owner-id': (d) => d.record.OwnerId,
  'placement-group-name': (d) => d.view.Placement?.GroupName,
  platform: (d) => d.view.Platform,
  'platform-details': (d) => d.view.PlatformDetails,
  'private-dns-name': (d) => d.view.PrivateDnsName,
  'private-ip-address': (d) => d.view.PrivateIpAddress,
  'product-code': () => undefined,
  'reservation-id': (d) => d.record.ReservationId,
  'root-device-name': (d) => d.view.RootDeviceName,
  'root-device-type': (d) => d.view.RootDeviceType,
  'source-dest-check': (d) => d.view.SourceDestCheck,
  'state-reason-code': (d) => d.view.StateReason?.Code,
  'state-reason-message': (d) => d.view.StateReason?.Message,
  'subnet-id': (d) => d.view.SubnetId,
  tenancy: (d) => d.view.Placement?.Tenancy,
  'usage-operation': (d) => d.view.UsageOperation,
  'virtualization-type': (d) => d.view.VirtualizationType,
  'vpc-id': (d) => d.view.VpcId,
};

export async function describeInstances(ctx: RequestContext, input: DescribeInstancesRequest) {
  const ids = input.InstanceIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const db = readCompute(ctx);
  const view = await loadViewContext(ctx, db);
  const records = await listInstances(db, ids, view.nowMs);
  const described = records.map((record) => ({ record, view: instanceView(record, view), Tags: record.Tags }));
  const filtered = applyFilters(described, input.Filters, INSTANCE_FILTERS);
  const { page, nextToken } = paginate(filtered, input.MaxResults, input.NextToken);
  return { Reservations: reservationsOf(page.map((d) => d.record), view), NextToken: nextToken };
}

// ---------------------------------------------------------------------------------------------
// DescribeInstanceStatus

function statusOf(record: InstanceRecord, nowMs: number): InstanceStatus {
  const state = stateAt(record.Events, nowMs);
  const running = state.Name === 'running';
  const summary = running
    ? { Details: [{ Name: 'reachability' as const, Status: 'passed' as const }], Status: 'ok' as const }
    : { Details: [{ Name: 'reachability' as const, Status: 'passed' as const }], Status: 'not-applicable' as const };
  return {
    AvailabilityZone: record.AvailabilityZone,
    AvailabilityZoneId: record.AvailabilityZoneId,
    InstanceId: record.InstanceId,
    InstanceState: state,
    InstanceStatus: running ? summary : { Status: 'not-applicable' },
    SystemStatus: running ? summary : { Status: 'not-applicable' },
    AttachedEbsStatus: running ? { Details: [{ Name: 'reachability', Status: 'passed' }], Status: 'ok' } : { Status: 'not-applicable' },
  };
}

const STATUS_FILTERS: FilterFields<InstanceStatus> = {
  'availability-zone': (s) => s.AvailabilityZone,
  'availability-zone-id': (s) => s.AvailabilityZoneId,
  'instance-state-code': (s) => s.InstanceState?.Code,
  'instance-state-name': (s) => s.InstanceState?.Name,
  'instance-status.reachability': (s) => s.InstanceStatus?.Details?.map((d) => d.Status),
  'instance-status.status': (s) => s.InstanceStatus?.Status,
  'system-status.reachability': (s) => s.SystemStatus?.Details?.map((d) => d.Status),
  'system-status.status': (s) => s.SystemStatus?.Status,
  'attached-ebs-status.status': (s) => s.AttachedEbsStatus?.Status,
};

/** Running instances only, unless IncludeAllInstances. */
export async function describeInstanceStatus(ctx: RequestContext, input: DescribeInstanceStatusRequest) {
  const nowMs = ctx.clock.nowMs();
  const ids = input.InstanceIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const records = await listInstances(readCompute(ctx), ids, nowMs);
  const statuses = records.map((r) => statusOf(r, nowMs)).filter((s) => input.IncludeAllInstances === true || s.InstanceState?.Name === 'running');
  const { page, nextToken } = paginate(applyFilters(statuses, input.Filters, STATUS_FILTERS, { tags: false }), input.MaxResults, input.NextToken);
  return { InstanceStatuses: page, NextToken: nextToken };
}
