/**
 * The account's own AMIs: CreateImage from an instance (a snapshot of each attached EBS volume,
 * the image pointing at them), DeregisterImage, and DescribeImages answering the catalog's public
 * images and the account's together (the catalog's `describeImages` with `extraImages`). Images
 * are available at once; RunInstances launches them like catalog images.
 */
import type { RequestContext } from '../../core/context.ts';
import type { BlockDeviceMapping, CreateImageRequest, DeregisterImageRequest, DescribeImagesRequest, Image, Tag, TagSpecification } from '../../generated/ec2/types.ts';
import { describeImages as describeCatalogImages, findImage } from './catalog/index.ts';
import { isoAt, newComputeId, notFoundIds, readCompute, writeCompute, type ComputeDb } from './compute-store.ts';
import { ec2Error, invalidParameterValue } from './errors.ts';
import { hasVanished, stateNameAt, type InstanceRecord } from './instance-state.ts';
import { newSnapshotRecord, type SnapshotRecord } from './snapshots.ts';
import { tagsFromSpecifications } from './tags.ts';
import type { VolumeRecord } from './volumes.ts';

export type ImageRecord = Image & { ImageId: string; Name: string; OwnerId: string; SourceInstanceId: string };

/** The image a RunInstances names: a catalog image or one of the account's, else InvalidAMIID.*. */
export async function findLaunchableImage(db: ComputeDb, imageId: string): Promise<Image> {
  if (!/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(imageId)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  const image = findImage(db.region, imageId) ?? (await db.get<ImageRecord>('image', imageId));
  if (!image) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  return image;
}

/** Without the internal members the API does not describe. */
function imageView(record: ImageRecord): Image {
  const { SourceInstanceId: _source, ...image } = record;
  return image;
}

export async function describeImages(ctx: RequestContext, input: DescribeImagesRequest) {
  const own = (await readCompute(ctx).list<ImageRecord>('image')).sort((a, b) => String(a.CreationDate).localeCompare(String(b.CreationDate)));
  return describeCatalogImages(ctx, input, own.map(imageView));
}

/** "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'" */
const AMI_NAME = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;

function tagsFor(specs: TagSpecification[] | undefined, type: string): Tag[] {
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== 'image' && spec.ResourceType !== 'snapshot') {
      throw invalidParameterValue(`'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
  }
  return tagsFromSpecifications((specs ?? []).filter((s) => s.ResourceType === type), type);
}

export async function createImage(ctx: RequestContext, input: CreateImageRequest) {
  const name = input.Name!;
  if (!AMI_NAME.test(name)) {
    throw ec2Error('InvalidAMIName.Malformed', "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
  }
  const imageTags = tagsFor(input.TagSpecifications, 'image');
  const snapshotTags = tagsFor(input.TagSpecifications, 'snapshot');
  const nowMs = ctx.clock.nowMs();
  const imageId = await writeCompute(ctx, async (db) => {
    const instance = await db.get<InstanceRecord>('instance', input.InstanceId!);
    if (!instance || hasVanished(instance.Events, nowMs)) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', [input.InstanceId!]);
    const state = stateNameAt(instance.Events, nowMs);
    if (state !== 'running' && state !== 'stopped') {
      throw ec2Error('IncorrectInstanceState', `The instance '${instance.InstanceId}' is not in a state from which it can be imaged.`);
    }
    const clash = (await db.list<ImageRecord>('image')).find((i) => i.Name === name);
    if (clash) throw ec2Error('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${clash.ImageId}`);

    const volumes = (await db.list<VolumeRecord>('volume')).filter((v) => v.Attachments.some((a) => a.InstanceId === instance.InstanceId));
    const mappings: BlockDeviceMapping[] = [];
    const snapshots: SnapshotRecord[] = [];
    for (const volume of volumes) {
      const attachment = volume.Attachments.find((a) => a.InstanceId === instance.InstanceId)!;
      const snapshot: SnapshotRecord = newSnapshotRecord(nowMs, ctx.accountId, volume, '', snapshotTags);
      mappings.push({
        DeviceName: attachment.Device,
        Ebs: {
          DeleteOnTermination: attachment.DeleteOnTermination,
          SnapshotId: snapshot.SnapshotId,
          VolumeSize: volume.Size,
          VolumeType: volume.VolumeType as NonNullable<BlockDeviceMapping['Ebs']>['VolumeType'],
          ...(volume.Iops !== undefined && volume.VolumeType !== 'gp2' ? { Iops: volume.Iops } : {}),
          ...(volume.Throughput !== undefined ? { Throughput: volume.Throughput } : {}),
          Encrypted: volume.Encrypted,
        },
      });
      snapshots.push(snapshot);
    }
    mappings.sort((a, b) => (a.DeviceName === instance.RootDeviceName ? -1 : b.DeviceName === instance.RootDeviceName ? 1 : a.DeviceName!.localeCompare(b.DeviceName!)));
    const id = newComputeId('ami');
    for (const snapshot of snapshots) {
      snapshot.Description = `Created by CreateImage(${instance.InstanceId}) for ${id}`;
      await db.put('snapshot', snapshot.SnapshotId, snapshot);
    }
    const image: ImageRecord = {
      PlatformDetails: instance.PlatformDetails,
      UsageOperation: instance.UsageOperation,
      BlockDeviceMappings: mappings,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      EnaSupport: true,
      Hypervisor: 'xen',
      Name: name,
      RootDeviceName: instance.RootDeviceName,
      RootDeviceType: 'ebs',
      SriovNetSupport: 'simple',
      VirtualizationType: 'hvm',
      ...(instance.BootMode ? { BootMode: instance.BootMode as Image['BootMode'] } : {}),
      ...(instance.ImdsV2Required ? { ImdsSupport: 'v2.0' as const } : {}),
      SourceInstanceId: instance.InstanceId,
      ImageId: id,
      ImageLocation: `${ctx.accountId}/${name}`,
      State: 'available',
      OwnerId: ctx.accountId,
      CreationDate: isoAt(nowMs),
      Public: false,
      Architecture: instance.Architecture as Image['Architecture'],
      ImageType: 'machine',
      ...(instance.Platform ? { Platform: instance.Platform as Image['Platform'] } : {}),
      ...(imageTags.length > 0 ? { Tags: imageTags } : {}),
    };
    await db.put('image', id, image);
    // Without NoReboot, EC2 reboots the instance to image consistent volumes.
    if (input.NoReboot !== true && state === 'running') {
      await db.put('instance', instance.InstanceId, { ...instance, Events: [...instance.Events, { action: 'reboot', atMs: nowMs }] });
    }
    return id;
  });
  return { ImageId: imageId };
}

export async function deregisterImage(ctx: RequestContext, input: DeregisterImageRequest) {
  const imageId = input.ImageId!;
  if (!/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(imageId)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  const deleteSnapshots = input.DeleteAssociatedSnapshots === true;
  await writeCompute(ctx, async (db) => {
    const image = await db.get<ImageRecord>('image', imageId);
    if (!image) {
      // Public catalog images belong to other accounts.
      if (findImage(ctx.region, imageId)) throw ec2Error('AuthFailure', `Not authorized for image:${imageId}`);
      throw ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    }
    await db.delete('image', imageId);
    if (deleteSnapshots) {
      for (const mapping of image.BlockDeviceMappings ?? []) if (mapping.Ebs?.SnapshotId) await db.delete('snapshot', mapping.Ebs.SnapshotId);
    }
  });
  return { Return: true };
}
