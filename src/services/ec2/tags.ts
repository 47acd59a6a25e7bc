/**
 * Tags on EC2 resources: TagSpecifications on create, CreateTags/DeleteTags on every taggable
 * resource (the networking kinds and instances, volumes, snapshots, the account's images and key
 * pairs), and DescribeTags across them. Tags live in each resource's own document (`Tags`).
 */
import type { RequestContext } from '../../core/context.ts';
import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, Tag, TagDescription, TagSpecification } from '../../generated/ec2/types.ts';
import type { DocOps } from '../../store/types.ts';
import { ComputeDb, notFoundIds } from './compute-store.ts';
import { Ec2Db } from './db.ts';
import { ec2Error, invalidParameterValue, notFound } from './errors.ts';
import { isComputeKind, taggableKindOfId, TAG_RESOURCE_TYPE, type TaggableKind } from './ids.ts';
import { hasVanished, type InstanceRecord } from './instance-state.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';

const MAX_TAGS = 50;

/** Anything with a tag set. */
export interface Tagged {
  Tags?: Tag[];
}

/** A stored resource document: its tags and the members its kind describes. */
type TaggedDoc = Tagged & Record<string, unknown>;

/**
 * The tags a create call asks for its resource type. A TagSpecification for a type the operation
 * does not create is refused as AWS does.
 */
