/**
 * EBS volumes (Amazon EBS User Guide, "Amazon EBS volume types" and "Attach an Amazon EBS volume"):
 * CreateVolume with each type's size and IOPS limits, DescribeVolumes, AttachVolume (same zone
 * only; one instance at a time unless io1/io2 Multi-Attach), DetachVolume, DeleteVolume,
 * ModifyVolume (size only upward). Creation, attachment and detachment complete at once: the
 * responses say creating/attaching/detaching, every later read says available/attached.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AttachVolumeRequest,
  CreateVolumeRequest,
  DeleteVolumeRequest,
  DescribeVolumesModificationsRequest,
  DescribeVolumesRequest,
  DetachVolumeRequest,
  ModifyVolumeRequest,
  Tag,
  Volume,
  VolumeModification,
} from '../../generated/ec2/types.ts';
import { computeKindOfId, isoAt, newComputeId, notFoundIds, readCompute, writeCompute, type ComputeDb } from './compute-store.ts';
import { ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { hasVanished, stateNameAt, type InstanceRecord } from './instance-state.ts';
import { zonesOf } from './regions.ts';
import { findSnapshotSource } from './snapshots.ts';
import { tagsFromSpecifications } from './tags.ts';

export interface VolumeAttachmentRecord {
  InstanceId: string;
  Device: string;
  AttachTime: string;
  DeleteOnTermination: boolean;
}

export interface VolumeRecord {
  VolumeId: string;
  Size: number;
  SnapshotId: string;
  AvailabilityZone: string;
  AvailabilityZoneId: string;
  CreateTime: string;
  VolumeType: string;
  Iops?: number;
  Throughput?: number;
  Encrypted: boolean;
  MultiAttachEnabled: boolean;
  Tags: Tag[];
  Attachments: VolumeAttachmentRecord[];
  /** The last ModifyVolume, for DescribeVolumesModifications. */
  Modification?: VolumeModification;
}

export interface VolumeSpec {
  size?: number;
  volumeType?: string;
  iops?: number;
  throughput?: number;
  multiAttach?: boolean;
  snapshotSize?: number;
}

/** Per type: size range (GiB), IOPS range, IOPS per GiB, and whether IOPS may or must be given. */
const LIMITS: Record<string, { minSize: number; maxSize: number; iops?: { min: number; max: number; perGib: number; required: boolean }; defaultIops?: number }> = {
  gp2: { minSize: 1, maxSize: 16384 },
  gp3: { minSize: 1, maxSize: 16384, iops: { min: 3000, max: 16000, perGib: 500, required: false }, defaultIops: 3000 },
  io1: { minSize: 4, maxSize: 16384, iops: { min: 100, max: 64000, perGib: 50, required: true } },
  io2: { minSize: 4, maxSize: 16384, iops: { min: 100, max: 256000, perGib: 1000, required: true } },
  st1: { minSize: 125, maxSize: 16384 },
  sc1: { minSize: 125, maxSize: 16384 },
  standard: { minSize: 1, maxSize: 1024 },
};

/** gp2's baseline: 3 IOPS per GiB, at least 100 and at most 16,000. */
function gp2Iops(size: number): number {
  return Math.min(16000, Math.max(100, size * 3));
}

/**
 * A volume's type, size, IOPS and throughput checked against its type's limits (the size defaults
 * to the snapshot's); returns what the volume will report.
 */
