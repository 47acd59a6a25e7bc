/**
 * EBS snapshots: CreateSnapshot of a volume, DescribeSnapshots, CopySnapshot (from this or another
 * region: the request goes to the destination region and names SourceRegion), DeleteSnapshot
 * (refused while an AMI uses it). A snapshot completes at once: CreateSnapshot and CopySnapshot
 * answer "pending", every later read says "completed" at 100%.
 *
 * Volumes can be created from the account's snapshots and from the public root snapshots of the
 * catalog's AMIs.
 */
import type { RequestContext } from '../../core/context.ts';
import type { CopySnapshotRequest, CreateSnapshotRequest, DeleteSnapshotRequest, DescribeSnapshotsRequest, Snapshot, Tag } from '../../generated/ec2/types.ts';
import { catalogImages } from './catalog/index.ts';
import { ComputeDb, isoAt, newComputeId, readCompute, writeCompute } from './compute-store.ts';
import { ec2Error, invalidParameterCombination } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import type { ImageRecord } from './images.ts';
import { tagsFromSpecifications } from './tags.ts';
import type { VolumeRecord } from './volumes.ts';

export interface SnapshotRecord {
  SnapshotId: string;
  VolumeId: string;
  VolumeSize: number;
  Description: string;
  StartTime: string;
  OwnerId: string;
  Encrypted: boolean;
  Tags: Tag[];
}

export function snapshotView(s: SnapshotRecord): Snapshot {
  return {
    ...(s.Tags.length > 0 ? { Tags: s.Tags } : {}),
    StorageTier: 'standard',
    SnapshotId: s.SnapshotId,
    VolumeId: s.VolumeId,
    State: 'completed',
    StartTime: s.StartTime as unknown as Date,
    Progress: '100%',
    OwnerId: s.OwnerId,
    Description: s.Description,
    VolumeSize: s.VolumeSize,
    Encrypted: s.Encrypted,
  };
}

function checkSnapshotId(id: string): void {
  if (!/^snap-[0-9a-f]{8,17}$/.test(id)) throw ec2Error('InvalidSnapshotID.Malformed', `Invalid id: "${id}" (expecting "snap-...")`);
}

function snapshotNotFound(id: string): Error {
  return ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
}

/**
 * What a volume created from a snapshot starts from: the account's own snapshot, or the root
 * snapshot of a catalog image (public, owned by the image's owner).
 */
export async function findSnapshotSource(db: ComputeDb, snapshotId: string): Promise<{ VolumeSize: number; Encrypted: boolean }> {
  checkSnapshotId(snapshotId);
  const own = await db.get<SnapshotRecord>('snapshot', snapshotId);
  if (own) return { VolumeSize: own.VolumeSize, Encrypted: own.Encrypted };
  for (const image of catalogImages(db.region)) {
    for (const mapping of image.BlockDeviceMappings ?? []) {
      if (mapping.Ebs?.SnapshotId === snapshotId) return { VolumeSize: mapping.Ebs.VolumeSize ?? 8, Encrypted: mapping.Ebs.Encrypted === true };
    }
  }
  throw snapshotNotFound(snapshotId);
}

export function newSnapshotRecord(nowMs: number, owner: string, volume: Pick<VolumeRecord, 'VolumeId' | 'Size' | 'Encrypted'>, description: string, tags: Tag[]): SnapshotRecord {
  return {
    SnapshotId: newComputeId('snap'),
    VolumeId: volume.VolumeId,
    VolumeSize: volume.Size,
    Description: description,
    StartTime: isoAt(nowMs),
    OwnerId: owner,
    Encrypted: volume.Encrypted,
    Tags: tags,
  };
}

export async function createSnapshot(ctx: RequestContext, input: CreateSnapshotRequest) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'snapshot');
  const snapshot = await writeCompute(ctx, async (db) => {
    const volume = await db.get<VolumeRecord>('volume', input.VolumeId!);
    if (!volume) throw ec2Error('InvalidVolume.NotFound', `The volume '${input.VolumeId}' does not exist.`);
    const created = newSnapshotRecord(ctx.clock.nowMs(), ctx.accountId, volume, input.Description ?? '', tags);
    await db.put('snapshot', created.SnapshotId, created);
    return created;
  });
  const { Progress: _progress, ...view } = snapshotView(snapshot);
  return { ...view, State: 'pending' as const };
}