export function tagsFromSpecifications(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType) {
      throw invalidParameterValue(`'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    for (const tag of spec.Tags ?? []) tags.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  validateTags(tags);
  return mergeTags([], tags);
}

function validateTags(tags: Tag[]): void {
  for (const tag of tags) {
    const key = tag.Key ?? '';
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidParameterValue('Tag keys starting with \'aws:\' are reserved for internal use');
    }
    if (key.length > 128) throw invalidParameterValue(`Tag key exceeds the maximum length of 128 characters`);
    if ((tag.Value ?? '').length > 256) throw invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
  }
}

/** `existing` with `updates` applied: a key already present takes the new value in place. */
export function mergeTags(existing: Tag[], updates: Tag[]): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const tag of updates) {
    const found = out.find((t) => t.Key === tag.Key);
    if (found) found.Value = tag.Value ?? '';
    else out.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  if (out.length > MAX_TAGS) throw ec2Error('TagLimitExceeded', `The maximum number of Tags for a resource has been reached.`);
  return out;
}

/** Request tags as a map, for aws:RequestTag/* and aws:TagKeys. */
export function tagMapOf(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** Where each kind keeps its id. */
const ID_MEMBER: Record<TaggableKind, string> = {
  vpc: 'VpcId',
  subnet: 'SubnetId',
  igw: 'InternetGatewayId',
  rtb: 'RouteTableId',
  acl: 'NetworkAclId',
  sg: 'GroupId',
  eipalloc: 'AllocationId',
  nat: 'NatGatewayId',
  eni: 'NetworkInterfaceId',
  instance: 'InstanceId',
  volume: 'VolumeId',
  snapshot: 'SnapshotId',
  image: 'ImageId',
  'key-pair': 'KeyPairId',
};

/** Each kind's not-found error; the compute kinds' worded as their own operations word them. */
function taggableNotFound(kind: TaggableKind, id: string): Error {
  switch (kind) {
    case 'instance':
      return notFoundIds('InvalidInstanceID.NotFound', 'instance', [id]);
    case 'volume':
      return ec2Error('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    case 'snapshot':
      return ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    case 'image':
      return ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    case 'key-pair':
      return ec2Error('InvalidKeyPair.NotFound', `The key pair '${id}' does not exist`);
    default:
      return notFound(kind, id);
  }
}

/**
 * The store's documents of every taggable kind, over one DocOps (a request's store or its
 * transaction): networking kinds through Ec2Db, compute kinds through ComputeDb. Instances that
 * have vanished (terminated over an hour ago) are gone for tagging as for DescribeInstances.
 */
class TaggableDocs {
  private readonly network: Ec2Db;
  private readonly compute: ComputeDb;

  constructor(ops: DocOps, account: string, region: string, private readonly nowMs: number) {
    this.network = new Ec2Db(ops, account, region);
    this.compute = new ComputeDb(ops, account, region);
  }

  async get(kind: TaggableKind, id: string): Promise<(TaggedDoc) | undefined> {
    const doc = isComputeKind(kind) ? await this.compute.get<TaggedDoc>(kind, id) : await this.network.get<TaggedDoc>(kind, id);
    return doc && this.isLive(kind, doc) ? doc : undefined;
  }

  async put(kind: TaggableKind, id: string, doc: Tagged): Promise<void> {
    if (isComputeKind(kind)) await this.compute.put(kind, id, doc);
    else await this.network.put(kind, id, doc);
  }

  async list(kind: TaggableKind): Promise<Array<TaggedDoc>> {
    const docs = isComputeKind(kind) ? await this.compute.list<TaggedDoc>(kind) : await this.network.list<TaggedDoc>(kind);
    return docs.filter((doc) => this.isLive(kind, doc));
  }

  private isLive(kind: TaggableKind, doc: unknown): boolean {
    return kind !== 'instance' || !hasVanished((doc as InstanceRecord).Events, this.nowMs);
  }
}

function taggableDocs(ctx: RequestContext, ops: DocOps = ctx.store): TaggableDocs {
  return new TaggableDocs(ops, ctx.accountId, ctx.region, ctx.clock.nowMs());
}

/** A taggable resource's document by id, or undefined (authorization reads its tags and a key pair's name). */
export async function findTaggable(ctx: RequestContext, id: string): Promise<{ kind: TaggableKind; doc?: TaggedDoc } | undefined> {
  const kind = taggableKindOfId(id);
  if (!kind) return undefined;
  return { kind, doc: await taggableDocs(ctx).get(kind, id) };
}

async function requireTaggable(docs: TaggableDocs, id: string): Promise<{ kind: TaggableKind; doc: Tagged }> {
  const kind = taggableKindOfId(id);
  if (!kind) throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
  const doc = await docs.get(kind, id);
  if (!doc) throw taggableNotFound(kind, id);
  return { kind, doc };
}

/**
 * The document with its new tag set. An image keeps `Tags` only while it has some, as CreateImage
 * stores it: DescribeImages shows no tag set for an untagged image.
 */
function withTags(kind: TaggableKind, doc: Tagged, tags: Tag[]): Tagged {
  if (kind === 'image' && tags.length === 0) {
    const { Tags: _dropped, ...untagged } = doc;
    return untagged;
  }
  return { ...doc, Tags: tags };
}

function writeTaggable<T>(ctx: RequestContext, fn: (docs: TaggableDocs) => Promise<T>): Promise<T> {
  return ctx.store.transaction((tx) => fn(taggableDocs(ctx, tx)));
}

export async function createTags(ctx: RequestContext, input: CreateTagsRequest) {
  const updates = (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  validateTags(updates);
  await writeTaggable(ctx, async (docs) => {
    for (const id of input.Resources ?? []) {
      const { kind, doc } = await requireTaggable(docs, id);
      await docs.put(kind, id, withTags(kind, doc, mergeTags(doc.Tags ?? [], updates)));
    }
  });
  return {};
}

/**
 * DeleteTags: a tag with a value is removed only when the value matches; a tag given without a
 * value is removed whatever its value; no tags at all removes every tag.
 */
export async function deleteTags(ctx: RequestContext, input: DeleteTagsRequest) {
  await writeTaggable(ctx, async (docs) => {
    for (const id of input.Resources ?? []) {
      const { kind, doc } = await requireTaggable(docs, id);
      const removals = input.Tags;
      const kept = (doc.Tags ?? []).filter((tag) => {
        if (!removals || removals.length === 0) return false;
        return !removals.some((r) => r.Key === tag.Key && (r.Value === undefined || r.Value === tag.Value));
      });
      await docs.put(kind, id, withTags(kind, doc, kept));
    }
  });
  return {};
}

const TAG_FILTERS: FilterFields<TagDescription> = {
  key: (t) => t.Key,
  value: (t) => t.Value,
  'resource-id': (t) => t.ResourceId,
  'resource-type': (t) => t.ResourceType,
};

export async function describeTags(ctx: RequestContext, input: DescribeTagsRequest) {
  const docs = taggableDocs(ctx);
  const all: TagDescription[] = [];
  for (const kind of Object.keys(ID_MEMBER) as TaggableKind[]) {
    for (const doc of await docs.list(kind)) {
      const resourceId = doc[ID_MEMBER[kind]] as string;
      for (const tag of doc.Tags ?? []) {
        all.push({ Key: tag.Key, ResourceId: resourceId, ResourceType: TAG_RESOURCE_TYPE[kind] as TagDescription['ResourceType'], Value: tag.Value });
      }
    }
  }
  // DescribeTags lists by resource id, then key (as AWS's responses read).
  all.sort((a, b) => (a.ResourceId! < b.ResourceId! ? -1 : a.ResourceId! > b.ResourceId! ? 1 : a.Key! < b.Key! ? -1 : 1));
  const filtered = applyFilters(all, input.Filters, TAG_FILTERS, { tags: false });
  const { page, nextToken } = paginate(filtered, input.MaxResults, input.NextToken);
  return { Tags: page, NextToken: nextToken };
}