export function checkVolumeSpec(spec: VolumeSpec): { VolumeType: string; Size: number; Iops?: number; Throughput?: number; MultiAttachEnabled: boolean } {
  const volumeType = spec.volumeType ?? 'gp2';
  const limits = LIMITS[volumeType];
  if (!limits) throw invalidParameterValue(`Value (${volumeType}) for parameter volumeType is invalid. Valid values are: standard, io1, io2, gp2, sc1, st1, gp3.`);
  const size = spec.size ?? spec.snapshotSize;
  if (size === undefined) throw missingParameter('The request must contain the parameter size or snapshotId');
  if (spec.snapshotSize !== undefined && size < spec.snapshotSize) {
    throw invalidParameterValue(`Volume of ${size}GiB is too small; minimum is ${spec.snapshotSize}GiB.`);
  }
  if (size < limits.minSize) throw invalidParameterValue(`Volume of ${size}GiB is too small; minimum is ${limits.minSize}GiB.`);
  if (size > limits.maxSize) throw invalidParameterValue(`Volume of ${size}GiB is too large; maximum is ${limits.maxSize}GiB.`);
  let iops: number | undefined;
  if (spec.iops !== undefined) {
    if (!limits.iops) throw invalidParameterCombination(`The parameter iops is not supported for ${volumeType} volumes.`);
    iops = spec.iops;
    if (iops < limits.iops.min || iops > limits.iops.max) {
      throw invalidParameterValue(`Volume iops of ${iops} is ${iops < limits.iops.min ? 'too low; minimum is ' + limits.iops.min : 'too high; maximum is ' + limits.iops.max}.`);
    }
    if (iops > size * limits.iops.perGib) {
      throw invalidParameterValue(`Iops to volume size ratio of ${(iops / size).toFixed(1)} is too high; maximum is ${limits.iops.perGib}.`);
    }
  } else if (limits.iops?.required) {
    throw missingParameter(`The request must contain the parameter iops`);
  }
  if (spec.throughput !== undefined && volumeType !== 'gp3') throw invalidParameterCombination(`The parameter throughput is not supported for ${volumeType} volumes.`);
  if (spec.throughput !== undefined && (spec.throughput < 125 || spec.throughput > 1000)) {
    throw invalidParameterValue(`Volume throughput of ${spec.throughput} is invalid; valid range is 125-1000 MiB/s.`);
  }
  if (spec.multiAttach && volumeType !== 'io1' && volumeType !== 'io2') {
    throw invalidParameterCombination(`The parameter multiAttachEnabled is not supported for ${volumeType} volumes.`);
  }
  const reported: { VolumeType: string; Size: number; Iops?: number; Throughput?: number; MultiAttachEnabled: boolean } = { VolumeType: volumeType, Size: size, MultiAttachEnabled: spec.multiAttach === true };
  if (volumeType === 'gp2') reported.Iops = gp2Iops(size);
  else if (volumeType === 'gp3') {
    reported.Iops = iops ?? limits.defaultIops;
    reported.Throughput = spec.throughput ?? 125;
  } else if (iops !== undefined) reported.Iops = iops;
  return reported;
}

export function newVolumeRecord(
  nowMs: number,
  zone: { name: string; id: string },
  spec: VolumeSpec & { snapshotId?: string; encrypted?: boolean; tags: Tag[] },
): VolumeRecord {
  const checked = checkVolumeSpec(spec);
  return {
    VolumeId: newComputeId('vol'),
    ...checked,
    SnapshotId: spec.snapshotId ?? '',
    AvailabilityZone: zone.name,
    AvailabilityZoneId: zone.id,
    CreateTime: isoAt(nowMs),
    Encrypted: spec.encrypted === true,
    Tags: spec.tags,
    Attachments: [],
  };
}

export function volumeView(v: VolumeRecord): Volume {
  const view: Volume = {
    AvailabilityZoneId: v.AvailabilityZoneId,
    ...(v.Iops !== undefined ? { Iops: v.Iops } : {}),
    ...(v.Tags.length > 0 ? { Tags: v.Tags } : {}),
    VolumeType: v.VolumeType as Volume['VolumeType'],
    MultiAttachEnabled: v.MultiAttachEnabled,
    ...(v.Throughput !== undefined ? { Throughput: v.Throughput } : {}),
    VolumeId: v.VolumeId,
    Size: v.Size,
    SnapshotId: v.SnapshotId,
    AvailabilityZone: v.AvailabilityZone,
    State: v.Attachments.length > 0 ? 'in-use' : 'available',
    CreateTime: v.CreateTime as unknown as Date,
    Attachments: v.Attachments.map((a) => ({
      DeleteOnTermination: a.DeleteOnTermination,
      VolumeId: v.VolumeId,
      InstanceId: a.InstanceId,
      Device: a.Device,
      State: 'attached',
      AttachTime: a.AttachTime as unknown as Date,
    })),
    Encrypted: v.Encrypted,
  };
  return view;
}

function zoneNamed(region: string, name: string | undefined, id: string | undefined): { name: string; id: string } {
  const zones = zonesOf(region);
  if (name === undefined && id === undefined) throw missingParameter('The request must contain the parameter availabilityZone');
  const zone = zones.find((z) => (name !== undefined ? z.name === name : z.id === id));
  if (!zone) throw invalidParameterValue(`Invalid availability zone: [${name ?? id}]`);
  return zone;
}