const SNAPSHOT_FILTERS: FilterFields<Snapshot> = {
  description: (s) => s.Description,
  encrypted: (s) => s.Encrypted,
  'owner-id': (s) => s.OwnerId,
  progress: (s) => s.Progress,
  'snapshot-id': (s) => s.SnapshotId,
  'start-time': (s) => String(s.StartTime),
  status: (s) => s.State,
  'storage-tier': (s) => s.StorageTier,
  'volume-id': (s) => s.VolumeId,
  'volume-size': (s) => s.VolumeSize,
};

/**
 * The account's snapshots. `OwnerIds` of "self" or the account match them; public snapshots of
 * other accounts are not listed (Bonsai's catalog keeps its snapshots private to its images).
 */
export async function describeSnapshots(ctx: RequestContext, input: DescribeSnapshotsRequest) {
  const all = (await readCompute(ctx).list<SnapshotRecord>('snapshot')).sort((a, b) => a.StartTime.localeCompare(b.StartTime));
  const ids = input.SnapshotIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) throw invalidParameterCombination('The parameter snapshotSet cannot be used with the parameter maxResults');
  for (const id of ids) checkSnapshotId(id);
  const missing = ids.filter((id) => !all.some((s) => s.SnapshotId === id));
  if (missing.length > 0) throw ec2Error('InvalidSnapshot.NotFound', `The snapshot${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist.`);
  const owners = input.OwnerIds ?? [];
  const ownerMatches = owners.length === 0 || owners.some((o) => o === 'self' || o === ctx.accountId);
  const selected = ownerMatches ? all.filter((s) => ids.length === 0 || ids.includes(s.SnapshotId)) : [];
  const views = applyFilters(selected.map(snapshotView), input.Filters, SNAPSHOT_FILTERS);
  const { page, nextToken } = paginate(views, input.MaxResults, input.NextToken);
  return { Snapshots: page, NextToken: nextToken };
}

/** Copies a snapshot of this account from SourceRegion (which may be this region) into this region. */
export async function copySnapshot(ctx: RequestContext, input: CopySnapshotRequest) {
  const sourceId = input.SourceSnapshotId!;
  checkSnapshotId(sourceId);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'snapshot');
  const sourceRegion = input.SourceRegion!;
  const copy = await writeCompute(ctx, async (db) => {
    const source = await db.get<SnapshotRecord>('snapshot', sourceId, sourceRegion);
    if (!source) throw snapshotNotFound(sourceId);
    const description = input.Description ?? `[Copied ${sourceId} from ${sourceRegion}]`;
    const created: SnapshotRecord = {
      ...source,
      SnapshotId: newComputeId('snap'),
      // Copies do not keep the source volume: AWS reports the placeholder vol-ffffffff.
      VolumeId: 'vol-ffffffff',
      Description: description,
      StartTime: isoAt(ctx.clock.nowMs()),
      Encrypted: source.Encrypted || input.Encrypted === true,
      Tags: tags,
    };
    await db.put('snapshot', created.SnapshotId, created);
    return created;
  });
  return { SnapshotId: copy.SnapshotId, ...(tags.length > 0 ? { Tags: tags } : {}) };
}

export async function deleteSnapshot(ctx: RequestContext, input: DeleteSnapshotRequest) {
  const snapshotId = input.SnapshotId!;
  checkSnapshotId(snapshotId);
  await writeCompute(ctx, async (db) => {
    if (!(await db.get<SnapshotRecord>('snapshot', snapshotId))) throw snapshotNotFound(snapshotId);
    const user = (await db.list<ImageRecord>('image')).find((i) => (i.BlockDeviceMappings ?? []).some((b) => b.Ebs?.SnapshotId === snapshotId));
    if (user) throw ec2Error('InvalidSnapshot.InUse', `The snapshot ${snapshotId} is currently in use by ${user.ImageId}`);
    await db.delete('snapshot', snapshotId);
  });
  return {};
}