export async function requireVolume(db: ComputeDb, volumeId: string): Promise<VolumeRecord> {
  if (!/^vol-[0-9a-f]{8,17}$/.test(volumeId)) throw ec2Error('InvalidVolumeID.Malformed', `Invalid id: "${volumeId}" (expecting "vol-...")`);
  const volume = await db.get<VolumeRecord>('volume', volumeId);
  if (!volume) throw ec2Error('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
  return volume;
}

/** The instance named, unless it never existed or has vanished since it terminated. */
async function requireLiveInstance(db: ComputeDb, instanceId: string, nowMs: number): Promise<InstanceRecord> {
  if (computeKindOfId(instanceId) !== 'instance') throw ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
  const instance = await db.get<InstanceRecord>('instance', instanceId);
  if (!instance || hasVanished(instance.Events, nowMs)) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', [instanceId]);
  return instance;
}

export async function createVolume(ctx: RequestContext, input: CreateVolumeRequest) {
  const zone = zoneNamed(ctx.region, input.AvailabilityZone, input.AvailabilityZoneId);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'volume');
  const volume = await writeCompute(ctx, async (db) => {
    let snapshotSize: number | undefined;
    let encrypted = input.Encrypted === true;
    if (input.SnapshotId !== undefined) {
      const source = await findSnapshotSource(db, input.SnapshotId);
      snapshotSize = source.VolumeSize;
      encrypted ||= source.Encrypted;
    }
    const created = newVolumeRecord(ctx.clock.nowMs(), zone, {
      size: input.Size,
      volumeType: input.VolumeType,
      iops: input.Iops,
      throughput: input.Throughput,
      multiAttach: input.MultiAttachEnabled,
      snapshotSize,
      snapshotId: input.SnapshotId,
      encrypted,
      tags,
    });
    await db.put('volume', created.VolumeId, created);
    return created;
  });
  // CreateVolume answers while the volume is still being created.
  return { ...volumeView(volume), State: 'creating' as const, Attachments: undefined };
}

const VOLUME_FILTERS: FilterFields<Volume> = {
  'attachment.attach-time': (v) => (v.Attachments ?? []).map((a) => String(a.AttachTime)),
  'attachment.delete-on-termination': (v) => (v.Attachments ?? []).map((a) => a.DeleteOnTermination),
  'attachment.device': (v) => (v.Attachments ?? []).map((a) => a.Device),
  'attachment.instance-id': (v) => (v.Attachments ?? []).map((a) => a.InstanceId),
  'attachment.status': (v) => (v.Attachments ?? []).map((a) => a.State),
  'availability-zone': (v) => v.AvailabilityZone,
  'availability-zone-id': (v) => v.AvailabilityZoneId,
  'create-time': (v) => String(v.CreateTime),
  encrypted: (v) => v.Encrypted,
  'multi-attach-enabled': (v) => v.MultiAttachEnabled,
  size: (v) => v.Size,
  'snapshot-id': (v) => v.SnapshotId,
  status: (v) => v.State,
  'volume-id': (v) => v.VolumeId,
  'volume-type': (v) => v.VolumeType,
  iops: (v) => v.Iops,
  throughput: (v) => v.Throughput,
};

export async function describeVolumes(ctx: RequestContext, input: DescribeVolumesRequest) {
  const db = readCompute(ctx);
  const all = (await db.list<VolumeRecord>('volume')).sort((a, b) => a.CreateTime.localeCompare(b.CreateTime));
  const ids = input.VolumeIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) throw invalidParameterCombination('The parameter volumeSet cannot be used with the parameter maxResults');
  for (const id of ids) if (!/^vol-[0-9a-f]{8,17}$/.test(id)) throw ec2Error('InvalidVolumeID.Malformed', `Invalid id: "${id}" (expecting "vol-...")`);
  const missing = ids.filter((id) => !all.some((v) => v.VolumeId === id));
  if (missing.length > 0) throw ec2Error('InvalidVolume.NotFound', `The volume${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist.`);
  const views = all.filter((v) => ids.length === 0 || ids.includes(v.VolumeId)).map(volumeView);
  const { page, nextToken } = paginate(applyFilters(views, input.Filters, VOLUME_FILTERS), input.MaxResults, input.NextToken);
  return { Volumes: page, NextToken: nextToken };
}

/** The Linux device names EC2 accepts: /dev/sd[b-z], /dev/sd[b-z][1-15], /dev/xvd[b-z], /dev/xvda for roots. */
const DEVICE_NAME = /^(\/dev\/(sd|xvd)[a-z]([1-9]|1[0-5])?|xvd[a-z]+)$/;

export async function attachVolume(ctx: RequestContext, input: AttachVolumeRequest) {
  const nowMs = ctx.clock.nowMs();
  const device = input.Device!;
  const attachment = await writeCompute(ctx, async (db) => {
    const volume = await requireVolume(db, input.VolumeId!);
    const instance = await requireLiveInstance(db, input.InstanceId!, nowMs);
    const state = stateNameAt(instance.Events, nowMs);
    if (state !== 'running' && state !== 'stopped') {
      throw ec2Error('IncorrectState', `Instance '${instance.InstanceId}' is not 'running'.`);
    }
    if (volume.AvailabilityZone !== instance.AvailabilityZone) {
      throw ec2Error('InvalidVolume.ZoneMismatch', `The volume '${volume.VolumeId}' is not in the same availability zone as instance '${instance.InstanceId}'`);
    }
    if (volume.Attachments.some((a) => a.InstanceId === instance.InstanceId)) {
      throw ec2Error('VolumeInUse', `${volume.VolumeId} is already attached to an instance`);
    }
    if (volume.Attachments.length > 0 && !volume.MultiAttachEnabled) {
      throw ec2Error('VolumeInUse', `${volume.VolumeId} is already attached to an instance`);
    }
    if (!DEVICE_NAME.test(device)) throw invalidParameterValue(`Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`);
    const taken = (await db.list<VolumeRecord>('volume')).some((v) => v.Attachments.some((a) => a.InstanceId === instance.InstanceId && a.Device === device));
    if (taken) throw invalidParameterValue(`Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    const record: VolumeAttachmentRecord = { InstanceId: instance.InstanceId, Device: device, AttachTime: isoAt(nowMs), DeleteOnTermination: false };
    await db.put('volume', volume.VolumeId, { ...volume, Attachments: [...volume.Attachments, record] });
    return record;
  });
  return { AttachTime: attachment.AttachTime, Device: attachment.Device, InstanceId: attachment.InstanceId, State: 'attaching', VolumeId: input.VolumeId };
}

export async function detachVolume(ctx: RequestContext, input: DetachVolumeRequest) {
  const detached = await writeCompute(ctx, async (db) => {
    const volume = await requireVolume(db, input.VolumeId!);
    const match = volume.Attachments.find((a) => (input.InstanceId === undefined || a.InstanceId === input.InstanceId) && (input.Device === undefined || a.Device === input.Device));
    if (!match) {
      if (volume.Attachments.length === 0) throw ec2Error('IncorrectState', `Volume '${volume.VolumeId}' is in the 'available' state.`);
      throw ec2Error('InvalidAttachment.NotFound', `Volume '${volume.VolumeId}' can not be detached from instance '${input.InstanceId ?? ''}' as it is not attached to it.`);
    }
    const instance = await db.get<InstanceRecord>('instance', match.InstanceId);
    if (instance && !input.Force) {
      const rootVolume = instance.RootDeviceName === match.Device;
      if (rootVolume && stateNameAt(instance.Events, ctx.clock.nowMs()) !== 'stopped') {
        throw ec2Error('OperationNotPermitted', `The volume '${volume.VolumeId}' is the root device of instance '${instance.InstanceId}' and cannot be detached while the instance is running.`);
      }
    }
    await db.put('volume', volume.VolumeId, { ...volume, Attachments: volume.Attachments.filter((a) => a !== match) });
    return match;
  });
  return { AttachTime: detached.AttachTime, Device: detached.Device, InstanceId: detached.InstanceId, State: 'detaching', VolumeId: input.VolumeId };
}

export async function deleteVolume(ctx: RequestContext, input: DeleteVolumeRequest) {
  await writeCompute(ctx, async (db) => {
    const volume = await requireVolume(db, input.VolumeId!);
    if (volume.Attachments.length > 0) throw ec2Error('VolumeInUse', `Volume ${volume.VolumeId} is currently attached to ${volume.Attachments[0]!.InstanceId}`);
    await db.delete('volume', volume.VolumeId);
  });
  return {};
}

/**
 * ModifyVolume: size (upward only), type, IOPS and throughput. The modification is reported
 * completed at once ("optimizing" takes hours on AWS; the new size is usable immediately there too).
 */
export async function modifyVolume(ctx: RequestContext, input: ModifyVolumeRequest) {
  const nowMs = ctx.clock.nowMs();
  const modification = await writeCompute(ctx, async (db) => {
    const volume = await requireVolume(db, input.VolumeId!);
    if (input.Size === undefined && input.VolumeType === undefined && input.Iops === undefined && input.Throughput === undefined && input.MultiAttachEnabled === undefined) {
      throw missingParameter('The request must contain at least one of the parameters size, volumeType, iops, throughput or multiAttachEnabled');
    }
    if (input.Size !== undefined && input.Size < volume.Size) {
      throw invalidParameterValue(`New size cannot be smaller than existing size`);
    }
    const volumeType = input.VolumeType ?? volume.VolumeType;
    const keepsIops = volumeType === volume.VolumeType && volumeType !== 'gp2';
    const checked = checkVolumeSpec({
      size: input.Size ?? volume.Size,
      volumeType,
      iops: input.Iops ?? (keepsIops ? volume.Iops : undefined),
      throughput: input.Throughput ?? (volumeType === 'gp3' && volume.VolumeType === 'gp3' ? volume.Throughput : undefined),
      multiAttach: input.MultiAttachEnabled ?? volume.MultiAttachEnabled,
    });
    const result: VolumeModification = {
      VolumeId: volume.VolumeId,
      ModificationState: 'completed',
      TargetSize: checked.Size,
      ...(checked.Iops !== undefined ? { TargetIops: checked.Iops } : {}),
      TargetVolumeType: checked.VolumeType as VolumeModification['TargetVolumeType'],
      ...(checked.Throughput !== undefined ? { TargetThroughput: checked.Throughput } : {}),
      TargetMultiAttachEnabled: checked.MultiAttachEnabled,
      OriginalSize: volume.Size,
      ...(volume.Iops !== undefined ? { OriginalIops: volume.Iops } : {}),
      OriginalVolumeType: volume.VolumeType as VolumeModification['OriginalVolumeType'],
      ...(volume.Throughput !== undefined ? { OriginalThroughput: volume.Throughput } : {}),
      OriginalMultiAttachEnabled: volume.MultiAttachEnabled,
      Progress: 100,
      StartTime: isoAt(nowMs) as unknown as Date,
      EndTime: isoAt(nowMs) as unknown as Date,
    };
    const updated: VolumeRecord = { ...volume, Size: checked.Size, VolumeType: checked.VolumeType, Iops: checked.Iops, Throughput: checked.Throughput, MultiAttachEnabled: checked.MultiAttachEnabled, Modification: result };
    await db.put('volume', volume.VolumeId, updated);
    return result;
  });
  // The response shows the modification as it starts.
  return { VolumeModification: { ...modification, ModificationState: 'modifying', Progress: 0, EndTime: undefined } };
}

export async function describeVolumesModifications(ctx: RequestContext, input: DescribeVolumesModificationsRequest) {
  const all = await readCompute(ctx).list<VolumeRecord>('volume');
  const ids = input.VolumeIds ?? [];
  const missing = ids.filter((id) => !all.some((v) => v.VolumeId === id));
  if (missing.length > 0) throw ec2Error('InvalidVolume.NotFound', `The volume '${missing[0]}' does not exist.`);
  const modifications = all.filter((v) => v.Modification && (ids.length === 0 || ids.includes(v.VolumeId))).map((v) => v.Modification!);
  const fields: FilterFields<VolumeModification> = {
    'modification-state': (m) => m.ModificationState,
    'volume-id': (m) => m.VolumeId,
    'target-size': (m) => m.TargetSize,
    'target-volume-type': (m) => m.TargetVolumeType,
    'original-size': (m) => m.OriginalSize,
    'original-volume-type': (m) => m.OriginalVolumeType,
  };
  return { VolumesModifications: applyFilters(modifications, input.Filters, fields, { tags: false }) };
}
